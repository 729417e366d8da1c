"""Value vocabularies of the data contract: each function maps one cleaned value to the
canonical word, or returns None when it does not know the value (the caller rejects the
row and quotes the value). Functions are applied to the distinct values of a column and
joined back, so their cost does not grow with the number of rows.
"""

from __future__ import annotations

import re

from zhian.pipeline.values.text import compact, split_code_name

# --- 警情性质 (nature of a 110 call) -------------------------------------------------------

NATURES = ("报警", "求助", "投诉", "举报", "咨询", "无效", "其他")

_NATURE_WORDS = {
    "报警": "报警",
    "报警类": "报警",
    "报警类警情": "报警",
    "求助": "求助",
    "求助类": "求助",
    "求助类警情": "求助",
    "群众求助": "求助",
    "群众紧急求助": "求助",
    "投诉": "投诉",
    "投诉类": "投诉",
    "投诉监督": "投诉",
    "投诉类警情": "投诉",
    "举报": "举报",
    "举报类": "举报",
    "举报类警情": "举报",
    "咨询": "咨询",
    "咨询类": "咨询",
    "警务咨询": "咨询",
    "咨询类警情": "咨询",
    "无效": "无效",
    "无效类": "无效",
    "无效警情": "无效",
    "无效报警": "无效",
    "骚扰": "无效",
    "骚扰电话": "无效",
    "误拨": "无效",
    "打错电话": "无效",
    "取消报警": "无效",
    "重复报警": "无效",
    "无声": "无效",
    "无声电话": "无效",
    "断线": "无效",
    "玩电话": "无效",
    "报警测试": "无效",
}


def nature_word(value: str | None) -> str | None:
    """`报警类` → 报警, `骚扰/误拨` → 无效; None when the value is not a nature word."""
    word = compact(value)
    if word is None:
        return None
    if word in _NATURE_WORDS:
        return _NATURE_WORDS[word]
    parts = re.split(r"[/、,，]", word)
    if len(parts) > 1:
        mapped = {_NATURE_WORDS.get(p) for p in parts}
        if len(mapped) == 1 and None not in mapped:
            return mapped.pop()
    return None


# --- 警情类别 (category) ------------------------------------------------------------------

CATEGORIES = ("刑事", "治安", "交通", "火灾", "纠纷", "灾害事故", "其他")
# Without a 警情性质 column, these categories imply 报警 (data contract).
CATEGORIES_IMPLYING_ALARM = frozenset({"刑事", "治安", "火灾", "交通"})

_CATEGORY_ALIASES = {
    "行政": "治安",
    "行政(治安)": "治安",
    "治安行政": "治安",
    "行政治安": "治安",
    "消防": "火灾",
    "火警": "火灾",
    "灾害": "灾害事故",
    "事故": "灾害事故",
    "其它": "其他",
}


def category_word(value: str | None) -> str | None:
    """`刑事警情`/`治安类`/`行政（治安）` → canonical category; None if unknown."""
    word = compact(value)
    if word is None:
        return None
    word = word.replace("（", "(").replace("）", ")")
    for suffix in ("类警情", "警情", "案件", "类"):
        if word.endswith(suffix) and len(word) > len(suffix):
            word = word[: -len(suffix)]
            break
    if word in CATEGORIES:
        return word
    return _CATEGORY_ALIASES.get(word)


# --- offences (警情类型 / 案件类别 / 案由) -----------------------------------------------------

# Precedence, first match wins. Documented in docs/data-contract-decisions.md:
# - telecom fraud before fraud (电信网络诈骗 is also counted as 诈骗 by the metrics);
# - fraud before gambling (设赌诈骗 is a fraud);
# - 殴打他人 before 故意伤害 ("殴打他人、故意伤害他人身体" counts as 殴打他人);
# - 寻衅滋事 before 故意损毁财物 ("强拿硬要或任意损毁…" stays 寻衅滋事).
_OFFENCE_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("电信网络诈骗", re.compile(r"电信网络诈骗|电信诈骗|网络诈骗|电诈|电网诈|电信网络.*诈")),
    ("诈骗", re.compile(r"诈骗|骗")),
    ("抢劫", re.compile(r"抢劫")),
    ("抢夺", re.compile(r"抢夺")),
    ("盗窃", re.compile(r"盗窃|偷|扒窃|盗")),
    ("寻衅滋事", re.compile(r"寻衅滋事")),
    ("赌博", re.compile(r"赌")),
    ("卖淫嫖娼", re.compile(r"卖淫|嫖娼|嫖宿|涉黄|淫秽|色情")),
    ("殴打他人", re.compile(r"殴打|打架斗殴|斗殴")),
    ("故意伤害", re.compile(r"故意伤害|伤害")),
    ("故意损毁财物", re.compile(r"(故意)?(损毁|毁坏|毁损)(公私)?财物")),
    ("火灾", re.compile(r"火灾|火警|失火|着火")),
    ("纠纷", re.compile(r"纠纷")),
)


