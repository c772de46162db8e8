"""What the emulator records and how tests steer it: usage errors, uploads, violations, REST
requests and injected REST faults."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .models import Attachment
from .validation import Problem

__all__ = [
    "CommandNotVisible",
    "EmulatorUsageError",
    "NoShardSession",
    "RestFault",
    "RestRequest",
    "Upload",
    "Violation",
]


class EmulatorUsageError(Exception):
    """A test asked the emulator for something a Discord user could not do (e.g. click nothing)."""


class NoShardSession(EmulatorUsageError):
    """No live gateway session owns the shard of the guild an interaction happens in, so
    Discord has no connection to deliver it on (the member would see it fail)."""


class CommandNotVisible(EmulatorUsageError):
    """The user lacks the command's ``default_member_permissions``; Discord would hide it."""


@dataclass(frozen=True)
class Upload:
    """A file a user attaches to a slash command option (type 11)."""

    filename: str
    data: bytes
    content_type: str | None = None


@dataclass(frozen=True)
class Violation:
    """Something the bot sent that Discord would reject, or a rule it broke (3 s deadline...)."""

    kind: str
    route: str
    detail: str
    problems: tuple[Problem, ...] = ()

    def __str__(self) -> str:
        lines = [f"[{self.kind}] {self.route}: {self.detail}"]
        lines.extend(f"    {p}" for p in self.problems)
        return "\n".join(lines)


@dataclass
class RestRequest:
    """A REST request as received (before fault injection), for assertions on retries etc."""

    method: str
    path: str
    query: Mapping[str, str]
    json: Any
    files: list[Attachment]
    status: int = 0


@dataclass
class RestFault:
    """An injected failure: the next ``count`` matching requests get ``status`` after ``delay``.

    ``status`` below 400 means "answer normally, but only after ``delay`` seconds".
    ``answer_delay`` holds the answer back after the request took effect: a client that dies
    or times out meanwhile never learns that it worked (the case a message ``nonce`` is for).
    ``path_pattern`` is a regular expression matched (``re.fullmatch``) against the path after
    the API prefix, e.g. ``r"/channels/\\d+/messages"``.
    """

    method: str | None
    path_pattern: str
    status: int
    count: int = 1
    retry_after: float = 0.05
    delay: float = 0.0
    answer_delay: float = 0.0
    hits: int = 0
    _regex: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._regex = re.compile(self.path_pattern)

    @property
    def exhausted(self) -> bool:
        return self.hits >= self.count

    def matches(self, method: str, path: str) -> bool:
        if self.exhausted:
            return False
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return self._regex.fullmatch(path) is not None
