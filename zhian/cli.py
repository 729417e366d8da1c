"""The `zhian` command (click). Each subcommand is a thin shim over a step of `zhian.steps` or
one pipeline function; options are declared once, below, and shared.

Exit status: 0 when the run completed (even with rejected rows — they are reported), 2 when
it could not run (one line on stderr says why, in Chinese), 1 on an unexpected error (also
one line; set ZHIAN_DEBUG=1 for the traceback).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from zhian import __version__, click_zh

click_zh.install()

USAGE_ERROR = 2
CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 110}


class CommandError(Exception):
    """A reason the command could not run, in Chinese, shown as one line."""


# --- values the options take ------------------------------------------------------------------


class DateType(click.ParamType):
    name = "日期"

    def convert(self, value, param, ctx) -> dt.date:
        if isinstance(value, dt.date):
            return value
        text = str(value)
        parts = text.split("-")
        if len(parts) != 3 or len(parts[0]) != 4 or not all(part.isdigit() and part for part in parts):
            self.fail(f"日期格式应为 YYYY-MM-DD：{text}", param, ctx)
        year, month, day = (int(part) for part in parts)
        if not 1 <= month <= 12:
            self.fail(f"日期不存在：{text}（没有{month}月）", param, ctx)
        try:
            return dt.date(year, month, day)
        except ValueError:
            self.fail(f"日期不存在：{text}（{year}年{month}月没有{day}日）", param, ctx)


class MonthType(click.ParamType):
    name = "月份"

    def convert(self, value, param, ctx) -> str:
        text = str(value)
        parts = text.split("-")
        if len(parts) != 2 or len(parts[0]) != 4 or len(parts[1]) != 2 or not all(p.isdigit() for p in parts):
            self.fail(f"月份格式应为 YYYY-MM（如 2022-08）：{text}", param, ctx)
        if not 1 <= int(parts[1]) <= 12:
            self.fail(f"没有{int(parts[1])}月：{text}", param, ctx)
        return text


class WholeNumber(click.ParamType):
    name = "整数"

    def __init__(self, minimum: int = 0):
        self.minimum = minimum

    def convert(self, value, param, ctx) -> int:
        try:
            number = int(value)
        except (TypeError, ValueError):
            self.fail(f"应为整数：{value}", param, ctx)
        if number < self.minimum:
            self.fail(f"应不小于{self.minimum}：{value}", param, ctx)
        return number


class Seconds(click.ParamType):
    name = "秒数"

    def convert(self, value, param, ctx) -> float:
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"应为秒数：{value}", param, ctx)
        if number < 0:
            self.fail(f"秒数不能为负：{value}", param, ctx)
        return number


class ScaleType(click.ParamType):
    """A multiple of the demo data (`2`), or the bureau-scale corpus (`bureau`, `bureau:0.1`)."""

    name = "数据量"

    def convert(self, value, param, ctx) -> float | tuple[str, float]:
        if isinstance(value, float | tuple):
            return value
        text = str(value)
        name, _, fraction = text.partition(":")
        try:
            if name == "bureau":
                share = float(fraction or 1)
                if not 0 < share <= 1:
                    raise ValueError
                return ("bureau", share)
            number = float(text)
            if number <= 0:
                raise ValueError
            return number
        except ValueError:
            self.fail(f"数据量应为正数，或 bureau、bureau:0到1之间的比例：{text}", param, ctx)


def folder(**kwargs) -> click.Path:
    return click.Path(path_type=Path, file_okay=False, **kwargs)


def a_file(**kwargs) -> click.Path:
    return click.Path(path_type=Path, dir_okay=False, **kwargs)


def output_path(out: str, suffixes: tuple[str, ...], default_name: str, what: str) -> Path:
    """Where an output goes: `out` itself when it names a file of the right kind; the
    default file name inside it when it is a folder (existing, or written with a trailing
    slash). Any other extension is refused before any work."""
    if Path(out).is_dir() or out.endswith(("/", "\\")):
        return Path(out) / default_name
    if Path(out).suffix.lower() not in suffixes:
        raise CommandError(f"{what}文件应为 {'、'.join(suffixes)}：{out}（也可以给一个文件夹，文件名自动生成）")
    return Path(out)


def output_file() -> click.ParamType:
    """An output file or the folder to write it into, as typed (a trailing slash names a
    folder; see `output_path`)."""
    return click.STRING


# --- options, declared once ---------------------------------------------------------------------

inbox_option = click.option(
    "--inbox", type=folder(), required=True, metavar="文件夹", help="收件箱文件夹（放导出的Excel/CSV）"
)
out_folder_option = click.option("--out", type=folder(), required=True, metavar="文件夹", help="输出文件夹")
db_option = click.option("--db", type=a_file(), required=True, metavar="文件", help="DuckDB数据库文件")
wait_option = click.option(
    "--wait",
    type=Seconds(),
    default=0,
    show_default=False,
    metavar="秒",
    help="数据库被另一个程序占用时最多等待的秒数（默认不等）",
)
as_of_option = click.option("--as-of", "as_of", type=DateType(), metavar="YYYY-MM-DD", help="评估日期（默认今天）")


class RateDefinition(click.ParamType):
    """当期 (cohort) or 期间 (period), in either language."""

    name = "口径"

    def convert(self, value, param, ctx) -> str:
        values = {"当期": "cohort", "期间": "period", "cohort": "cohort", "period": "period"}
        if value in values:
            return values[value]
        self.fail(f"比率口径应为 当期 或 期间：{value}", param, ctx)


rate_option = click.option(
    "--rate-definition",
    type=RateDefinition(),
    default="当期",
    metavar="当期|期间",
    help="比率口径：当期（默认，按立案/受理时间）或 期间（按破案/结案时间）；也可写 cohort、period",
)
station_option = click.option("--station", metavar="单位", help="只包括这个管辖单位（派出所）的小区、记录和文件")
config_option = click.option("--config", type=a_file(), metavar="文件", help="设置文件（TOML），默认用内置设置")
workers_option = click.option("--workers", type=WholeNumber(minimum=1), metavar="N", help="解析文件的进程数（默认1）")


def options(*decorators: Callable) -> Callable:
    """Apply several option decorators in the order they are listed."""

    def apply(function: Callable) -> Callable:
        for decorator in reversed(decorators):
            function = decorator(function)
        return function

    return apply


database = options(db_option, wait_option)
ingesting = options(inbox_option, db_option, wait_option, config_option, workers_option)


@click.group(
    cls=click_zh.Group,
    context_settings=CONTEXT,
    options_metavar="[选项]",
    subcommand_metavar="命令 [参数]…",
    help="治安：小区整治指标（警情、案件、实有人口 → 目标达成情况）。每个命令的用法：zhian 命令 -h",
)
@click.version_option(__version__, "-V", "--version", prog_name="zhian", message="%(prog)s %(version)s")
def cli() -> None:
    from zhian.pipeline.permissions import keep_private

    keep_private()  # what zhian creates is owner-only unless made to be shared (docs/security.md)


def command(name: str, help_text: str, **kwargs) -> Callable:
    return cli.command(name, help=help_text, options_metavar="[选项]", context_settings=CONTEXT, **kwargs)


# --- shared steps of the commands ---------------------------------------------------------------


def _settings(config: Path | None, workers: int | None):
    from dataclasses import replace

    from zhian.pipeline.settings import Settings

    if config is not None and not config.exists():
        raise CommandError(f"设置文件不存在：{config}")
    settings = Settings.load(config)
    return replace(settings, workers=workers) if workers else settings


def _inbox(inbox: Path) -> Path:
    if not inbox.is_dir():
        raise CommandError(f"收件箱文件夹不存在：{inbox}")
    return inbox


def _writable_folder(path: Path) -> Path:
    """Fail before any work when the output folder cannot be written."""
    from zhian.pipeline.permissions import shared_folder

    try:
        shared_folder(path)
        probe = path / ".zhian-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as error:
        raise CommandError(f"输出文件夹无法写入：{path}（{error.strerror or error}）") from error
    return path


@contextlib.contextmanager
def _open(db: Path, wait: float, *, must_exist: bool = False) -> Iterator:
    """The command's database, opened (waiting `wait` seconds for another run), closed after."""
    from zhian.pipeline.db import connect
    from zhian.pipeline.timing import stage

    if must_exist and not db.exists():
        raise CommandError(f"数据库文件不存在：{db}")
    con = connect(db, wait=wait)
    try:
        yield con
    finally:
        with stage("close database (checkpoint)"):
            con.close()