# The usual telecom-fraud patterns (公安部's list, as anti-fraud clue systems name them): an
# alert whose category cell holds one of these is a criminal alert of telecom fraud.
TELECOM_FRAUD_PATTERNS = re.compile(
    r"刷单|返利|冒充.*(客服|公检法|政府|领导|熟人|军警|电商|物流|身份)|贷款|网贷|征信|校园贷|投资理财|理财|"
    r"网络游戏|游戏.*交易|婚恋|交友|杀猪盘|虚假购物|购物|注销|退款|裸聊|中奖|兼职"
)
# the category of an offence, when the category cell holds the offence itself
_OFFENCE_CATEGORY = {
    "电信网络诈骗": "刑事",
    "诈骗": "刑事",
    "抢劫": "刑事",
    "抢夺": "刑事",
    "盗窃": "刑事",
    "故意伤害": "刑事",
    "寻衅滋事": "治安",
    "赌博": "治安",
    "卖淫嫖娼": "治安",
    "殴打他人": "治安",
    "故意损毁财物": "治安",
    "火灾": "火灾",
    "纠纷": "纠纷",
}


def subtype_category(value: str | None) -> tuple[str, str] | None:
    """A category cell that holds a subtype (电信网络诈骗, 刷单返利类, 盗窃): (category,
    offence); None when the word is no known subtype."""
    word = compact(value)
    if word is None:
        return None
    offence = offence_of(word)
    if offence is None and TELECOM_FRAUD_PATTERNS.search(word):
        offence = "电信网络诈骗"
    if offence is None:
        return None
    return _OFFENCE_CATEGORY[offence], offence


def offence_of(value: str | None) -> str | None:
    """The target-relevant offence a subtype text belongs to (None: keep as given)."""
    word = compact(value)
    if word is None:
        return None
    for offence, pattern in _OFFENCE_RULES:
        if pattern.search(word):
            return offence
    return None


def is_economic_fraud(value: str | None, keywords: tuple[str, ...]) -> bool:
    """An economic-crime fraud (合同诈骗, 信用卡诈骗 …: the settings' `economic_frauds`),
    excluded from 诈骗案件破案率."""
    word = compact(value) or ""
    return any(k in word for k in keywords)


# --- case kind (案件类型 in a case export: 行政 / 刑事) --------------------------------------

_CASE_KINDS = {
    "刑事": "criminal",
    "02": "criminal",
    "2": "criminal",
    "刑事案件": "criminal",
    "行政": "public_order",
    "01": "public_order",
    "1": "public_order",
    "治安": "public_order",
    "行政案件": "public_order",
    "治安案件": "public_order",
    "行政(治安)": "public_order",
    "行政(治安)案件": "public_order",
}


def case_kind(value: str | None) -> str | None:
    word = compact(value)
    if word is None:
        return None
    word = word.replace("（", "(").replace("）", ")")
    if word in _CASE_KINDS:
        return _CASE_KINDS[word]
    code, name = split_code_name(word)
    for part in (name, code):
        if part and part in _CASE_KINDS:
            return _CASE_KINDS[part]
    return None


# --- 案件状态 ---------------------------------------------------------------------------

_CRIMINAL_STATUS = {
    "已立案": "filed",
    "立案": "filed",
    "侦查中": "filed",
    "已受案": "filed",
    "受案": "filed",
    "在侦": "filed",
    "已破案": "solved",
    "破案": "solved",
    "移送起诉": "solved",
    "已起诉": "solved",
    "已移送起诉": "solved",
    "已侦破": "solved",
    "侦破": "solved",
    "已撤案": "withdrawn",
    "撤案": "withdrawn",
    "已撤销": "withdrawn",
    "撤销": "withdrawn",
    "已合并": "merged",
    "合并": "merged",
    "并案": "merged",
    "已并案": "merged",
}
_PUBLIC_ORDER_STATUS = {
    "已受理": "accepted",
    "受理": "accepted",
    "办理中": "accepted",
    "已受案": "accepted",
    "受案": "accepted",
    "已立案": "accepted",
    "立案": "accepted",
    "调查中": "accepted",
    "已结案": "closed",
    "结案": "closed",
    "已处罚": "closed",
    "已调解": "closed",
    "调解": "closed",
    "已办结": "closed",
    "办结": "closed",
    "撤销": "withdrawn",
    "已撤销": "withdrawn",
    "不予受理": "withdrawn",
    "撤案": "withdrawn",
    "已撤案": "withdrawn",
    "已合并": "merged",
    "合并": "merged",
    "并案": "merged",
    "已并案": "merged",
}
# 4-digit status codes seen in real exports (code-tables.json: case_status_codes_seen)
_STATUS_CODES = {"0202": "已立案", "0108": "已处罚"}


