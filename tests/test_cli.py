"""The command-line contract: console script, exit statuses, one-line Chinese reasons."""

import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import write_registry
from zhian.cli import main


def _zhian(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "zhian", *map(str, args)], capture_output=True, text=True, **kwargs)


def test_run_exits_zero_with_rejected_rows_and_reports_them(demo_inbox, tmp_path):
    result = _zhian(
        "run",
        "--inbox",
        demo_inbox[0],
        "--db",
        tmp_path / "z.duckdb",
        "--out",
        tmp_path / "out",
        "--as-of",
        "2022-08-31",
    )
    assert result.returncode == 0, result.stderr
    assert "拒绝" in result.stdout and "zhian quality" in result.stdout
    assert (tmp_path / "out").is_dir()


def test_missing_inbox_is_a_one_line_reason_and_exit_2(tmp_path):
    result = _zhian("run", "--inbox", tmp_path / "nope", "--db", tmp_path / "z.duckdb", "--out", tmp_path / "out")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "收件箱文件夹不存在" in result.stderr


def test_bad_date_argument_is_a_one_line_reason(tmp_path):
    result = _zhian(
        "run", "--inbox", tmp_path, "--db", tmp_path / "z.duckdb", "--out", tmp_path, "--as-of", "2022/8/31"
    )
    assert result.returncode == 2 and result.stderr.count("\n") == 1 and "YYYY-MM-DD" in result.stderr


def test_database_held_by_another_process_is_a_one_line_reason(inbox, tmp_path):
    write_registry(inbox)
    db = tmp_path / "z.duckdb"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import duckdb,time; c=duckdb.connect(r'{db}'); print('ok', flush=True); time.sleep(30)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ok"
        result = _zhian("ingest", "--inbox", inbox, "--db", db)
        assert result.returncode == 2, result.stderr
        assert result.stderr.count("\n") == 1 and "另一个程序" in result.stderr
    finally:
        holder.kill()
        holder.wait()
        holder.stdout.close()


def test_quality_groups_rejections_by_file_and_reason(demo_db, capsys):
    assert main(["quality", "--db", str(demo_db[0])]) == 0
    out = capsys.readouterr().out
    assert "身份证号码校验位错误（最后一位校验码不符）：3行" in out
    assert "跳过的工作表" in out and "summary" in out
    assert "未归属到小区的记录" in out


def test_quality_on_a_missing_database_is_a_reason(tmp_path):
    result = _zhian("quality", "--db", tmp_path / "none.duckdb")
    assert result.returncode == 2 and "数据库文件不存在" in result.stderr


def test_fixtures_command_writes_an_inbox(tmp_path):
    result = _zhian("fixtures", "--out", tmp_path / "inbox", "--seed", "7", "--scale", "0.2")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "inbox" / "整治目标.xlsx").exists()


@pytest.mark.slow
def test_demo_command_generates_and_runs(tmp_path):
    started = time.time()
    result = _zhian("demo", "--dir", tmp_path / "demo")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "demo" / "zhian.duckdb").exists() and "输出文件夹" in result.stdout
    assert time.time() - started >= 0  # the demo's speed is measured in benchmarks/, not here


def test_console_script_is_installed():
    script = Path(sys.executable).parent / "zhian"  # the venv's bin, whether or not it is on PATH
    result = subprocess.run([str(script), "--help"], capture_output=True, text=True)
    assert result.returncode == 0 and "zhian" in result.stdout


def test_metrics_command_prints_chinese_statuses(demo_db, tmp_path):
    import shutil

    db = tmp_path / "z.duckdb"
    shutil.copy(demo_db[0], db)
    result = _zhian("metrics", "--db", db, "--as-of", "2022-08-31", "--campaign", "茵芳小区挂牌整治")
    assert result.returncode == 0, result.stderr
    assert "茵芳小区挂牌整治" in result.stdout and "22 项指标" in result.stdout
    assert "进度正常" in result.stdout and "报警类110警情同比" in result.stdout
    assert "沙河街道春季治安整治" not in result.stdout


def test_rank_command_prints_priorities_and_batches(demo_db, tmp_path):
    import shutil

    db = tmp_path / "z.duckdb"
    shutil.copy(demo_db[0], db)
    result = _zhian("rank", "--db", db, "--year", "2021")
    assert result.returncode == 0, result.stderr
    assert "第1批（2022年）" in result.stdout and "第3批（2024年）" in result.stdout