@contextlib.contextmanager
def _known_station() -> Iterator[None]:
    """An unknown --station becomes the one-line reason."""
    from zhian.pipeline.outputs.stations import UnknownStation

    try:
        yield
    except UnknownStation as error:
        raise CommandError(str(error)) from error


def _print_ingest(report, db: Path) -> None:
    from zhian.pipeline.outputs import console

    console.print_ingest(report, str(db))


# --- commands ----------------------------------------------------------------------------------


@command("run", "载入收件箱、计算全部整治目标、生成看板和月报")
@ingesting
@out_folder_option
@as_of_option
@rate_option
@station_option
@click.option("--by-station", is_flag=True, help="每个管辖单位各生成一份看板和月报，另加一份分局总览")
@click.option(
    "--plotlyjs",
    type=click.Choice(["inline", "shared"]),
    default="inline",
    metavar="inline|shared",
    help="inline：每个看板自带plotly.js（默认，单个文件即可打开）；shared：输出文件夹中共用一个plotly.min.js",
)
@click.option("--prefect", is_flag=True, help="作为 Prefect 流程（refresh）运行，运行记录可在 Prefect 界面查看")
def cmd_run(inbox, db, wait, config, workers, out, as_of, rate_definition, station, by_station, plotlyjs, prefect):
    if station and by_station:
        raise CommandError("--station 和 --by-station 不能同时使用")
    as_of = as_of or dt.date.today()
    if prefect:
        return _run_prefect(inbox, db, out, as_of, rate_definition, workers, station, by_station, plotlyjs)
    _inbox(inbox)
    _writable_folder(out)
    settings = _settings(config, workers)
    from zhian import steps
    from zhian.pipeline.ingest.run import open_parser
    from zhian.pipeline.outputs import console

    # the parse workers start first and import while this process opens the database
    with open_parser(settings, warm=True, one_shot=True) as parser, _open(db, wait) as con, _known_station():
        with console.progress_bar(True) as progress:
            done = steps.run(
                con,
                inbox,
                out,
                as_of,
                settings,
                rate_definition=rate_definition,
                station=station,
                by_station=by_station,
                plotlyjs=plotlyjs,
                parser=parser,
                on_progress=progress,
            )
        from zhian.pipeline.outputs.stations import compounds_of

        compounds = compounds_of(con, station) if station else None
        coverage = console.coverage_of(con, station)
    _print_ingest(done.ingested, db)
    console.console.print()
    console.print_metrics(done.evaluation, compounds=compounds, detail=not by_station, coverage=coverage)
    _print_written(done.written, out, by_station)


