"""Checks payloads the bot sends against Discord's documented limits.

Each checker returns a list of :class:`Problem`; an empty list means Discord would accept it.
Malformed input of any shape is a problem, never an exception. The emulator turns problems into
a ``400 Invalid Form Body`` (code 50035) shaped like Discord's, and records them as violations
so a test fails even if the bot swallowed the error.

By concern: :mod:`.commands` (application commands), :mod:`.messages` (message bodies,
follow-ups, autocomplete, modals), :mod:`.components`, :mod:`.embeds`; :mod:`.common` holds the
shared type and length checks.
"""

from .commands import (
    COMMANDS_PER_TYPE_MAX,
    validate_application_command,
    validate_application_commands,
)
from .common import Problem, errors_object, valid_name
from .messages import validate_autocomplete, validate_followup, validate_message, validate_modal

__all__ = [
    "COMMANDS_PER_TYPE_MAX",
    "Problem",
    "errors_object",
    "valid_name",
    "validate_application_command",
    "validate_application_commands",
    "validate_autocomplete",
    "validate_followup",
    "validate_message",
    "validate_modal",
]