def test_run_computes_the_metrics(demo_inbox, tmp_path):
    result = _zhian(
        "run",
        "--inbox",
        demo_inbox[0],
        "--db",
        tmp_path / "z.duckdb",
        "--out",
        tmp_path / "out",
        "--as-of",
        "2022-08-31",
    )
    assert result.returncode == 0, result.stderr
    import duckdb

    con = duckdb.connect(str(tmp_path / "z.duckdb"), read_only=True)
    assert con.execute("select count(*) from metric_results where campaign = '茵芳小区挂牌整治'").fetchall() == [(22,)]
    assert con.execute("select count(*) from compound_ranking where year = 2021").fetchall()[0][0] > 0
    con.close()
    assert (tmp_path / "out" / "小区整治看板_2022-08-31.html").stat().st_size > 1_000_000
    # the demo has ledgers: the 督导通报 in its own folder, the top level one dashboard and one report
    assert (tmp_path / "out" / "督导通报" / "督导通报_2022-08-31.xlsx").is_file()
    assert sorted(p.suffix for p in (tmp_path / "out").iterdir() if p.is_file()) == [".html", ".xlsx"]


def test_dashboard_command_writes_the_file(demo_db, tmp_path):
    import shutil

    db = tmp_path / "z.duckdb"
    shutil.copy(demo_db[0], db)
    result = _zhian("dashboard", "--db", db, "--out", tmp_path / "看板.html", "--as-of", "2022-08-31")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "看板.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


ENGLISH = re.compile(
    r"Usage|usage:|Options|options:|Commands|Show this|Error|Missing|[Ii]nvalid|required|No such|Try '|"
    r"is not a valid|does not exist|Got unexpected|is not one of|argument"
)


def test_help_and_usage_errors_are_in_chinese():
    # issue #13: argparse printed usage:, options:, invalid choice: … in English
    from zhian.cli import cli

    names = [[name] for name in cli.commands] + [["cluster", name] for name in cli.commands["cluster"].commands]
    outputs = [main_output(["-h"]), *(main_output([*name, "-h"]) for name in names)]
    errors = [
        main_output(["foo"]),
        main_output(["run"]),
        main_output(["run", "--inbox", "x", "--db", "y", "--out", "z", "--as-of", "2022-02-30"]),
        main_output(["rank", "--db", "y", "--year", "abc"]),
        main_output(["run", "--inbox", "x", "--db", "y", "--out", "z", "--rate-definition", "both"]),
        main_output(["report", "--db", "y", "--month", "2022-8", "--out", "r.xlsx"]),
        main_output(["quality", "--db", "y", "--nope"]),
    ]
    for code, text in outputs:
        assert code == 0 and "用法：" in text and "选项：" in text, text
        assert not ENGLISH.search(text), text
    for code, text in errors:
        assert code == 2 and text.count("\n") == 1 and "参数错误" in text, text
        assert not ENGLISH.search(text), text
    assert main_output(["--version"]) == (0, "zhian " + __import__("zhian").__version__ + "\n")


def main_output(argv: list[str]) -> tuple[int, str]:
    result = _zhian(*argv)
    return result.returncode, result.stdout + result.stderr


def test_the_main_process_imports_neither_pandera_nor_prefect():
    # pandera (with pandas) costs the main process 1.1-1.4 s; only the parse workers validate
    code = (
        "import sys; import zhian.cli, zhian.steps, zhian.pipeline.outputs.console, zhian.dashboards.build; "
        "print(sorted(m for m in ('pandera', 'pandas', 'prefect') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stdout + result.stderr


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2022-13-01", "日期不存在：2022-13-01（没有13月）"),
        ("2022-02-30", "日期不存在：2022-02-30（2022年2月没有30日）"),
        ("2022/08/31", "日期格式应为 YYYY-MM-DD：2022/08/31"),
        ("2022-8", "日期格式应为 YYYY-MM-DD：2022-8"),
    ],
)
def test_a_date_that_does_not_exist_is_told_from_a_wrong_format(tmp_path, value, message):
    result = _zhian("metrics", "--db", tmp_path / "z.duckdb", "--as-of", value)
    assert result.returncode == 2
    assert message in result.stderr
    assert not re.search(r"\b(Error|Usage|Invalid|invalid)\b", result.stderr), result.stderr


def test_an_unknown_campaign_lists_the_known_ones_and_exits_2(demo_db):
    result = _zhian("metrics", "--db", demo_db[0], "--campaign", "不存在", "--as-of", "2022-08-31")
    assert result.returncode == 2
    assert "没有这个整治项目：不存在（已有：" in result.stderr and "茵芳小区挂牌整治" in result.stderr


def test_an_empty_inbox_says_so_plainly(tmp_path):
    (tmp_path / "inbox").mkdir()
    result = _zhian("ingest", "--inbox", tmp_path / "inbox", "--db", tmp_path / "z.duckdb")
    assert result.returncode == 0, result.stderr
    assert "收件箱是空的：没有找到任何文件，本次没有载入数据。" in result.stdout


