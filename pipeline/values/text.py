"""Text normalisation shared by every source: cells, headers, codes.

Real exports carry full-width digits (１２３), full-width letters and punctuation (（）：),
full-width spaces, zero-width characters, line breaks inside cells and `代码-名称` values.
Everything here is a pure function of one string, and `clean_frame`, which does exactly what
`clean` does over the columns of a sheet (property-tested against it). Full-width forms
(U+FF01..U+FF5E) and the ideographic space map to their ASCII counterparts — the part of
NFKC that police exports need; a full NFKC pass was measured 3× slower over a 200,000-row
sheet and changes nothing else seen in exports.
"""

from __future__ import annotations

import re

import polars as pl

# zero-width space/joiners, word joiner, BOM, soft hyphen
ZERO_WIDTH = "\u200b\u200c\u200d\u200e\u200f\u2060\ufeff\u00ad"
# full-width ASCII forms → ASCII, ideographic space → space, zero-width → nothing
WIDTH_MAP = {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "} | dict.fromkeys(ZERO_WIDTH, "")
_TRANSLATION = str.maketrans(WIDTH_MAP)
_SPACES_RE = re.compile(r"\s+")
# Python's \s also matches the separators U+001C..U+001F; Rust's (polars) does not
_SPACES_RUST = r"[\s\x1c-\x1f]+"

# `0202-已立案`, `440100-广州市公安局`, `01 行政`: a code of digits/letters then a name.
_CODE_NAME_RE = re.compile(r"^([A-Za-z]?\d{2,12})\s*[-－—_:：\s]\s*(\S.*)$")


def clean(value: object) -> str | None:
    """One cell as text: full-width forms → ASCII, no zero-width characters, inner
    whitespace and line breaks collapsed to one space, trimmed. Empty → None."""
    if value is None:
        return None
    text = str(value).translate(_TRANSLATION)
    text = _SPACES_RE.sub(" ", text).strip()
    return text or None


def compact(value: str | None) -> str | None:
    """Cleaned text with every space removed (addresses, ids, vocabulary words)."""
    text = clean(value)
    return text.replace(" ", "") if text else None


def header_key(value: object) -> str | None:
    """A header cell as compared with the alias tables: cleaned, spaces and line breaks
    removed, a trailing `*` (required-field marker) or `：` removed, brackets unified."""
    text = clean(value)
    if text is None:
        return None
    text = text.replace(" ", "")
    text = text.rstrip("*:").lstrip("*")
    text = text.replace("（", "(").replace("）", ")")
    return text or None


def header_label(value: object) -> str | None:
    """A header cell as messages show it: cleaned, and a line break typed to wrap the cell
    (`老旧小\n区名称`) removed with the spaces around it — one header, as the user reads it."""
    if value is None:
        return None
    return clean(re.sub(r"[ \t\u3000]*[\r\n]+[ \t\u3000]*", "", str(value)))


def split_code_name(value: str | None) -> tuple[str | None, str | None]:
    """`0202-已立案` → ('0202', '已立案'); a plain name → (None, name); a bare code → (code, None)."""
    if value is None:
        return None, None
    match = _CODE_NAME_RE.match(value)
    if match:
        return match.group(1), match.group(2).strip()
    if re.fullmatch(r"[A-Za-z]*\d+", value):
        return value, None
    return None, value


_NEEDS_WIDTH = "[" + "".join(WIDTH_MAP) + "]"
# a run of whitespace, or whitespace other than a plain space (with Python's \s, U+001C–1F too)
_NEEDS_SPACES = r"[\s\x1c-\x1f]{2}|[\x1c-\x1f]|[^\S ]"


def clean_frame(frame: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """`clean` over many columns of a frame, skipping the passes a column does not need (one
    cheap scan per column decides): measured 2× faster on a 200,000-row sheet than every
    pass on every column."""
    if not columns:
        return frame
    flags = frame.select(
        *[pl.col(c).str.contains(_NEEDS_WIDTH).any().alias(f"w{i}") for i, c in enumerate(columns)],
        *[pl.col(c).str.contains(_NEEDS_SPACES).any().alias(f"s{i}") for i, c in enumerate(columns)],
    ).row(0, named=True)
    expressions = []
    for i, column in enumerate(columns):
        expr = pl.col(column)
        if flags[f"w{i}"]:
            expr = expr.str.replace_many(list(WIDTH_MAP), list(WIDTH_MAP.values()))
        if flags[f"s{i}"] or flags[f"w{i}"]:
            expr = expr.str.replace_all(_SPACES_RUST, " ")
        expr = expr.str.strip_chars()
        expressions.append(pl.when(expr.str.len_bytes() > 0).then(expr).otherwise(None).alias(column))
    return frame.with_columns(expressions)