def _print_written(written, out: Path, by_station: bool) -> None:
    from zhian.pipeline.outputs import console

    if by_station:
        console.console.print(
            f"\n分局总览：{written.overview}\n"
            f"各单位看板和月报：{len(written.stations)}个单位，在 {out} 下按单位分文件夹"
        )
    else:
        console.console.print(f"\n看板：{written.dashboards[0]}\n月报：{written.reports[0]}")
        for path in written.bulletins:
            console.console.print(f"督导通报：{path}")
    if written.plotly_js:
        console.console.print(f"共用的 plotly.js：{written.plotly_js}（看板须与它放在一起才能打开）")


def _run_prefect(inbox, db, out, as_of, rate_definition, workers, station, by_station, plotlyjs) -> None:
    if station:
        raise CommandError("--prefect 不支持 --station；请用 --by-station，或不加 --prefect")
    _inbox(inbox)
    _prefect_environment()
    from zhian.flows.refresh import refresh_flow
    from zhian.pipeline.outputs import console

    done = refresh_flow(
        inbox=str(inbox),
        db=str(db),
        out=str(out),
        as_of=as_of,
        rate_definition=rate_definition,
        workers=workers or 2,
        by_station=by_station,
        plotlyjs=plotlyjs,
    )
    loaded = done["ingest"]
    console.console.print(
        f"已通过 Prefect 流程 refresh 运行：新文件{loaded['new_files']}个，载入{loaded['rows_loaded']}行，"
        f"拒绝{loaded['rows_rejected']}行。"
    )
    console.print_metrics(done["evaluation"])
    written = done["outputs"]
    if by_station:
        console.console.print(f"\n分局总览：{written['overview']}（{written['stations']}个单位）")
    else:
        console.console.print(f"\n看板：{written['dashboard']}\n月报：{written['report']}")


