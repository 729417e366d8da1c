"""Masking personal data for every output: dashboards, reports, the terminal, logs.

    张三 → 张*        13812341234 → 138****1234        110101199003071234 → 110101********1234
    E12345678 → E1*****78 (passports and other document numbers)

`mask_text` finds phone and ID numbers inside free text (a rejection reason that quotes a
cell, a summary) and masks them; names cannot be found in free text, so fields that hold
names are masked with `mask_name` by whoever writes them.
"""

from __future__ import annotations

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
