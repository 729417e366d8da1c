"""Masking personal data for every output: dashboards, reports, the terminal, logs.

    张三 → 张*        13812341234 → 138****1234        110101199003071234 → 110101********1234
    E12345678 → E1*****78 (passports and other document numbers)

`mask_text` finds phone and ID numbers inside free text (a rejection reason that quotes a
cell, a summary) and masks them; names cannot be found in free text, so fields that hold
names are masked with `mask_name` by whoever writes them.
"""

from __future__ import annotations

import functools
import re

_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{8})(\d{3}[0-9Xx])(?![0-9A-Za-z])")
_OLD_ID = re.compile(r"(?<![0-9A-Za-z])(\d{6})(\d{6})(\d{3})(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)(\d{4})(\d{4})(?!\d)")
_LANDLINE = re.compile(r"(?<!\d)(0\d{2,3}-?)(\d{3,4})(\d{4})(?!\d)")


def mask_name(name: str | None) -> str | None:
    """Keep the surname: 张三 → 张*, 欧阳修 → 欧**, Smith → S****."""
    if not name:
        return name
    name = name.strip()
    return name[0] + "*" * (len(name) - 1) if len(name) > 1 else "*"


def mask_phone(phone: str | None) -> str | None:
    if not phone:
        return phone
    digits = re.sub(r"\D", "", phone)
    if len(digits) >= 7:
        return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
    return "*" * len(digits)


def mask_id(number: str | None) -> str | None:
    """Resident ID numbers keep 6 + 4 characters; other document numbers 2 + 2."""
    if not number:
        return number
    value = number.strip()
    if len(value) >= 15:
        return value[:6] + "*" * (len(value) - 10) + value[-4:]
    if len(value) > 4:
        return value[:2] + "*" * (len(value) - 4) + value[-2:]
    return "*" * len(value)


def mask_text(text: str | None) -> str | None:
    """Mask every resident ID, old 15-digit ID and phone number found in a text."""
    if not text:
        return text
    text = _RESIDENT_ID.sub(lambda m: m.group(1) + "*" * 8 + m.group(3)[-4:], text)
    text = _OLD_ID.sub(lambda m: m.group(1) + "*" * 5 + m.group(2)[-1] + m.group(3), text)
    text = _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(3), text)
    return _LANDLINE.sub(lambda m: m.group(1) + "*" * len(m.group(2)) + m.group(3), text)


# columns that hold personal data, per table: how each is masked
PERSONAL_COLUMNS = {
    "caller_name": mask_name,
    "name": mask_name,
    "person_name": mask_name,
    "caller_phone": mask_phone,
    "phone": mask_phone,
    "person_id": mask_id,
    "doc_id": mask_id,
}


# --- rejected values: a value in the wrong column must not leak -------------------------------
#
# A rejected cell is shown (masked outputs: the report's 数据质量, the terminal) so that the
# analyst can fix the export. A row shifted by one column puts a name into a date or a
# vocabulary column, where it is rejected — and quoted. So the value of *any* column is shown
# only when it has the column's expected shape or holds no letter at all (=1+1); otherwise it
# is masked like a name (first character kept). Expected shapes, by the column's type:
#   dates and times   digits and date words (2022-13-45, 2022年8月, 下午2:20, an Excel serial)
#   numbers           digits, signs, separators, units (1,200元, 35%)
#   yes/no            是 否 有 无 Y N 1 0 √ × …
#   codes and IDs     letters and digits (J2022…, A5001…)
#   vocabularies      a word of the field's kind: anything but the shape of a personal name
#                     (2–3 Chinese characters after a common surname, 3–4 after a compound one)
#   free text         (addresses, summaries) as it is: names cannot be told from text there
# and in every column, ID and phone numbers found in the text are masked (mask_text).

