"""Dates and times as real exports spell them.

Accepted (after `text.clean`): Excel date cells (calamine gives `2022-07-01 08:30:00`),
Excel serial numbers as numbers or text (`44743.375`), `2022-07-01 08:30:00`,
`2022/7/1 8:30`, `2022.07.01`, `2022年7月1日 8时30分`, `2022年7月1日8点30分`,
`20220701083000`, `202207010830`, `20220701`, ISO `2022-07-01T08:30:00`, fractional seconds,
and a 12-hour time with 上午/下午/晚上 (`2022-7-3 下午2:20`). A date without a time means
midnight. Times are naive local time (Asia/Shanghai).

A date and a time in two columns (报警日期 + 报警时间) are combined by `combine_date_time`:
the time cell may be an Excel time (calamine reads it as `1899-12-31 14:20:00`), a
fraction of a day (`0.5972`), or text (`14:20`, `14时20分`, `下午2:20`).

The parse is vectorised (polars): the text is rewritten into one canonical spelling
and parsed once; whatever stays unparsed is reported by the caller with its raw value.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

# Plausible bounds: nothing in a police export predates 1990 or lies past 2100.
MIN_DATE = dt.datetime(1990, 1, 1)
MAX_DATE = dt.datetime(2100, 12, 31, 23, 59, 59)
EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # Excel's 1900 date system, after the 1900 leap bug
EXCEL_EPOCH_1904 = dt.datetime(1904, 1, 1)  # old Mac Excel's 1904 date system

_CANONICAL = "%Y-%m-%d %H:%M:%S%.f"


def _canonical_text(expr: pl.Expr) -> pl.Expr:
    """Rewrite every accepted spelling into `Y-m-d H:M:S[.f]` (unpadded numbers are fine)."""
    text = expr.str.replace_all(r"\s+", " ").str.strip_chars()
    # Chinese spellings: 2022年7月1日 8时30分15秒 / 8点30分
    text = (
        text.str.replace_all(r"(\d)\s*年\s*(\d)", "$1-$2")
        .str.replace_all(r"(\d)\s*月\s*(\d)", "$1-$2")
        .str.replace_all(r"(\d)\s*日\s*", "$1 ")
        .str.replace_all(r"(\d)\s*[时点]\s*", "$1:")
        .str.replace_all(r"(\d)\s*分\s*", "$1:")
        .str.replace_all(r"(\d)\s*秒", "$1")
        .str.replace_all(r"[:\s]+$", "")
    )
    # ISO `T`, and `/` or `.` between the date parts (not the `.` of fractional seconds)
    text = text.str.replace(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:T|\s+)?", "$1-$2-$3 ")
    # compact digits: 20220701083000, 202207010830, 20220701
    text = text.str.replace(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$", "$1-$2-$3 $4:$5:$6")
    text = text.str.replace(r"^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})$", "$1-$2-$3 $4:$5")
    text = text.str.replace(r"^(\d{4})(\d{2})(\d{2})$", "$1-$2-$3")
    text = text.str.strip_chars()
    # complete the time part: date only → midnight; H:M → H:M:00
    text = text.str.replace(r"^(\d{4}-\d{1,2}-\d{1,2})$", "$1 0:0:0")
    text = text.str.replace(r"^(\d{4}-\d{1,2}-\d{1,2} \d{1,2})$", "$1:0:0")
    text = text.str.replace(r"^(\d{4}-\d{1,2}-\d{1,2} \d{1,2}:\d{1,2})$", "$1:0")
    return text


# 12-hour markers: afternoon/evening add 12 hours to 1–11 o'clock; 中午 only to 1–2 o'clock
# (中午12:30 and 中午11:50 are as written); 凌晨/上午 12 o'clock is midnight
_PM = r"下午|晚上|傍晚|夜里|夜间|晚间"
_NOON = r"中午"
_AM = r"上午|早上|早晨|凌晨|清晨"
_MARKERS = rf"\s*(?:{_PM}|{_NOON}|{_AM})\s*"


def _twelve_hour(raw: pl.Expr, parsed: pl.Expr) -> pl.Expr:
    hour = parsed.dt.hour()
    twelve = pl.duration(hours=12)
    pm = raw.str.contains(_PM) & (hour < 12)
    noon = raw.str.contains(_NOON) & (hour >= 1) & (hour <= 2)
    am = raw.str.contains(_AM) & (hour == 12)
    return pl.when(pm | noon).then(parsed + twelve).when(am).then(parsed - twelve).otherwise(parsed)


def parse_datetime_expr(column: str, date1904: bool = False) -> pl.Expr:
    """Parsed naive datetime, or null where the text is empty, unparsable or implausible."""
    raw = pl.col(column)
    serial = raw.str.strip_chars().cast(pl.Float64, strict=False)
    epoch = EXCEL_EPOCH_1904 if date1904 else EXCEL_EPOCH
    minimum, maximum = (MIN_DATE - epoch).days, (MAX_DATE - epoch).days
    from_serial = pl.when(raw.str.contains(r"^\s*\d{5}(\.\d+)?\s*$") & (serial >= minimum) & (serial <= maximum)).then(
        pl.lit(epoch) + pl.duration(milliseconds=(serial * 86_400_000).round(0).cast(pl.Int64))
    )
    unmarked = raw.str.replace_all(_MARKERS, " ")
    parsed = _canonical_text(unmarked).str.to_datetime(_CANONICAL, strict=False, time_unit="us")
    parsed = pl.when(raw.str.contains(_MARKERS)).then(_twelve_hour(raw, parsed)).otherwise(parsed)
    value = pl.coalesce(from_serial, parsed)
    return pl.when((value >= MIN_DATE) & (value <= MAX_DATE)).then(value).otherwise(None)


def _time_of_day_expr(column: str) -> pl.Expr:
    """A time cell as the time since midnight, or null: an Excel time (`1899-12-31 14:20:00`,
    what calamine gives for a time-formatted cell), a fraction of a day (`0.5972`), or text
    `14:20`, `14:20:05`, `14时20分`, `8点`, `下午2:20`."""
    raw = pl.col(column).str.strip_chars()
    fraction = raw.cast(pl.Float64, strict=False)
    from_fraction = pl.when(raw.str.contains(r"^0?\.\d+$|^0$") & (fraction >= 0) & (fraction < 1)).then(
        pl.duration(milliseconds=(fraction * 86_400_000).round(0).cast(pl.Int64))
    )
    excel_time = raw.str.extract(r"^1899-12-3[01][ T](\d{1,2}:\d{2}(?::\d{2})?)", 1)
    text = pl.coalesce(excel_time, raw)
    unmarked = text.str.replace_all(_MARKERS, " ").str.strip_chars()
    clock = unmarked.str.contains(r"^\d{1,2}\s*(?::|时|点)\s*(\d{1,2}\s*(?::|分)?\s*(\d{1,2}(\.\d+)?\s*秒?)?)?$")
    on_a_day = pl.lit("2000-01-01 ") + unmarked
    parsed = _canonical_text(on_a_day).str.to_datetime(_CANONICAL, strict=False, time_unit="us")
    parsed = pl.when(text.str.contains(_MARKERS)).then(_twelve_hour(text, parsed)).otherwise(parsed)
    from_text = pl.when(clock).then(parsed - pl.lit(dt.datetime(2000, 1, 1)))
    value = pl.coalesce(from_fraction, from_text)
    return pl.when((value >= pl.duration(seconds=0)) & (value < pl.duration(days=1))).then(value)


def combine_date_time(date_text: pl.Series, time_text: pl.Series, date1904: bool = False) -> pl.Series:
    """One event time from a date column and a time column, as the canonical text the
    normaliser parses (`2022-07-03 14:20:00`). A date without a time is midnight. Where
    either part cannot be read, the two texts joined by a space are kept, so the row is
    rejected quoting what the file holds. A date cell with no time cell is read as it is."""
    frame = pl.DataFrame({"d": date_text, "t": time_text}, schema={"d": pl.String, "t": pl.String})
    full = parse_datetime_series(frame["d"], date1904)
    day = full.dt.date()
    # a "time" cell that holds a whole date and time (not Excel's 1899 day) is used as it is
    whole = parse_datetime_series(frame["t"].str.replace(r"^1899-12-3[01].*$", ""), date1904)
    frame = frame.with_columns(
        full.alias("full"), day.alias("day"), _time_of_day_expr("t").alias("clock"), whole.alias("whole")
    )
    # no time cell: the date cell as it is (it may carry a time itself)
    at = (
        pl.when(pl.col("t").is_null())
        .then(pl.col("full"))
        .otherwise(pl.col("day").cast(pl.Datetime("us")) + pl.col("clock"))
    )
    readable = pl.col("day").is_not_null() & (pl.col("t").is_null() | pl.col("clock").is_not_null())
    joined = pl.concat_str([pl.col("d"), pl.col("t")], separator=" ", ignore_nulls=True)
    canonical = "%Y-%m-%d %H:%M:%S"
    return frame.select(
        pl.when(pl.col("whole").is_not_null())
        .then(pl.col("whole").dt.strftime(canonical))
        .when(readable)
        .then(at.dt.strftime(canonical))
        .otherwise(joined)
        .alias(date_text.name)
    ).to_series()


def parse_datetime(value: str | None) -> dt.datetime | None:
    """One value, for the few places that parse scalars (title rows, targets)."""
    if value is None:
        return None
    frame = pl.DataFrame({"v": [value]}, schema={"v": pl.String})
    return frame.select(parse_datetime_expr("v")).item()


def looks_like_twelve_hour_clock(hours: pl.Series, min_rows: int = 200) -> bool:
    """True when a file has many times and none after 12:59 — a dump made with a 12-hour
    clock and no AM/PM marker (seen in one real export). The caller warns; it does not guess."""
    hours = hours.drop_nulls()
    if hours.len() < min_rows:
        return False
    return int(hours.max()) <= 12 and int(hours.min()) >= 0 and hours.n_unique() > 3


def parse_datetime_series(raw: pl.Series, date1904: bool = False) -> pl.Series:
    """`parse_datetime_expr` over a column, fast: the spelling calamine gives Excel date cells
    (`2022-07-01 08:30:00`) is parsed directly; only the other values go through the
    rewriting (measured 40× slower per value)."""
    fast = raw.str.to_datetime("%Y-%m-%d %H:%M:%S", strict=False, time_unit="us")
    need = fast.is_null() & raw.is_not_null()
    if need.any():
        index = need.arg_true()
        slow = pl.DataFrame({"v": raw.gather(index)}).select(parse_datetime_expr("v", date1904)).to_series()
        fast = fast.scatter(index, slow)
    in_range = (fast >= MIN_DATE) & (fast <= MAX_DATE)
    return pl.select(pl.when(in_range).then(fast).otherwise(None)).to_series().rename(raw.name)


def with_datetimes(
    frame: pl.DataFrame, columns: dict[str, str], *, dates: bool = False, date1904: bool = False
) -> pl.DataFrame:
    """Add parsed columns: {target: source text column}. `dates=True` keeps only the date;
    `date1904` reads serial numbers in the 1904 date system."""
    parsed = []
    for target, source in columns.items():
        series = parse_datetime_series(frame[source], date1904).alias(target)
        parsed.append(series.dt.date() if dates else series)
    return frame.with_columns(parsed)