# each case: the arguments ({db}: the demo database, {tmp}: an empty folder), then a
# fragment of the one-line Chinese reason
ERRORS = [
    (["foo"], "没有命令"),
    (["run"], "缺少选项"),
    (["run", "--inbox", "{tmp}/nope", "--db", "{tmp}/z.duckdb", "--out", "{tmp}/out"], "收件箱文件夹不存在"),
    (["metrics", "--db", "{db}", "--as-of", "2022-02-30"], "日期不存在：2022-02-30（2022年2月没有30日）"),
    (["metrics", "--db", "{db}", "--as-of", "2022-13-01"], "日期不存在：2022-13-01（没有13月）"),
    (["metrics", "--db", "{db}", "--as-of", "2022/08/31"], "日期格式应为"),
    (["metrics", "--db", "{db}", "--rate-definition", "both"], "比率口径应为 当期 或 期间：both"),
    (["metrics", "--db", "{db}", "--campaign", "不存在", "--as-of", "2022-08-31"], "没有这个整治项目：不存在（已有："),
    (["metrics", "--db", "{db}", "--station", "不存在的派出所", "--as-of", "2022-08-31"], "九亭"),
    (["metrics", "--db", "{tmp}/not-a-database.duckdb"], "这不是 zhian 的数据库文件"),
    (["quality", "--db", "{tmp}/missing.duckdb"], "数据库文件不存在"),
    (["rank", "--db", "{db}", "--year", "abc"], "应为整数：abc"),
    (["report", "--db", "{db}", "--month", "2022-8", "--out", "{tmp}/r.xlsx"], "月份格式应为 YYYY-MM"),
    (["report", "--db", "{db}", "--month", "2022-13", "--out", "{tmp}/r.xlsx"], "没有13月"),
    # checked before the database is opened (it does not exist)
    (["report", "--db", "{tmp}/missing.duckdb", "--month", "2099-01", "--out", "{tmp}/r.xlsx"], "2099年1月还没有到"),
    (["report", "--db", "{db}", "--month", "2022-08", "--out", "{tmp}/r.csv"], "月报文件应为 .xlsx"),
    (["dashboard", "--db", "{db}", "--out", "{tmp}/d.txt"], "看板文件应为 .html"),
    (["explain", "--db", "{db}", "--campaign", "x", "--compound", "y", "--metric", "nope"], "没有这个指标：nope"),
    (["quality", "--db", "{db}", "--nope"], "没有选项"),
]
FRAMEWORK_WORDS = re.compile(ENGLISH.pattern + r"|IO Error|Catalog Error|DuckDB|Traceback|Exception")


def _many(cases: list[list[str]]) -> list[tuple[int, str]]:
    """Run `zhian.cli.main` on each argument list in one fresh process (one import instead of
    one per case); returns each exit status with what it printed."""
    code = (
        "import contextlib, io, json, sys\n"
        "from zhian.cli import main\n"
        "results = []\n"
        "for argv in json.loads(sys.stdin.read()):\n"
        "    out, err = io.StringIO(), io.StringIO()\n"
        "    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):\n"
        "        status = main(argv)\n"
        "    results.append([status, out.getvalue() + err.getvalue()])\n"
        "print(json.dumps(results, ensure_ascii=False))\n"
    )
    import json

    done = subprocess.run(
        [sys.executable, "-c", code], input=json.dumps(cases), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return [tuple(pair) for pair in json.loads(done.stdout.splitlines()[-1])]


def test_every_error_is_one_chinese_line_with_exit_2(demo_db, tmp_path):
    (tmp_path / "not-a-database.duckdb").write_text("这不是数据库", encoding="utf-8")
    cases = [[a.format(db=demo_db[0], tmp=tmp_path) for a in argv] for argv, _ in ERRORS]
    for (argv, expected), (status, text) in zip(ERRORS, _many(cases), strict=True):
        assert status == 2, (argv, text)
        assert text.count("\n") == 1 and expected in text, (argv, text)
        assert not FRAMEWORK_WORDS.search(text), (argv, text)
    assert not (tmp_path / "r.xlsx").exists() and not (tmp_path / "r.csv").exists()


def test_out_may_be_a_folder_and_gets_the_default_name(demo_db, tmp_path):
    folder = tmp_path / "输出"
    folder.mkdir()
    statuses = _many(
        [
            ["dashboard", "--db", str(demo_db[0]), "--out", str(folder), "--as-of", "2022-08-31"],
            ["report", "--db", str(demo_db[0]), "--month", "2022-08", "--out", f"{tmp_path}/新文件夹/"],
        ]
    )
    assert [status for status, _ in statuses] == [0, 0], statuses
    assert (folder / "小区整治看板_2022-08-31.html").is_file()
    assert (tmp_path / "新文件夹" / "小区整治月报_2022年08月.xlsx").is_file()


def test_a_month_after_all_the_data_is_flagged(demo_db, tmp_path):
    [(status, text)] = _many(
        [["report", "--db", str(demo_db[0]), "--month", "2024-08", "--out", str(tmp_path / "r.xlsx")]]
    )
    assert status == 0, text
    assert "注意：2024年8月在所有数据的截至日期之后（110警情截至 2022-08-31" in text
    assert "月报中的指标只反映截至那时的数据" in text
