"""What every checker shares: :class:`Problem`, Discord's ``errors`` object, and type checks.

The checkers never trust the shape of what they are given: a list where an object belongs, a
string where a number belongs, is a :class:`Problem` (as Discord answers it with a 400), never
an exception. Error codes and messages follow the ones Discord returns in ``errors``
(``DICT_TYPE_CONVERT``, ``LIST_TYPE_CONVERT``, ``NUMBER_TYPE_COERCE``, ``BASE_TYPE_*``...).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["JSON", "Path", "Problem", "Problems", "errors_object", "valid_name"]

JSON = dict[str, Any]
Path = tuple[str | int, ...]

NAME_MAX = 32

# https://discord.com/developers/docs/reference#locales (keys of *_localizations dictionaries)
LOCALES = frozenset(
    "id da de en-GB en-US es-ES es-419 fr hr it lt hu nl no pl pt-BR ro fi sv-SE vi tr cs el "
    "bg ru uk hi th zh-CN ja zh-TW ko".split()
)

# \p{sc=Deva} and \p{sc=Thai} of Discord's name pattern, by block: Devanagari, Devanagari
# Extended, Thai. Python's ``re`` has no \p{...}; unassigned code points (category Cn) are out.
_SCRIPT_RANGES = ((0x0900, 0x097F), (0xA8E0, 0xA8FF), (0x0E00, 0x0E7F))


@dataclass(frozen=True)
class Problem:
    """One rejected field: where (a JSON path), Discord's error code, and a readable message."""

    path: Path
    code: str
    message: str

    def __str__(self) -> str:
        where = ".".join(str(p) for p in self.path) or "<root>"
        return f"{where}: {self.message}"


def errors_object(problems: Iterable[Problem]) -> JSON:
    """Nest problems the way Discord's ``errors`` object does (``{"embeds": {"0": {...}}}``)."""
    root: JSON = {}
    for problem in problems:
        node = root
        for part in problem.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": problem.code, "message": problem.message})
    return root


def _name_char(ch: str) -> bool:
    if ch in "-_'":
        return True
    category = unicodedata.category(ch)
    if category[0] in "LN":
        return True
    code = ord(ch)
    return category != "Cn" and any(low <= code <= high for low, high in _SCRIPT_RANGES)


def valid_name(name: Any, *, chat_input: bool) -> bool:
    """Discord's command and option naming rule.

    ``CHAT_INPUT`` command and option names match ``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]
    {1,32}$`` and use the lowercase variant of any letter that has one; ``USER`` and ``MESSAGE``
    commands may be mixed case and contain spaces (docs: application-commands#naming).
    """
    if not isinstance(name, str) or not 1 <= len(name) <= NAME_MAX:
        return False
    if not chat_input:
        return True
    return all(_name_char(ch) and ch.lower() == ch for ch in name)


