from zhian.cli import main

raise SystemExit(main())