@command("ingest", "只载入收件箱中的新文件")
@ingesting
def cmd_ingest(inbox, db, wait, config, workers):
    _inbox(inbox)
    settings = _settings(config, workers)
    from zhian import steps
    from zhian.pipeline.ingest.run import open_parser
    from zhian.pipeline.outputs import console
    from zhian.pipeline.timing import stage

    # the parse worker starts first and imports its modules while this process imports
    # the rest and opens the database (measured: a cold 200,000-row ingest 0.1 s faster)
    with (
        stage("close parse workers"),
        open_parser(settings, warm=True, one_shot=True) as parser,
        _open(db, wait) as con,
        console.progress_bar(True) as progress,
    ):
        report = steps.ingest(con, inbox, settings, parser=parser, on_progress=progress)
    _print_ingest(report, db)


@command("quality", "数据质量：被拒绝的行、跳过的表、未归属的记录")
@database
@click.option("--examples", type=WholeNumber(minimum=1), default=3, metavar="N", help="每类原因列出的行号个数（默认3）")
def cmd_quality(db, wait, examples):
    from zhian.pipeline.outputs import console

    with _open(db, wait, must_exist=True) as con:
        console.print_quality(con, examples)


@command("metrics", "计算并列出各整治目标的达成情况")
@database
@as_of_option
@click.option("--campaign", metavar="项目", help="只列出这个整治项目")
@station_option
@rate_option
def cmd_metrics(db, wait, as_of, campaign, station, rate_definition):
    from zhian import steps
    from zhian.pipeline.outputs import console
    from zhian.pipeline.outputs.stations import compounds_of

    with _open(db, wait, must_exist=True) as con, _known_station():
        compounds = compounds_of(con, station) if station else None
        if campaign is not None:
            known = [row[0] for row in con.execute("select distinct campaign from targets order by 1").fetchall()]
            if campaign not in known:  # before any evaluation is kept
                raise CommandError(f"没有这个整治项目：{campaign}（已有：{'、'.join(known) or '（没有）'}）")
        evaluation = steps.evaluate(con, as_of or dt.date.today(), rate_definition)
        coverage = console.coverage_of(con, station)
    console.print_metrics(evaluation, campaign, compounds=compounds, coverage=coverage)


