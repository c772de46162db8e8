"""Exceptions that carry a message meant for the member who caused them (no discord import)."""

from __future__ import annotations

from dataclasses import dataclass


class UserError(Exception):
    """A mistake the member can fix: shown to them, ephemerally, as written; never logged as a bug."""


class NotAllowed(UserError):
    """The member may not do this; the message says why."""


@dataclass(frozen=True, slots=True)
class SourceError:
    """A problem in an input file, reported as `path:line: message` (line when known)."""

    path: str
    line: int | None
    message: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.message}"
            if self.line
            else f"{self.path}: {self.message}"
        )
