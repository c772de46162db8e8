"""The emulator's bookkeeping: its attributes, addresses, clock, waiting on state changes,
recorded requests, injected faults, violations and command lookup.

:class:`EmulatorCore` declares every attribute :class:`~.server.DiscordEmulator` sets in its
``__init__``, so the mixins layered on it (``state``, ``invoke``) are type-checked alone.
"""

# Waiting helpers take a ``timeout`` on purpose: tests read better with ``timeout=`` than
# wrapped in ``asyncio.timeout`` blocks.
# ruff: noqa: ASYNC109

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from aiohttp import web

from .gateway import Gateway, GatewayRecord
from .interactions import InteractionHandle
from .models import Application, Attachment, Channel, Guild, HasId, Message, SnowflakeFactory, User
from .records import EmulatorUsageError, RestFault, RestRequest, Violation
from .uploads import UploadLimits
from .validation import Problem

__all__ = ["JSON", "EmulatorCore", "IdLike"]

JSON = dict[str, Any]
IdLike = int | str | HasId


class EmulatorCore:
    """Attributes, clock, waiting, faults and violations (see the module docstring)."""

    token: str
    host: str
    port: int
    interaction_deadline: float
    recommended_shards: int
    interaction_token_lifetime: float
    snowflake: SnowflakeFactory
    bot_user: User
    application: Application
    users: dict[int, User]
    guilds: dict[int, Guild]
    channels: dict[int, Channel]
    commands: dict[int | None, dict[int, JSON]]
    violations: list[Violation]
    requests: list[RestRequest]
    faults: list[RestFault]
    attachments: dict[int, Attachment]
    upload_limits: UploadLimits
    interactions: dict[int, InteractionHandle]
    nonce_window: float
    gateway: Gateway
    _clock: Callable[[], float] | None
    _clock_offset: float
    _messages: dict[int, list[Message]]
    _message_index: dict[int, Message]
    _interactions_by_token: dict[str, InteractionHandle]
    _nonces: dict[str, tuple[float, int]]
    _waiters: list[tuple[Callable[[], bool], asyncio.Future[None]]]
    _check_pending: bool
    _runner: web.AppRunner | None
    _base_url: str

    @property
    def base_url(self) -> str:
        if not self._base_url:
            raise RuntimeError("the emulator is not started")
        return self._base_url

    @property
    def api_url(self) -> str:
        """REST base including the version, for ``discord.http.Route.BASE``."""
        return f"{self.base_url}/api/v10"

    @property
    def gateway_url(self) -> str:
        return f"ws://{self.host}:{self.port}/gateway"

    @property
    def resume_gateway_url(self) -> str:
        """Sent in READY; distinct from :attr:`gateway_url` so tests can tell resumes apart."""
        return f"ws://{self.host}:{self.port}/gateway/resume"

    # time

    def now(self) -> float:
        """The emulator's clock in seconds: ``clock()`` if one was given, else the event loop's,
        plus whatever :meth:`advance_clock` added. Deadlines and token lifetimes use it."""
        base = self._clock() if self._clock is not None else asyncio.get_running_loop().time()
        return base + self._clock_offset

    def advance_clock(self, seconds: float) -> None:
        """Let ``seconds`` pass for the emulator at once (e.g. past the 15-minute token life)."""
        self._clock_offset += seconds
        self.notify()

    # waiting

    def notify(self) -> None:
        """Re-check what :meth:`wait_until` waits for; called on every state change.

        The predicates are checked once the change in progress is complete (the next turn
        of the loop), once for any number of changes meanwhile, and only the waiters whose
        predicate holds are woken: with 50 members waiting, waking every one of them to
        re-check (a task each) on every change made the emulator, not the bot, the busiest
        process of bench_load."""
        if self._waiters and not self._check_pending:
            self._check_pending = True
            self._waiters[0][1].get_loop().call_soon_threadsafe(self._check_waiters)

    def _check_waiters(self) -> None:
        self._check_pending = False
        waiting = []
        for predicate, waiter in self._waiters:
            if waiter.done():
                continue
            try:
                if predicate():
                    waiter.set_result(None)
                    continue
            except Exception as exc:  # the waiter gets it, as if it had checked itself
                waiter.set_exception(exc)
                continue
            waiting.append((predicate, waiter))
        self._waiters = waiting

    async def wait_until(
        self, predicate: Callable[[], bool], timeout: float = 5.0, *, what: str = "a condition"
    ) -> None:
        """Wait until ``predicate()`` is true, re-checking after every emulator state change."""
        if predicate():
            return
        waiter: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.append((predicate, waiter))
        try:
            async with asyncio.timeout(timeout):
                await waiter
        except TimeoutError:
            if not predicate():
                raise TimeoutError(f"timed out after {timeout}s waiting for {what}") from None
        finally:
            waiter.cancel()

    # faults and violations

    def inject_rest_fault(
        self,
        method: str | None,
        path_pattern: str,
        status: int,
        *,
        count: int = 1,
        retry_after: float = 0.05,
        delay: float = 0,
        answer_delay: float = 0,
    ) -> RestFault:
        """Make the next ``count`` matching REST requests fail (see :class:`RestFault`)."""
        fault = RestFault(method, path_pattern, status, count, retry_after, delay, answer_delay)
        self.faults.append(fault)
        return fault

    def _record_request(
        self, method: str, path: str, query: Mapping[str, str], body: Any, files: list[Attachment]
    ) -> RestRequest:
        record = RestRequest(method, path, query, body, files)
        self.requests.append(record)
        return record

    def requests_to(self, method: str, path_pattern: str) -> list[RestRequest]:
        """Recorded requests whose path fully matches the regular expression ``path_pattern``."""
        regex = re.compile(path_pattern)
        return [r for r in self.requests if r.method == method.upper() and regex.fullmatch(r.path)]

    def take_fault(self, method: str, path: str) -> RestFault | None:
        for fault in self.faults:
            if fault.matches(method, path):
                fault.hits += 1
                return fault
        return None

    async def disconnect(
        self, resume: bool = True, *, via: Literal["close", "reconnect"] = "close"
    ) -> None:
        """Force a gateway drop.

        ``resume=True`` keeps the session: ``via="close"`` closes the socket with 4000,
        ``via="reconnect"`` sends op 7. Either way the client resumes and gets the missed events.
        ``resume=False`` sends op 9 (invalid session, not resumable): the client re-identifies.
        Returns once the old socket is closed; the client reconnects on its own.
        """
        dropped = self.gateway.force_disconnect(resume=resume, via=via)
        if not dropped:
            raise EmulatorUsageError("no connected gateway session to disconnect")
        await self.wait_until(
            lambda: all(c.closed for c in dropped), 5.0, what="the dropped socket to close"
        )

    def record_violation(
        self, kind: str, route: str, detail: str, problems: Sequence[Problem] = ()
    ) -> Violation:
        violation = Violation(kind, route, detail, tuple(problems))
        self.violations.append(violation)
        self.notify()
        return violation

    def take_violations(self) -> list[Violation]:
        """Return and clear recorded violations (for tests that provoke them on purpose)."""
        taken, self.violations = self.violations, []
        return taken

    @property
    def gateway_log(self) -> list[GatewayRecord]:
        return self.gateway.log

    # commands

    def find_command(self, name: str, guild_id: int | None, kind: int = 1) -> JSON | None:
        """The registered command a user in ``guild_id`` would invoke: guild scope wins."""
        scopes: list[int | None] = [guild_id, None] if guild_id is not None else [None]
        for scope in scopes:
            for command in self.commands.get(scope, {}).values():
                if command["name"] == name and command.get("type", 1) == kind:
                    return command
        return None