@command("explain", "指标溯源：列出一个小区一项指标背后的每条记录（计数与指标值完全一致）")
@database
@click.option("--campaign", required=True, metavar="项目", help="整治项目")
@click.option("--compound", required=True, metavar="小区", help="小区名称")
@click.option("--metric", required=True, metavar="指标", help="指标代码或名称（如 alarm_calls_yoy、刑事案件破案率）")
@as_of_option
@click.option("--baseline", is_flag=True, help="列出同期（上年同期）的记录，而不是本期的")
@click.option("--out", type=a_file(), metavar="文件", help="把全部记录写入Excel文件（.xlsx）")
@rate_option
def cmd_explain(db, wait, campaign, compound, metric, as_of, baseline, out, rate_definition):
    from zhian import steps
    from zhian.pipeline.metrics.explain import explain, resolve_metric
    from zhian.pipeline.outputs import console

    code = resolve_metric(metric)
    if code is None:
        raise CommandError(f"没有这个指标：{metric}（可用 zhian metrics 查看各项目的指标）")
    if out is not None and out.suffix.lower() != ".xlsx":
        raise CommandError(f"溯源文件应为 .xlsx：{out}")
    with _open(db, wait, must_exist=True) as con:
        if as_of is None:
            evaluation_id = con.execute("select max(evaluation_id) from metric_evaluations where published").fetchone()[
                0
            ]
            if evaluation_id is None:  # nothing published yet: a look as of today
                evaluation_id = steps.evaluate(con, dt.date.today(), rate_definition).evaluation_id
        else:
            evaluation_id = steps.evaluate(con, as_of, rate_definition).evaluation_id
        known = con.execute(
            "select distinct campaign, compound from metric_history where evaluation_id = $e order by all",
            {"e": evaluation_id},
        ).fetchall()
        if campaign not in {c for c, _ in known}:
            names = "、".join(dict.fromkeys(c for c, _ in known)) or "（没有）"
            raise CommandError(f"没有这个整治项目：{campaign}（已有：{names}）")
        if (campaign, compound) not in known:
            names = "、".join(k for c, k in known if c == campaign)
            raise CommandError(f"整治项目“{campaign}”中没有这个小区：{compound}（已有：{names}）")
        explanation = explain(con, evaluation_id, campaign, compound, code)
        if explanation is None:
            raise CommandError(f"整治项目“{campaign}”没有为{compound}设定这项指标：{metric}")
    console.print_explanation(explanation, baseline=baseline)
    if out is not None:
        from zhian.pipeline.outputs.explain_book import write_explanation

        path = write_explanation(out, explanation)
        console.console.print(f"溯源清单：{path}")


@command("rank", "按一年的警情和案件给小区排整治优先顺序（分三批）")
@database
@click.option("--year", type=WholeNumber(minimum=1990), required=True, metavar="YYYY", help="统计年份")
@click.option("--per-1000", "per_thousand", is_flag=True, help="按每千名实有人口计算")
def cmd_rank(db, wait, year, per_thousand):
    from zhian.pipeline.metrics.ranking import rank_compounds
    from zhian.pipeline.outputs import console

    with _open(db, wait, must_exist=True) as con:
        frame = rank_compounds(con, year, per_thousand)
    console.print_ranking(frame, year, per_thousand)


@command("dashboard", "生成离线看板（单个HTML文件）")
@database
@click.option(
    "--out", type=output_file(), required=True, metavar="文件", help="看板文件（.html），或文件夹（自动命名）"
)
@as_of_option
@station_option
@rate_option
def cmd_dashboard(db, wait, out, as_of, station, rate_definition):
    from zhian import steps
    from zhian.dashboards.build import default_name, write_dashboard
    from zhian.pipeline.outputs import console

    as_of = as_of or dt.date.today()
    out = output_path(out, (".html", ".htm"), default_name(as_of), "看板")
    with _open(db, wait, must_exist=True) as con, _known_station():
        from zhian.pipeline.outputs.stations import check

        check(con, station)
        path = write_dashboard(con, out, steps.evaluate(con, as_of, rate_definition), station=station)
    console.console.print(f"看板：{path}（评估日期 {as_of.isoformat()}）")


