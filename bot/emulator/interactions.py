"""Interactions the emulator sends to the bot, and handles for tests to await the bot's answers."""

# Waiting helpers take a ``timeout`` on purpose: tests read better with ``timeout=`` than
# wrapped in ``asyncio.timeout`` blocks.
# ruff: noqa: ASYNC109

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .models import Message

if TYPE_CHECKING:
    from .state import EmulatorState

__all__ = ["Callback", "InteractionHandle", "InteractionType", "ResponseType"]

JSON = dict[str, Any]


class InteractionType:
    PING = 1
    APPLICATION_COMMAND = 2
    MESSAGE_COMPONENT = 3
    AUTOCOMPLETE = 4
    MODAL_SUBMIT = 5


class ResponseType:
    PONG = 1
    CHANNEL_MESSAGE = 4
    DEFERRED_CHANNEL_MESSAGE = 5
    DEFERRED_UPDATE_MESSAGE = 6
    UPDATE_MESSAGE = 7
    AUTOCOMPLETE_RESULT = 8
    MODAL = 9


@dataclass(frozen=True)
class Callback:
    """One ``POST /interactions/{id}/{token}/callback`` the bot made."""

    type: int
    data: JSON
    seconds: float
    """Time from dispatching the interaction to receiving this callback."""

    @property
    def ephemeral(self) -> bool:
        return bool(int(self.data.get("flags") or 0) & 64)


@dataclass
class InteractionHandle:
    """An interaction sent to the bot: await what it answered.

    ``original`` always reflects the current state of the original response message (after
    edits), or ``None`` if there is none (yet) or it was deleted.
    """

    emulator: EmulatorState = field(repr=False)  # its messages, clock and waiting
    id: int
    token: str
    type: int
    guild_id: int | None
    channel_id: int
    user_id: int
    payload: JSON = field(repr=False)
    dispatched_at: float
    source_message_id: int | None = None
    callbacks: list[Callback] = field(default_factory=list)
    original_message_id: int | None = None
    followup_ids: list[int] = field(default_factory=list)
    modal: JSON | None = None
    choices_sent: list[JSON] | None = None
    first_followup_replaces_original: bool = False

    @property
    def acknowledged(self) -> bool:
        return bool(self.callbacks)

    @property
    def response_type(self) -> int | None:
        return self.callbacks[0].type if self.callbacks else None

    @property
    def first_response_seconds(self) -> float | None:
        """Seconds from dispatch to the first callback; ``None`` if the bot has not answered."""
        return self.callbacks[0].seconds if self.callbacks else None

    @property
    def original(self) -> Message | None:
        if self.original_message_id is None:
            return None
        message = self.emulator.get_message(self.original_message_id)
        return None if message is None or message.deleted else message

    async def response(self, timeout: float = 5.0) -> Callback:
        """The first callback (waits for it)."""
        await self.emulator.wait_until(
            lambda: bool(self.callbacks), timeout, what=f"a response to interaction {self.id}"
        )
        return self.callbacks[0]

    async def followups(self, n: int = 1, timeout: float = 5.0) -> list[Message]:
        """The first ``n`` follow-up messages, in their current state (waits for them)."""
        await self.emulator.wait_until(
            lambda: len(self.followup_ids) >= n, timeout, what=f"{n} follow-up(s) to {self.id}"
        )
        found = (self.emulator.get_message(i) for i in self.followup_ids[:n])
        return [m for m in found if m is not None]

    async def wait_original(
        self, predicate: Callable[[Message], bool] | None = None, timeout: float = 5.0
    ) -> Message:
        """Wait until the original response exists, is not "thinking…", and matches ``predicate``."""

        def ready() -> bool:
            message = self.original
            if message is None or message.loading:
                return False
            return predicate is None or predicate(message)

        await self.emulator.wait_until(ready, timeout, what=f"the original response of {self.id}")
        message = self.original
        assert message is not None
        return message

    async def choices(self, timeout: float = 5.0) -> list[JSON]:
        """The autocomplete choices the bot answered with."""
        await self.emulator.wait_until(
            lambda: self.choices_sent is not None, timeout, what=f"autocomplete for {self.id}"
        )
        assert self.choices_sent is not None
        return self.choices_sent

    async def wait_modal(self, timeout: float = 5.0) -> JSON:
        """The modal the bot opened in response (callback type 9)."""
        await self.emulator.wait_until(
            lambda: self.modal is not None, timeout, what=f"a modal from {self.id}"
        )
        assert self.modal is not None
        return self.modal

    def elapsed(self) -> float:
        """Seconds since the interaction was sent, on the emulator's clock."""
        return self.emulator.now() - self.dispatched_at
