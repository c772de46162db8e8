"""Exceptions that carry a message meant for the member who caused them (no discord import)."""

from __future__ import annotations


class UserError(Exception):
    """A mistake the member can fix: shown to them, ephemerally, as written; never logged as a bug."""


class NotAllowed(UserError):
    """The member may not do this; the message says why."""