@command("report", "生成月报（Excel）")
@database
@click.option(
    "--month", type=MonthType(), required=True, metavar="YYYY-MM", help="月份（本月则截至今天，否则截至该月最后一天）"
)
@click.option(
    "--out", type=output_file(), required=True, metavar="文件", help="月报文件（.xlsx），或文件夹（自动命名）"
)
@station_option
@click.option(
    "--internal",
    is_flag=True,
    help="内部办案用：不脱敏个人信息（每个工作表标注“内部资料 注意保密”，并记入审计日志）",
)
@rate_option
def cmd_report(db, wait, month, out, station, internal, rate_definition):
    from zhian import steps
    from zhian.pipeline.outputs import console
    from zhian.pipeline.outputs.report import default_name, month_as_of, month_bounds, write_report

    today = dt.date.today()
    if month_bounds(month)[0] > today:
        raise CommandError(f"{month[:4]}年{int(month[5:])}月还没有到（今天是 {today.isoformat()}）")
    as_of = month_as_of(month, today)
    out = output_path(out, (".xlsx",), default_name(as_of), "月报")
    with _open(db, wait, must_exist=True) as con, _known_station():
        from zhian.pipeline.outputs.stations import check

        check(con, station)
        if internal:
            console.err_console.print(
                "注意：--internal 生成的月报含未脱敏的个人信息，仅供内部办案使用，不得外传；本次操作已记入审计日志。"
            )
        evaluation = steps.evaluate(con, as_of, rate_definition)
        path = write_report(con, out, evaluation, internal=internal, station=station)
        behind = _data_behind(con, station, month_bounds(month)[0])
    console.console.print(f"月报：{path}（评估日期 {as_of.isoformat()}）{'【内部资料 注意保密】' if internal else ''}")
    if behind:
        console.err_console.print(
            f"注意：{month[:4]}年{int(month[5:])}月在所有数据的截至日期之后（{behind}），"
            "月报中的指标只反映截至那时的数据，不是这个月的情况。"
        )


def _data_behind(con, station: str | None, month_start: dt.date) -> str | None:
    """Per source where its data stops, when every loaded source stops before the month."""
    from zhian.pipeline import db

    rows = db.query(con, "quality/data_coverage.sql", {"station": station}).fetchall()
    covered = [(row[1], row[2]) for row in rows if row[2] is not None]
    if not covered or any(day >= month_start for _, day in covered):
        return None
    return "；".join(f"{label}截至 {day.isoformat()}" for label, day in covered)


@command("bulletin", "生成督导通报（Excel，每两周一次）：各单位进度、逾期和将到期事项、公安指标、验收摘牌条件")
@database
@as_of_option
@click.option(
    "--out", type=output_file(), required=True, metavar="文件", help="督导通报文件（.xlsx），或文件夹（自动命名）"
)
@rate_option
def cmd_bulletin(db, wait, as_of, out, rate_definition):
    from zhian import steps
    from zhian.pipeline.outputs import console
    from zhian.pipeline.outputs.bulletin import default_name, has_ledger, write_bulletin

    as_of = as_of or dt.date.today()
    out = output_path(out, (".xlsx",), default_name(as_of), "督导通报")
    with _open(db, wait, must_exist=True) as con:
        if not has_ledger(con):
            console.err_console.print("注意：数据库中还没有整治台账（工作明细表、问题清单），通报中只有公安指标。")
        path = write_bulletin(con, out, steps.evaluate(con, as_of, rate_definition))
    console.console.print(f"督导通报：{path}（评估日期 {as_of.isoformat()}）")


@command("fixtures", "生成演示用的导出文件（收件箱）")
@click.option("--out", type=folder(), required=True, metavar="文件夹", help="输出文件夹")
@click.option(
    "--seed", type=WholeNumber(), default=4, metavar="N", help="随机种子（默认4；同一种子生成完全相同的文件）"
)
@click.option(
    "--scale",
    type=ScaleType(),
    default="1",
    metavar="N|bureau[:比例]",
    help="数据量倍数（如 2）；bureau 或 bureau:0.1 生成分局规模的收件箱（200个派出所、约500万条警情，或其一部分）",
)
@click.option("--hostile", is_flag=True, help="改为生成恶意/损坏文件样本（用于测试）")
@click.option("--realistic", is_flag=True, help="改为生成真实录入/导出方式的样例文件（每种情形一个文件夹）")
def cmd_fixtures(out, seed, scale, hostile, realistic):
    from zhian.pipeline.outputs.console import console

    if realistic:
        from zhian.fixtures.realistic import write_corpus

        cases = write_corpus(out)
        console.print(f"已生成真实样例{len(cases)}种（每种一个文件夹）：{out}")
        return
    if hostile:
        try:
            from zhian.fixtures.hostile import write_everything
        except ImportError as error:
            raise CommandError(f"生成恶意文件样本需要测试依赖（pip install 'zhian[test]'）：{error.name}") from error
        expected = write_everything(out)
        console.print(f"已生成恶意/损坏文件样本{len(expected)}个：{out}")
        return
    if isinstance(scale, tuple):
        from zhian.fixtures.bureau import generate_bureau

        bureau = generate_bureau(out, fraction=scale[1])
        console.print(
            f"已生成分局规模的收件箱：{out}（{bureau.stations}个派出所，{bureau.compounds}个小区，"
            f"{len(bureau.files)}个文件，警情{bureau.alerts}条）"
        )
        return
    from zhian.fixtures.generator import generate

    manifest = generate(out, seed=seed, scale=scale)
    console.print(
        f"已生成演示收件箱：{out}（{len(manifest.files)}个文件，埋设的数据问题{len(manifest.plants)}处，"
        f"清单见 {out / '.zhian-fixtures.json'}）"
    )


