from zhian.cli import entry

entry()
