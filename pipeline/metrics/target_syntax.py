"""The 目标 column of a 整治目标 sheet: every spelling the campaign plans use.

    下降20%  同比下降≥20%  下降不少于20%  下降20%以上      count change ≤ -20 %
    上升10%                                              count change ≥ +10 %
    ≥70%  达70%  达到98%以上  不低于70%  70%  覆盖率100%   rate ≥ N %
    ≤3%  <3%  ＜3%  >N%  =100%                           rate compared as written
    不发生  确保不发生  杜绝  零发生  =0  0                    zero count = 0
    ≤2  不超过2起                                          count ≤ N

A target is (op, value): op one of >=, >, <=, <, =; value a Decimal — a percentage for
rates and count changes (-20 means "down 20 %"), a count for zero-count metrics. Exact
decimals, never floats: statuses are decided by integer arithmetic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from zhian.pipeline.metrics.catalogue import (
    COUNT_CHANGE,
    LEDGER_COUNT,
    LEDGER_RATE,
    PLEDGES,
    RATE,
    STOCK_RATE,
    ZERO_COUNT,
    Metric,
)
from zhian.pipeline.values.text import compact


@dataclass(frozen=True)
class Target:
    op: str
    value: Decimal


class TargetError(ValueError):
    """The target text cannot be understood for this metric (message in Chinese)."""


_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")
_DOWN = ("下降", "减少", "降低", "压降", "下滑")
_UP = ("上升", "增长", "提高", "增加", "提升")


def _number(text: str) -> Decimal | None:
    match = _NUMBER.search(text)
    if not match:
        return None
    try:
        return Decimal(match.group(1))
    except InvalidOperation:
        return None


def _comparison(text: str) -> str | None:
    """An explicit comparison word or sign in the text, normalised."""
    for sign, op in (("<=", "<="), (">=", ">="), ("=<", "<="), ("=>", ">=")):
        if sign in text:
            return op
    for words, op in (
        (("不少于", "不低于", "以上", "至少", "达到", "达"), ">="),
        (("不超过", "不高于", "以下", "至多", "最多"), "<="),
    ):
        if any(w in text for w in words):
            return op
    if "<" in text:
        return "<"
    if ">" in text:
        return ">"
    if "=" in text:
        return "="
    return None


def parse_target(raw: str | None, metric: Metric) -> Target:
    text = compact(raw)
    if text is None:
        raise TargetError("目标为空")
    text = text.replace("≥", ">=").replace("≤", "<=").replace("＝", "=").replace("﹤", "<")
    if metric.kind in (ZERO_COUNT, LEDGER_COUNT):
        return _zero_count_target(text)
    value = _number(text)
    if value is None and metric.kind == LEDGER_RATE and any(w in text for w in ("达标", "全部", "全覆盖", "销号")):
        return Target("=" if "全部" in text or "达标" in text else ">=", Decimal(100))  # 五有达标, 全部销号
    if value is None:
        raise TargetError(f"目标“{raw}”中没有数值")
    if metric.kind == COUNT_CHANGE:
        down = any(w in text for w in _DOWN)
        up = any(w in text for w in _UP)
        if down == up:
            raise TargetError(f"同比目标“{raw}”应写明下降或上升，如“下降20%”")
        if "%" not in text:
            raise TargetError(f"同比目标“{raw}”应为百分比，如“下降20%”")
        explicit = _comparison(text.replace("达到", "").replace("达", ""))
        if down:
            # 下降N% / 下降≥N% / 下降不少于N%: change ≤ -N; 下降不超过N%: change ≥ -N
            op = ">=" if explicit == "<=" else "<="
            return Target(op, -value)
        op = "<=" if explicit == "<=" else ">="
        return Target(op, value)
    if metric.kind in (RATE, STOCK_RATE, LEDGER_RATE):
        if any(w in text for w in _DOWN + _UP):
            raise TargetError(f"比率目标“{raw}”不应写下降/上升，应为如“≥70%”或“达70%”")
        if "%" not in text and value > 1:
            raise TargetError(f"比率目标“{raw}”应为百分比，如“70%”")
        if "%" not in text:
            value = value * 100  # 0.7 → 70 %
        if value > 100:
            raise TargetError(f"比率目标“{raw}”超过100%")
        op = _comparison(text) or ">="  # a bare "70%" or "覆盖率100%" means at least
        return Target(op, value)
    raise TargetError(f"未知的指标类型：{metric.kind}")


def _zero_count_target(text: str) -> Target:
    for word in PLEDGES:
        text = text.removeprefix(word)
    if text in ("不发生", "零发生", "无", "0", "0起", "0件", "为0", "=0", "零"):
        return Target("=", Decimal(0))
    if text.startswith("不发生") or text.startswith("杜绝"):
        return Target("=", Decimal(0))
    value = _number(text)
    if value is None or "%" in text:
        raise TargetError(f"“不发生”类目标“{text}”应为“不发生”、“=0”或“≤N”")
    op = _comparison(text) or "="
    if op not in ("=", "<=", "<"):
        raise TargetError(f"“不发生”类目标“{text}”只能要求不超过某个数")
    return Target(op, value)


def split_compounds(raw: str | None) -> list[str]:
    """`全部` or a list separated by 、，, ; ；(spaces inside names are kept out)."""
    text = compact(raw)
    if text is None:
        return []
    return [part for part in re.split(r"[、，,;；/]+", text) if part]