@command("demo", "生成演示数据并完整运行一遍（评估日期 2022-08-31）")
@click.option("--dir", "root", type=folder(), default=Path("demo"), metavar="文件夹", help="演示文件夹（默认 ./demo）")
@click.pass_context
def cmd_demo(ctx, root):
    from zhian.fixtures.generator import DEMO_AS_OF, generate
    from zhian.pipeline.outputs.console import console

    inbox, out, db = root / "inbox", root / "out", root / "zhian.duckdb"
    generate(inbox)
    console.print(f"演示收件箱：{inbox}")
    ctx.invoke(cmd_run, inbox=inbox, db=db, out=out, as_of=DEMO_AS_OF)
    console.print(f"\n数据库：{db}\n输出文件夹：{out}")


@command("schedules", "列出定时任务（Prefect 部署）及下次运行时间")
def cmd_schedules():
    from zhian.flows.deployments import SCHEDULES, TIMEZONE, next_runs
    from zhian.pipeline.outputs.console import console

    console.print(f"定时任务（时区 {TIMEZONE}）：")
    for schedule in SCHEDULES:
        runs = "、".join(run.strftime("%Y-%m-%d %H:%M") for run in next_runs(schedule))
        rule = f"cron：{schedule.cron}" if schedule.cron else "隔周（RRule）"
        console.print(f"  {schedule.name}：{schedule.description}\n    {rule}　下次运行：{runs}")
    console.print("启动：先运行 prefect server start，再运行 zhian serve --inbox … --db … --out …")


def _prefect_environment() -> None:
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


@command("serve", "启动定时任务（需要先运行 prefect server start）")
@inbox_option
@db_option
@out_folder_option
def cmd_serve(inbox, db, out):
    _prefect_environment()
    from zhian.flows.deployments import serve

    serve(inbox.resolve(), db.resolve(), out.resolve())


@cli.group(
    "cluster",
    cls=click_zh.Group,
    context_settings=CONTEXT,
    options_metavar="[选项]",
    subcommand_metavar="命令 [参数]…",
    help="多台机器一起解析（Prefect 工作池）：注册部署、分批、载入",
)
def cmd_cluster() -> None:
    _prefect_environment()


@cmd_cluster.command("deploy", help="在 process 类型的工作池上注册 ingest-batch 部署", options_metavar="[选项]")
@click.option(
    "--pool", required=True, metavar="名称", help="工作池名称（prefect work-pool create 名称 --type process）"
)
def cmd_cluster_deploy(pool):
    from zhian.flows.distributed import deploy
    from zhian.pipeline.outputs.console import console

    deployment = deploy(pool)
    console.print(f"已在工作池 {pool} 上注册部署 ingest-batch（{deployment}）；在每台机器上运行：")
    console.print(f"  prefect worker start --pool {pool} --limit 1")


shared_option = click.option(
    "--shared", type=folder(), required=True, metavar="文件夹", help="共享文件夹（各台机器都能访问）"
)


