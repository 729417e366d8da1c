"""The schedules, declared once: `zhian serve` starts them, `zhian schedules` lists them.

Defaults (edit here, or pass `zhian serve --inbox … --db … --out …`):
- refresh: every 30 minutes from 08:00 to 18:30, Monday to Friday, Asia/Shanghai — exports
  land in the shared inbox during the day and the dashboard follows;
- monthly-report: 08:00 on the 1st of every month, Asia/Shanghai — last month's report is
  waiting when the analyst arrives;
- supervision-bulletin: 08:00 every other Monday, Asia/Shanghai (seed 004: 每两周督导检查) —
  an RRule, since cron cannot say "every other week"; the weeks counted from Monday
  2022-01-03.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

TIMEZONE = "Asia/Shanghai"


@dataclass(frozen=True)
class Schedule:
    name: str
    flow: str  # attribute of flows.refresh
    cron: str  # "" for an rrule schedule
    description: str  # Chinese, for `zhian schedules`
    rrule: str = ""  # RFC 5545, for what cron cannot say (every other week)


SCHEDULES = (
    Schedule(
        "refresh",
        "refresh_flow",
        "*/30 8-18 * * 1-5",
        "工作日 8:00—18:30 每30分钟：载入新文件、计算指标、更新看板和月报",
    ),
    Schedule("monthly-report", "monthly_report_flow", "0 8 1 * *", "每月1日 8:00：生成上个月的月报"),
    Schedule(
        "supervision-bulletin",
        "bulletin_flow",
        "",
        "隔周星期一 8:00：生成督导通报（各单位进度、逾期事项、验收摘牌条件）",
        rrule="DTSTART:20220103T080000\nRRULE:FREQ=WEEKLY;INTERVAL=2;BYDAY=MO;BYHOUR=8;BYMINUTE=0;BYSECOND=0",
    ),
)


def next_runs(schedule: Schedule, count: int = 3, after: dt.datetime | None = None) -> list[dt.datetime]:
    """The next run times of a schedule, in Asia/Shanghai."""
    from cronsim import CronSim

    zone = ZoneInfo(TIMEZONE)
    start = (after or dt.datetime.now(zone)).astimezone(zone)
    if schedule.rrule:
        from dateutil.rrule import rrulestr

        rule = rrulestr(schedule.rrule)
        runs, moment = [], start.replace(tzinfo=None)
        while len(runs) < count:
            moment = rule.after(moment)
            runs.append(moment.replace(tzinfo=zone))
        return runs
    iterator = CronSim(schedule.cron, start)
    return [next(iterator) for _ in range(count)]


def deployments(inbox: Path, db: Path, out: Path) -> list:
    """Prefect deployments of the schedules, with the paths as default parameters."""
    from prefect.schedules import Cron, RRule

    from . import refresh

    parameters = {"inbox": str(inbox), "db": str(db), "out": str(out)}
    return [
        getattr(refresh, s.flow).to_deployment(
            name=s.name,
            schedules=[RRule(s.rrule, timezone=TIMEZONE) if s.rrule else Cron(s.cron, timezone=TIMEZONE)],
            parameters=parameters,
            description=s.description,
            tags=["zhian"],
        )
        for s in SCHEDULES
    ]


def serve(inbox: Path, db: Path, out: Path) -> None:
    """Register the deployments with the Prefect API and run their flows when they are due."""
    from prefect import serve as prefect_serve

    prefect_serve(*deployments(inbox, db, out))