COMMON_SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔"
    "向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕"
    "单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚"
    "娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池"
    "查麻苑迟邝"
)
COMPOUND_SURNAMES = {
    "欧阳", "司马", "上官", "诸葛", "皇甫", "东方", "令狐", "慕容", "尉迟", "长孙", "宇文", "司徒", "夏侯",
    "轩辕", "端木", "公孙", "西门", "南宫", "独孤", "百里", "呼延", "万俟", "闻人", "澹台", "申屠", "太史",
}  # fmt: skip
_HAN = re.compile(r"^[\u4e00-\u9fff]+$")
_WORDY = re.compile(r"[A-Za-z\u4e00-\u9fff]")
SHAPES = {
    "date": re.compile(r"^[\d\s:：/\\\-+.,年月日号时点分秒TZ上下午晚早凌晨中]+$"),
    "number": re.compile(r"^[\d\s.,，+\-%‰元万亿千百个件起人户]+$"),
    "boolean": re.compile(
        r"^(是|否|有|无|未|已|真|假|对|错|Y|N|y|n|yes|no|Yes|No|YES|NO|true|false|TRUE|FALSE|1|0|√|×|✓|✗)$"
    ),
    "code": re.compile(r"^[0-9A-Za-z\-_./]+$"),
}
FREE_TEXT_FIELDS = {
    "address", "household_address", "compound_hint", "summary", "handling", "result", "remark", "compound_name",
    "community", "street", "unit", "bureau", "aliases", "plan_period", "campaign", "compounds", "metric_raw",
    "target_raw", "target_note", "compound_group",
}  # fmt: skip
CODE_FIELDS = {"alert_id", "case_id", "decision_id", "decision_key", "cause_code", "nature_code"}


def looks_like_a_name(value: str) -> bool:
    """The shape of a Chinese personal name: 张伟, 李秀英, 欧阳修, 皇甫壬己."""
    text = value.strip().replace("·", "")
    if not _HAN.match(text):
        return False
    if text[:2] in COMPOUND_SURNAMES:
        return 3 <= len(text) <= 4
    return text[0] in COMMON_SURNAMES and 2 <= len(text) <= 3


def field_shape(field: str | None, column_type: str | None) -> str:
    """The shape a field's values have: date, number, boolean, code, text or vocabulary."""
    if field in FREE_TEXT_FIELDS:
        return "text"
    if field in CODE_FIELDS:
        return "code"
    if column_type in ("date", "timestamp"):
        return "date"
    if column_type and (column_type.startswith(("decimal", "double", "bigint", "integer", "float"))):
        return "number"
    if column_type == "boolean":
        return "boolean"
    return "vocabulary"


def mask_rejected(field: str | None, column_type: str | None, value: str | None) -> str | None:
    """A rejected cell's value as a masked output shows it: personal fields masked by their
    kind; any other value raw only when it has the field's expected shape, else masked like a
    name; ID and phone numbers in it masked in every case."""
    if not value:
        return value
    if field in PERSONAL_COLUMNS:
        return PERSONAL_COLUMNS[field](value)
    shape = field_shape(field, column_type)
    text = value.strip()
    if shape == "text":
        return mask_text(value)
    if shape == "vocabulary":
        return mask_name(text) if looks_like_a_name(text) else mask_text(value)
    if SHAPES[shape].match(text) or not _WORDY.search(text):
        return mask_text(value)  # its shape, or no letter to name anyone (=1+1): numbers masked
    return mask_name(text)


_QUOTED = re.compile(r"“([^”]*)”")


def mask_quoted(reason: str | None, value: str | None, masked: str | None, mask=None) -> str | None:
    """A reason that quotes the rejected value quotes the masked value instead; with `mask`
    (a function of one quoted text, None for a header), every other quoted cell is masked by it
    too — a reason may quote the raw cell of a field derived from it."""
    if not reason:
        return reason
    if value and masked != value:
        reason = reason.replace(value.strip(), masked or "")
    if mask is not None:
        reason = _QUOTED.sub(lambda m: f"“{mask(m.group(1)) or m.group(1)}”", reason)
    return mask_text(reason)


@functools.lru_cache(maxsize=65536)
def masked_rejection(kind: str | None, column_name: str | None, value: str | None, reason: str | None):
    """A rejected cell's value and reason as masked outputs show them (`mask_rejected`: a value
    without its column's expected shape — a name shifted into a date column — is masked, and
    so is the reason that quotes it). `column_name` is the header as the file spells it."""
    from zhian.pipeline.sources import rejected_field

    field, column_type = rejected_field(kind, column_name)
    masked = mask_rejected(field, column_type, value)

    def quoted(text: str) -> str | None:
        if rejected_field(kind, text)[0] is not None:
            return None  # a header the reason names
        return mask_rejected(field, column_type, text)

    return masked, mask_quoted(reason, value, masked, quoted)