def is_int(value: Any) -> bool:
    """A JSON integer (``true``/``false`` are not integers to Discord)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_snowflake(value: Any) -> bool:
    """A non-negative integer, or its decimal digits as a string (how ids and bit sets travel)."""
    if is_int(value):
        return bool(value >= 0)
    return isinstance(value, str) and value.isascii() and value.isdigit() and len(value) <= 20


class Problems(list[Problem]):
    """The problems found so far, with the checks that append to it."""

    def add(self, path: Path, code: str, message: str) -> None:
        self.append(Problem(path, code, message))

    def required(self, path: Path) -> None:
        self.add(path, "BASE_TYPE_REQUIRED", "This field is required")

    # shapes

    def obj(self, path: Path, value: Any, *, required: bool = False) -> Mapping[str, Any] | None:
        """``value`` if it is an object; ``None`` (and a problem unless absent) otherwise."""
        if isinstance(value, Mapping):
            return value
        if value is None:
            if required:
                self.required(path)
            return None
        self.add(path, "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType")
        return None

    def array(self, path: Path, value: Any, *, required: bool = False) -> list[Any]:
        """``value`` if it is a list; ``[]`` (and a problem unless absent) otherwise."""
        if isinstance(value, list):
            return value
        if value is None:
            if required:
                self.required(path)
            return []
        self.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
        return []

    def objects(
        self, path: Path, value: Any, *, required: bool = False
    ) -> list[tuple[Path, Mapping[str, Any]]]:
        """The elements of a list of objects, each with its path; bad elements are problems."""
        found: list[tuple[Path, Mapping[str, Any]]] = []
        for index, item in enumerate(self.array(path, value, required=required)):
            checked = self.obj((*path, index), item, required=True)
            if checked is not None:
                found.append(((*path, index), checked))
        return found

    def string(self, path: Path, value: Any) -> str | None:
        if value is None or isinstance(value, str):
            return value
        self.add(path, "BASE_TYPE_STRING", "Must be a string.")
        return None

    def boolean(self, path: Path, value: Any) -> None:
        if value is not None and not isinstance(value, bool):
            self.add(path, "BOOLEAN_TYPE_COERCE", f"Value {value!r} is not bool.")

    def integer(
        self, path: Path, value: Any, low: int | None = None, high: int | None = None
    ) -> int | None:
        """An integer within ``[low, high]``; ``None`` if absent or rejected."""
        if value is None:
            return None
        if not is_int(value):
            self.add(path, "NUMBER_TYPE_COERCE", f"Value {value!r} is not int.")
            return None
        if low is not None and value < low:
            self.add(
                path, "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {low}."
            )
            return None
        if high is not None and value > high:
            self.add(path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {high}.")
            return None
        return int(value)

    def snowflake(self, path: Path, value: Any, *, required: bool = False) -> None:
        if value is None:
            if required:
                self.required(path)
        elif not is_snowflake(value):
            self.add(path, "NUMBER_TYPE_COERCE", f"Value {value!r} is not snowflake.")

    def snowflakes(self, path: Path, value: Any, limit: int) -> None:
        items = self.array(path, value)
        self.too_many(path, items, limit)
        for index, item in enumerate(items):
            self.snowflake((*path, index), item, required=True)

    def choice(self, path: Path, value: Any, allowed: Iterable[Any]) -> None:
        options = tuple(allowed)
        if not any(value == o and type(value) is type(o) for o in options):
            self.add(path, "BASE_TYPE_CHOICES", f"Value must be one of {options}.")

    def enum_set(self, path: Path, value: Any, allowed: Iterable[int]) -> None:
        """A ``?list`` of distinct, known values that is not empty when given."""
        if value is None:
            return
        items = self.array(path, value)
        if isinstance(value, list) and not items:
            self.add(path, "BASE_TYPE_MIN_LENGTH", "Must be 1 or more in length.")
        seen: list[Any] = []
        for index, item in enumerate(items):
            self.choice((*path, index), item, allowed)
            if item in seen:
                self.add(
                    (*path, index),
                    "SET_TYPE_ALREADY_CONTAINS_VALUE",
                    "The set contains duplicates.",
                )
            seen.append(item)

    # lengths

    def max_length(self, path: Path, value: Any, limit: int, *, trim: bool = False) -> None:
        text = self.string(path, value)
        if text is not None and len(text.strip() if trim else text) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def length_between(
        self,
        path: Path,
        value: Any,
        low: int,
        high: int,
        *,
        required: bool = True,
        trim: bool = False,
    ) -> None:
        if value is None:
            if required:
                self.required(path)
            return
        text = self.string(path, value)
        if text is None:
            return
        if not low <= len(text.strip() if trim else text) <= high:
            self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def too_many(self, path: Path, items: list[Any], limit: int) -> None:
        if len(items) > limit:
            self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def localizations(self, path: Path, value: Any, check: Any) -> dict[str, str]:
        """A ``?dictionary`` of locale to text; ``check(path, text)`` validates each text."""
        table = self.obj(path, value)
        if table is None:
            return {}
        texts: dict[str, str] = {}
        for locale, text in table.items():
            if locale not in LOCALES:
                self.add((*path, str(locale)), "LOCALE_INVALID", f"Invalid locale {locale!r}.")
                continue
            check((*path, locale), text)
            if isinstance(text, str):
                texts[locale] = text
        return texts