@cmd_cluster.command("plan", help="认领收件箱中的新文件、分批交给工作池解析，等待完成后载入", options_metavar="[选项]")
@inbox_option
@shared_option
@click.option("--db", type=a_file(), metavar="文件", help="DuckDB数据库文件（给出时解析完成后立即载入）")
@click.option("--batch-seconds", type=Seconds(), default=40.0, metavar="秒", help="每批的预计解析时间（秒，默认40）")
def cmd_cluster_plan(inbox, shared, db, batch_seconds):
    from zhian.flows.distributed import plan_ingest_flow
    from zhian.pipeline.outputs.console import console

    summary = plan_ingest_flow(
        str(_inbox(inbox).resolve()),
        str(shared.resolve()),
        str(db.resolve()) if db else None,
        batch_seconds=batch_seconds,
    )
    console.print(f"新文件{summary['files']}个，{summary['batches']}个批次：{summary['batch_states']}")
    if summary["passed_over"]:
        console.print(f"未再处理的文件{len(summary['passed_over'])}个：" + "；".join(summary["passed_over"][:20]))
    if "load" in summary:
        console.print(f"载入：{summary['load']}")


@cmd_cluster.command(
    "load", help="把共享文件夹中已解析完成的批次载入数据库（同一时间只运行一个）", options_metavar="[选项]"
)
@inbox_option
@shared_option
@db_option
def cmd_cluster_load(inbox, shared, db):
    from zhian.flows.distributed import load_staged_flow
    from zhian.pipeline.outputs.console import console

    summary = load_staged_flow(str(_inbox(inbox).resolve()), str(shared.resolve()), str(db.resolve()))
    console.print(f"载入：{summary}")


# --- running a command ------------------------------------------------------------------------

OS_ERRORS = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "超出磁盘配额",
    errno.EFBIG: "文件超出系统允许的大小",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有写入权限",
    errno.EROFS: "只读文件系统",
}


def _say(text: str) -> None:
    """One line on stderr; an ID or phone number an error happens to quote is masked."""
    from zhian.pipeline.masking import mask_text

    print(mask_text(text), file=sys.stderr)


def _first_line(error: BaseException) -> str:
    text = str(error)
    return text.splitlines()[0] if text else ""


def main(argv: list[str] | None = None) -> int:
    from zhian.pipeline.db import DatabaseBusy, DatabaseError

    try:
        cli.main(args=argv, prog_name="zhian", standalone_mode=False)
        return 0
    except click.exceptions.NoArgsIsHelpError as error:
        click.echo(error.ctx.get_help() if error.ctx else "")
        return USAGE_ERROR
    except click.UsageError as error:
        _say(f"zhian：参数错误：{error.format_message()}（zhian -h 查看用法）")
        return USAGE_ERROR
    except click.exceptions.Exit as exit_:
        return exit_.exit_code
    except (click.Abort, KeyboardInterrupt):
        _say("zhian：已中断（已完成的文件已完整载入，未完成的文件没有留下任何数据）")
        return 130
    except (CommandError, DatabaseBusy, DatabaseError, FileNotFoundError) as error:
        _say(f"zhian：无法运行：{error}")
        return USAGE_ERROR
    except OSError as error:  # disk full, a folder that cannot be written …
        where = f"：{error.filename}" if getattr(error, "filename", None) else ""
        why = OS_ERRORS.get(error.errno, error.strerror or str(error))
        _say(f"zhian：无法运行：文件写入失败{where}（{why}）；数据库中已完成的步骤不受影响")
        return USAGE_ERROR
    except Exception as error:  # one line for the analyst; the traceback for developers
        if os.environ.get("ZHIAN_DEBUG"):
            raise
        text = str(error)
        if type(error).__module__.startswith("_duckdb") and (
            type(error).__name__ == "IOException"
            or any(w in text for w in ("Could not write", "No space left", "File too large", "Disk full"))
        ):
            _say(
                f"zhian：无法运行：数据库写入失败（磁盘已满或没有写入权限？）：{_first_line(error)}；未完成的步骤已整体撤销"
            )
            return USAGE_ERROR
        _say(f"zhian：运行失败：{type(error).__name__}: {_first_line(error)}（设置 ZHIAN_DEBUG=1 可查看详细信息）")
        return 1


def entry() -> None:
    """The console script."""
    sys.exit(main())


if __name__ == "__main__":
    entry()