def case_status(value: str | None, kind: str) -> str | None:
    """Status word or `代码-名称` → filed/solved/withdrawn/merged (criminal) or
    accepted/closed/withdrawn/merged (public order); None if unknown."""
    word = compact(value)
    if word is None:
        return None
    table = _CRIMINAL_STATUS if kind == "criminal" else _PUBLIC_ORDER_STATUS
    if word in table:
        return table[word]
    code, name = split_code_name(word)
    if name and name in table:
        return table[name]
    if code and code in _STATUS_CODES:
        return table.get(_STATUS_CODES[code])
    return None


def status_means_penalty(value: str | None) -> bool:
    """`已处罚` says a penalty was imposed (documented decision)."""
    word = compact(value) or ""
    _, name = split_code_name(word)
    return (name or word) == "已处罚" or word == "0108"


# --- penalties (处理结果 / 处罚种类) ----------------------------------------------------------

_PENALTY_WORDS = re.compile(r"拘留|治拘|罚款|警告|吊销|没收|责令|暂扣|收缴|限期出境|驱逐出境|停产停业|行政处罚")
_NOT_PENALTY = re.compile(r"不予|免予|免于|撤销|调解|不处罚|未处罚|无处罚")


def is_penalty(value: str | None) -> bool | None:
    """True when the text names a penalty, False when it names none (or a non-penalty such
    as 不予处罚/调解/撤销), None when empty."""
    word = compact(value)
    if word is None:
        return None
    if _NOT_PENALTY.search(word):
        return False
    return bool(_PENALTY_WORDS.search(word))


# --- booleans -----------------------------------------------------------------------------

# yes/no columns (是否重大, 是否既遂 …), lower-cased and without spaces (sources/common.py:
# boolean_expr); an unknown word is rejected by the `parsed` rule
_TRUE = {"是", "y", "yes", "1", "√", "✓", "✔", "true", "t", "既遂", "有", "对"}
_FALSE = {"否", "n", "no", "0", "×", "✗", "false", "f", "未遂", "无", "不是", "空"}
BOOLEAN_WORDS = {**dict.fromkeys(_TRUE, True), **dict.fromkeys(_FALSE, False)}


# --- residents ----------------------------------------------------------------------------

POPULATION_TYPES = ("户籍", "流动", "境外", "寄住", "未落户")
_POPULATION = {
    "户籍人口": "户籍",
    "户籍": "户籍",
    "常住": "户籍",
    "常口": "户籍",
    "常住人口": "户籍",
    "户籍人员": "户籍",
    "流动人口": "流动",
    "流动": "流动",
    "暂住": "流动",
    "暂住人口": "流动",
    "流口": "流动",
    "流动人员": "流动",
    "境外人员": "境外",
    "境外": "境外",
    "境外人口": "境外",
    "外国人": "境外",
    "寄住": "寄住",
    "寄口": "寄住",
    "寄住人口": "寄住",
    "寄住人员": "寄住",
    "未落户": "未落户",
    "未落户人员": "未落户",
    "未落户人口": "未落户",
}


def population_type(value: str | None) -> str | None:
    word = compact(value)
    if word is None:
        return None
    if word in _POPULATION:
        return _POPULATION[word]
    _, name = split_code_name(word)
    return _POPULATION.get(name or "")


# the type a resident sheet has when nothing says it (no column, nothing in its names), or
# when its names say it holds every type (syrk, 实有人口): it still counts for the
# registration and accuracy rates, which do not depend on the type
UNSTATED_TYPE = "未注明"
# per-type exports named by pinyin initials: czrk 常住, ldrk/zzrk 流动/暂住, jzrk 寄住, jwry 境外;
# syrk 实有人口 holds every type
_PINYIN = re.compile(r"(?<![a-z])(czrk|hjrk|ldrk|zzrk|jzrk|jwry|syrk)", re.IGNORECASE)
_PINYIN_TYPES = {"czrk": "户籍", "hjrk": "户籍", "ldrk": "流动", "zzrk": "流动", "jzrk": "寄住", "jwry": "境外"}


def population_type_from_name(name: str | None) -> str | None:
    """Per-type exports: 常住人口.xlsx, sheet 流动人口, ldrk_20220831.xlsx … (the longest
    matching word wins); `syrk` / 实有人口 (every type) → `UNSTATED_TYPE`."""
    word = compact(name) or ""
    for key in sorted(_POPULATION, key=len, reverse=True):
        if len(key) >= 2 and key in word:
            return _POPULATION[key]
    match = _PINYIN.search(word)
    if match:
        return _PINYIN_TYPES.get(match.group(1).lower(), UNSTATED_TYPE)
    return None


_VERIFICATION = {
    "准确": "准确",
    "正确": "准确",
    "是": "准确",
    "一致": "准确",
    "核查准确": "准确",
    "不准确": "不准确",
    "错误": "不准确",
    "否": "不准确",
    "不一致": "不准确",
    "核查不准确": "不准确",
    "未核查": "未核查",
    "待核查": "未核查",
    "未核实": "未核查",
}


def verification(value: str | None) -> str | None:
    """核查结果; empty means 未核查."""
    word = compact(value)
    if word is None:
        return "未核查"
    return _VERIFICATION.get(word)
