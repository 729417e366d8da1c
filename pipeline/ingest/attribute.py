"""Attributing a record to at most one compound of the registry (data contract rules).

1. a 所属小区 value that names a registry compound or one of its aliases;
2. else the address: normalised (half-width, no spaces, annex spellings unified, remarks in
   brackets and landmark suffixes such as 旁/门口/对面 stripped, everything before the road
   dropped), reduced to road + house number (+ annex), looked up among the registry's
   addresses — ranges such as 455号-457号 cover every number in between;
3. else a registry compound name or alias contained in the address as a whole name — not
   the tail of a longer name (二小区 is not in 十二小区, 第二小区 or 和二小区; 桂园 is not in
   丹桂园) and not the head of a road (桂园路); two-character names and aliases count;
4. else unattributed, with the reason.

A wrong attribution is worse than none: there is no fuzzy matching. An address whose
number can be read two ways (`457-2` = annex 2, or building 2 of 457) is attributed only
if every reading names the same compound; an address masked with `*` never matches; a
name found in an address is used only if it is the only compound named there.
Registry addresses go through the same parser as record addresses, so the two agree.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from zhian.pipeline.values.text import clean

ROAD_SUFFIXES = ("大道", "大街", "胡同", "路", "街", "巷", "弄", "里", "道")
ADMIN_TOKENS = (
    "特别行政区",
    "自治区",
    "自治州",
    "自治县",
    "省",
    "市",
    "区",
    "县",
    "旗",
    "街道",
    "镇",
    "乡",
    "社区",
    "居委会",
    "村委会",
    "村",
)
LANDMARK_SUFFIX = re.compile(r"(旁边|旁|门口|对面|附近|周边|路口|后面|前面|楼下|后门|侧门|边上|处)+$")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|【[^】]*】|〔[^〕]*〕")
_ANNEX_WORD = re.compile(r"号之(\d+)号?|号附(\d+)号?|附(\d+)号?")

# road (with its suffix) then the number part
_ROAD_NUMBER = re.compile(
    r"(?P<before>[\u4e00-\u9fffA-Za-z0-9]*?(?:" + "|".join(ROAD_SUFFIXES) + r"))"
    r"(?P<num>\d+)(?P<rest>.*)$"
)

NOT_IN_REGISTRY = "地址的门牌号不在小区名册中"
METHOD_HINT = "所属小区"
METHOD_ADDRESS = "地址"
METHOD_NAME = "地址中的小区名"


@dataclass(frozen=True)
class Doorplate:
    road: str
    number: int
    annex: int | None = None
    lane: bool = False  # Shanghai `茵芳路12弄`: a lane, not house number 12


@dataclass
class ParsedAddress:
    readings: list[list[Doorplate]] = field(default_factory=list)  # each reading: its doorplates
    problem: str | None = None  # why no reading could be made


_DIGITS = {"〇": 0, "零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CHINESE_ANNEX = re.compile(r"(附|之)([一二两三四五六七八九十〇零]+(?:[、,][一二两三四五六七八九十〇零]+)*)")


def chinese_number(text: str) -> int | None:
    """一 … 九十九 (十二, 二十, 二十三); None for anything else."""
    if not text:
        return None
    if "十" not in text:
        return _DIGITS.get(text) if len(text) == 1 else None
    tens, _, ones = text.partition("十")
    if len(tens) > 1 or len(ones) > 1:
        return None
    value = (_DIGITS.get(tens, -100) if tens else 1) * 10 + (_DIGITS.get(ones, -100) if ones else 0)
    return value if value > 0 else None


def _annex_digits(match: re.Match) -> str:
    parts = re.split(r"[、,]", match.group(2))
    numbers = [chinese_number(p) for p in parts]
    if any(n is None for n in numbers):
        return match.group(0)
    return match.group(1) + "、".join(str(n) for n in numbers)


def normalise_address(text: str | None) -> str | None:
    """Half-width, no spaces, bracketed remarks and landmark suffixes removed, annexes in
    Chinese numerals (附二号, 之三) written in digits."""
    value = clean(text)
    if value is None:
        return None
    value = value.replace(" ", "")
    value = _BRACKETS.sub("", value)
    value = LANDMARK_SUFFIX.sub("", value)
    if "附" in value or "之" in value:
        value = _CHINESE_ANNEX.sub(_annex_digits, value)
    return value or None


@lru_cache(maxsize=65536)
def _road_name(before: str) -> str:
    """Drop everything up to the last administrative unit before the road (`重庆市万州区沙河
    街道凤仙路` → `凤仙路`). A token counts only with at least two characters before it, so
    `市场路` keeps its 市."""
    suffix = next(s for s in ROAD_SUFFIXES if before.endswith(s))
    head = before[: -len(suffix)]
    cut = 0
    for token in ADMIN_TOKENS:
        start = 0
        while True:
            found = head.find(token, start)
            if found < 0:
                break
            end = found + len(token)
            if found >= 2 and end < len(head) + 1:
                cut = max(cut, end)
            start = found + 1
    road = head[cut:] + suffix
    return road


def _annexes(text: str) -> list[int]:
    return [int(n) for n in re.findall(r"\d+", text)]


@lru_cache(maxsize=1024)  # attribution reads an unattributed address twice (doorplate, suggestion)
def parse_address(text: str | None) -> ParsedAddress:
    """The doorplates an address can mean (registry and record addresses alike); the result
    is shared, not to be changed."""
    value = normalise_address(text)
    if value is None:
        return ParsedAddress(problem="地址为空")
    if "*" in value:
        return ParsedAddress(problem="地址已脱敏（含*），不能用于归属")
    match = _ROAD_NUMBER.search(value)
    if not match:
        return ParsedAddress(problem="地址中找不到“路/街/巷+门牌号”")
    road = _road_name(match.group("before"))
    number = int(match.group("num"))
    rest = match.group("rest")
    if rest.startswith("弄"):
        # `X路12弄3号501室`: the lane is the doorplate a compound owns
        return ParsedAddress(readings=[[Doorplate(road, number, lane=True)]])

    # `号附1、2、3号` / `附1号` / `号之1`: annexes of one number
    annex_match = re.match(r"^号?(?:附|之)(\d+(?:[、,]\d+)*)号?", rest)
    if annex_match:
        return ParsedAddress(readings=[[Doorplate(road, number, a) for a in _annexes(annex_match.group(1))]])
    # `455号-457号`, `206至208号`, `206号至208号`: a range
    range_match = re.match(r"^号[-－~至到](\d+)号?", rest) or re.match(r"^[~至到](\d+)号?", rest)
    if range_match:
        last = int(range_match.group(1))
        if last > number and last - number <= 200:
            return ParsedAddress(readings=[[Doorplate(road, n) for n in range(number, last + 1)]])
        return ParsedAddress(problem="门牌号范围无效")
    # `12-1号`: annex 1 of 12; `206-208号`, with a larger second number: a range
    hyphen_number = re.match(r"^[-－](\d+)号", rest)
    if hyphen_number:
        second = int(hyphen_number.group(1))
        if second <= number:
            return ParsedAddress(readings=[[Doorplate(road, number, second)]])
        if second - number <= 200:
            return ParsedAddress(readings=[[Doorplate(road, n) for n in range(number, second + 1)]])
        return ParsedAddress(problem="门牌号范围无效")
    # `457-2` with no 号: annex 2 of 457, or building/room 2 of 457
    hyphen_bare = re.match(r"^[-－](\d+)(?!\d)", rest)
    if hyphen_bare:
        annex = int(hyphen_bare.group(1))
        return ParsedAddress(readings=[[Doorplate(road, number, annex)], [Doorplate(road, number)]])
    # `443号`, `443号3栋2单元`, `443` at the end
    return ParsedAddress(readings=[[Doorplate(road, number)]])


NAME_MIN = 2  # shortest compound name or alias looked for inside an address (桂园, 茵芳)
# what may come right before a whole name inside an address: the start, a character that is
# not a Chinese one (digit, letter, bracket, space), or the end of a doorplate or of an
# administrative, road or place name (…号, …路, …街道, …社区, …村, …坝, …桥). Anything else
# (十, 第, 和, 丹) makes the name the tail of a longer one. Connectives (与, 及, 至, 在 …) are
# boundaries too; 和 is not: it begins many names (和谐, 和祥, 和福).
NAME_BOUNDARY_BEFORE = frozenset("号路街道巷弄里区市县镇乡村州省会楼栋幢坝湾桥坪坡岭港站场口与及或至到在近往从向")
# a name followed by a road suffix is a road's name (桂园路 is not 桂园)
_ROAD_AFTER = ("大道", "大街", "胡同", "路", "街", "巷", "弄")


def _is_cjk(character: str) -> bool:
    return "\u4e00" <= character <= "\u9fff"


def whole_name_at(value: str, start: int, end: int) -> bool:
    """The name at value[start:end] is a whole name, not part of a longer one (see rule 3)."""
    if start > 0:
        before = value[start - 1]
        if _is_cjk(before) and before not in NAME_BOUNDARY_BEFORE:
            return False
    return not value.startswith(_ROAD_AFTER, end)


@dataclass
class Attribution:
    compound: str | None
    method: str | None
    note: str | None
    # an unattributed address's doorplate (road + number), and the compound the registry
    # suggests for it: a hint for the analyst who keeps the 小区名册, never an attribution
    doorplate: str | None = None
    suggestion: str | None = None


@dataclass
class Registry:
    """The lookups attribution needs, built from the `compounds` and `compound_addresses`
    tables."""

    names: dict[str, str]  # compound name or alias (compact) → compound name
    doorplates: dict[Doorplate, set[str]]
    # names by their first two characters: finding every name inside an address looks up
    # each position of the address instead of searching it for every name (3,000
    # compounds: 60 s → under 1 s for a bureau's addresses)
    by_prefix: dict[str, list[tuple[str, str]]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.by_prefix:
            for key, name in self.names.items():
                if len(key) >= NAME_MIN:
                    self.by_prefix.setdefault(key[:NAME_MIN], []).append((key, name))

    @classmethod
    def build(cls, compounds: list[tuple[str, str | None]], addresses: list[tuple[str, str]]) -> Registry:
        names: dict[str, str] = {}
        for name, aliases in compounds:
            for key in [name, *re.split(r"[、，,;；/]+", aliases or "")]:
                key = (clean(key) or "").replace(" ", "")
                if key:
                    names[key] = name
        doorplates: dict[Doorplate, set[str]] = {}
        for name, address in addresses:
            parsed = parse_address(address)
            for reading in parsed.readings[:1]:
                for plate in reading:
                    doorplates.setdefault(plate, set()).add(name)
        return cls(names, doorplates)

    def by_hint(self, hint: str | None) -> str | None:
        key = (clean(hint) or "").replace(" ", "")
        return self.names.get(key) if key else None

    def by_address(self, address: str | None) -> tuple[str | None, str | None]:
        parsed = parse_address(address)
        if parsed.problem:
            return None, parsed.problem
        outcomes = set()
        for reading in parsed.readings:
            owners = set()
            for plate in reading:
                owners |= self.doorplates.get(plate, set())
            outcomes.add(frozenset(owners))
        if len(outcomes) > 1:
            if all(outcome for outcome in outcomes):
                return None, "门牌号有两种读法，分别属于不同小区，无法判断归属"
            if any(outcome for outcome in outcomes):
                return None, "门牌号有两种读法（如“457-2”可读作附2号或457号2栋），只有一种在小区名册中，无法判断归属"
            return None, NOT_IN_REGISTRY
        owners = next(iter(outcomes))
        if len(owners) == 1:
            return next(iter(owners)), None
        if len(owners) > 1:
            return None, "该门牌号在小区名册中属于多个小区"
        return None, NOT_IN_REGISTRY

    def by_name_in(self, address: str | None) -> tuple[str | None, str | None]:
        value = normalise_address(address)
        if not value or "*" in value:
            return None, None
        found: list[tuple[int, int, str]] = []
        # every occurrence of every name, kept when it is a whole name there
        for start in range(len(value) - NAME_MIN + 1):
            for key, name in self.by_prefix.get(value[start : start + NAME_MIN], ()):
                if value.startswith(key, start) and whole_name_at(value, start, start + len(key)):
                    found.append((start, start + len(key), name))
        # a name inside a longer found name (二小区 in 和谐二小区) does not count on its own
        kept = [
            f for f in found if not any(o[0] <= f[0] and f[1] <= o[1] and (o[1] - o[0]) > (f[1] - f[0]) for o in found)
        ]
        compounds = {name for _, _, name in kept}
        if len(compounds) == 1:
            return compounds.pop(), None
        if len(compounds) > 1:
            return None, "地址中出现了多个小区名，无法判断归属"
        return None, None

    def suggest(self, address: str | None) -> tuple[str | None, str | None]:
        """For an address in no compound: its doorplate (`凤仙路461号`), and the compound
        owning the nearest registered numbers on both sides of it on the same road (459 and
        463 both 花园小区 → 花园小区), if one compound owns both."""
        parsed = parse_address(address)
        if parsed.problem or len(parsed.readings) != 1 or len(parsed.readings[0]) != 1:
            return None, None
        plate = parsed.readings[0][0]
        shown = f"{plate.road}{plate.number}{'弄' if plate.lane else '号'}"
        numbers, owners = self._road_numbers.get((plate.road, plate.lane), ([], []))
        below = bisect.bisect_left(numbers, plate.number)  # numbers[below - 1] < plate.number
        above = bisect.bisect_right(numbers, plate.number)  # numbers[above] > plate.number
        if below == 0 or above == len(numbers):
            return shown, None
        low, high = owners[below - 1], owners[above]
        return shown, (next(iter(low)) if len(low) == 1 and low == high else None)

    @cached_property
    def _road_numbers(self) -> dict[tuple[str, bool], tuple[list[int], list[frozenset[str]]]]:
        """Per road (and lane or not): its registered numbers in order, and their owners."""
        owners: dict[tuple[str, bool, int], set[str]] = {}
        for plate, names in self.doorplates.items():
            owners.setdefault((plate.road, plate.lane, plate.number), set()).update(names)
        roads: dict[tuple[str, bool], tuple[list[int], list[frozenset[str]]]] = {}
        for (road, lane, number), names in sorted(owners.items()):
            numbers, owned = roads.setdefault((road, lane), ([], []))
            numbers.append(number)
            owned.append(frozenset(names))
        return roads

    def attribute(self, hint: str | None, address: str | None) -> Attribution:
        compound = self.by_hint(hint)
        if compound:
            return Attribution(compound, METHOD_HINT, None)
        compound, problem = self.by_address(address)
        if compound:
            return Attribution(compound, METHOD_ADDRESS, None)
        by_name, name_problem = self.by_name_in(address)
        if by_name:
            return Attribution(by_name, METHOD_NAME, None)
        note = name_problem or problem
        if hint and clean(hint):
            note = (
                f"所属小区“{clean(hint)}”不在小区名册中；{note}" if note else f"所属小区“{clean(hint)}”不在小区名册中"
            )
        doorplate, suggestion = self.suggest(address) if problem == NOT_IN_REGISTRY else (None, None)
        return Attribution(None, None, note, doorplate, suggestion)
