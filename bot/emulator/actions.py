"""What a member does in the emulated client: a slash command, typing into an autocomplete
option, a click on a button or select, a modal submitted. Each is sent to the bot as an
interaction over the gateway and returned as an :class:`InteractionHandle` to wait on."""

# Waiting helpers take a ``timeout`` on purpose: tests read better with ``timeout=`` than
# wrapped in ``asyncio.timeout`` blocks.
# ruff: noqa: ASYNC109

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from .interactions import InteractionHandle, InteractionType
from .invoke import JSON, IdLike, InteractionBuilder
from .models import Message
from .records import EmulatorUsageError, NoShardSession

__all__ = ["MemberActions"]


class MemberActions(InteractionBuilder):
    """``slash``, ``autocomplete``, ``click``, ``forged_click`` and ``submit_modal``."""

    def _send_interaction(
        self, payload: JSON, *, source_message_id: int | None = None
    ) -> InteractionHandle:
        session = self.gateway.session_for(int(payload["guild_id"]))
        if session is None:
            raise NoShardSession(self.gateway.unserved(int(payload["guild_id"])))
        handle = InteractionHandle(
            emulator=self,
            id=int(payload["id"]),
            token=payload["token"],
            type=payload["type"],
            guild_id=int(payload["guild_id"]),
            channel_id=int(payload["channel_id"]),
            user_id=int(payload["member"]["user"]["id"]),
            payload=payload,
            dispatched_at=self.now(),
            source_message_id=source_message_id,
        )
        self.interactions[handle.id] = handle
        self._interactions_by_token[handle.token] = handle
        self.gateway.send_interaction(session, payload)
        self.notify()
        return handle

    def interaction_by_token(self, token: str) -> InteractionHandle | None:
        return self._interactions_by_token.get(token)

    async def slash(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        guild: IdLike | None = None,
        channel: IdLike | None = None,
        user: IdLike | None = None,
        subcommand: str | Sequence[str] | None = None,
        permissions: int | None = None,
    ) -> InteractionHandle:
        """Invoke ``/name`` as ``user`` (default: the guild owner) in ``channel``.

        ``name`` may include the subcommand path (``"quote add"``). Option types come from the
        registered command when it was synced, otherwise they are inferred from the Python
        values (pass emulator models for users/channels/roles and :class:`Upload` for files).
        ``permissions`` overrides the invoking member's computed permission bits.
        """
        found_guild, found_channel, found_user = self._resolve_place(guild, channel, user)
        perms = (
            found_guild.channel_permissions(found_user.id, found_channel)
            if permissions is None
            else permissions
        )
        data = self._command_data(name, options, subcommand, found_guild, found_user, perms)
        payload = self._interaction_base(
            InteractionType.APPLICATION_COMMAND,
            data,
            guild=found_guild,
            channel=found_channel,
            user=found_user,
            permissions=permissions,
        )
        return self._send_interaction(payload)

    async def autocomplete(
        self,
        name: str,
        options: Mapping[str, Any] | None = None,
        *,
        focused: str,
        guild: IdLike | None = None,
        channel: IdLike | None = None,
        user: IdLike | None = None,
        subcommand: str | Sequence[str] | None = None,
        timeout: float = 5.0,
    ) -> list[JSON]:
        """Type into option ``focused`` of ``/name``; returns the choices the bot answered with."""
        values = dict(options or {})
        values.setdefault(focused, "")
        found_guild, found_channel, found_user = self._resolve_place(guild, channel, user)
        perms = found_guild.channel_permissions(found_user.id, found_channel)
        data = self._command_data(
            name, values, subcommand, found_guild, found_user, perms, focused=focused
        )
        payload = self._interaction_base(
            InteractionType.AUTOCOMPLETE,
            data,
            guild=found_guild,
            channel=found_channel,
            user=found_user,
            permissions=None,
        )
        handle = self._send_interaction(payload)
        return await handle.choices(timeout)

    async def click(
        self,
        message: Message | int,
        custom_id: str | None = None,
        *,
        label: str | None = None,
        user: IdLike | None = None,
        values: Sequence[str] | None = None,
    ) -> InteractionHandle:
        """Click a button (or pick ``values`` in a select) on ``message``, found by id or label."""
        found = message if isinstance(message, Message) else self.get_message(message)
        if found is None or found.deleted:
            raise EmulatorUsageError(f"message {message!r} does not exist")
        found = self.get_message(found.id) or found
        component = found.find_component(custom_id, label=label)
        if component is None:
            raise EmulatorUsageError(
                f"no component custom_id={custom_id!r} label={label!r} on message {found.id}; "
                f"has {[c.get('custom_id') or c.get('label') for c in found.walk_components()]}"
            )
        if component.get("disabled"):
            raise EmulatorUsageError(f"component {component.get('custom_id')!r} is disabled")
        if component.get("type") == 2 and component.get("custom_id") is None:
            raise EmulatorUsageError("link and premium buttons do not create interactions")
        data: JSON = {"custom_id": component["custom_id"], "component_type": component["type"]}
        if values is not None or component["type"] != 2:
            data["values"] = list(values or [])
        guild_obj, channel_obj, user_obj = self._resolve_place(None, found.channel_id, user)
        payload = self._interaction_base(
            InteractionType.MESSAGE_COMPONENT,
            data,
            guild=guild_obj,
            channel=channel_obj,
            user=user_obj,
            permissions=None,
        )
        payload["message"] = found.to_payload()
        return self._send_interaction(payload, source_message_id=found.id)

    def forged_click(
        self, message: Message, custom_id: str, *, user: IdLike | None = None
    ) -> InteractionHandle:
        """A button press carrying any custom_id, as a modified client could send one.

        discord.py (like Discord) ignores a custom_id that is not on the message, so the id
        is put on a copy of the message too: what is tested is the bot's own checks.
        """
        guild_obj, channel_obj, user_obj = self._resolve_place(None, message.channel_id, user)
        payload = self._interaction_base(
            InteractionType.MESSAGE_COMPONENT,
            {"custom_id": custom_id, "component_type": 2},
            guild=guild_obj,
            channel=channel_obj,
            user=user_obj,
            permissions=None,
        )
        forged = message.to_payload()
        button = {"type": 2, "style": 3, "label": "Forged", "custom_id": custom_id}
        forged["components"] = [{"type": 1, "components": [button]}]
        payload["message"] = forged
        return self._send_interaction(payload, source_message_id=message.id)

    async def submit_modal(
        self,
        opened_by: InteractionHandle,
        values: Mapping[str, str],
        *,
        user: IdLike | None = None,
        timeout: float = 5.0,
    ) -> InteractionHandle:
        """Fill in and submit the modal the bot opened in response to ``opened_by``."""
        modal = await opened_by.wait_modal(timeout)
        remaining = dict(values)

        def answer(component: JSON) -> JSON | None:
            kind = component.get("type")
            if kind == 1:
                children = [answer(c) for c in component.get("components") or []]
                return {"type": 1, "components": [c for c in children if c is not None]}
            if kind == 18:
                inner = answer(component["component"])
                return None if inner is None else {"type": 18, "component": inner}
            custom_id = component.get("custom_id")
            if custom_id is None:
                return None
            value = remaining.pop(custom_id, component.get("value") or "")
            if kind == 4:
                if component.get("required", True) and not value:
                    raise EmulatorUsageError(f"text input {custom_id!r} is required")
                low, high = component.get("min_length") or 0, component.get("max_length") or 4000
                if value and not low <= len(value) <= high:
                    raise EmulatorUsageError(f"{custom_id!r} must be {low}..{high} characters")
                return {"type": 4, "custom_id": custom_id, "value": value}
            return {"type": kind, "custom_id": custom_id, "values": list(value)}

        components = [c for c in (answer(c) for c in modal.get("components") or []) if c]
        if remaining:
            raise EmulatorUsageError(
                f"modal {modal.get('custom_id')!r} has no inputs {sorted(remaining)}"
            )
        data = {"custom_id": modal["custom_id"], "components": components}
        guild_obj, channel_obj, user_obj = self._resolve_place(
            opened_by.guild_id, opened_by.channel_id, opened_by.user_id if user is None else user
        )
        payload = self._interaction_base(
            InteractionType.MODAL_SUBMIT,
            data,
            guild=guild_obj,
            channel=channel_obj,
            user=user_obj,
            permissions=None,
        )
        source = opened_by.source_message_id
        if source is not None and (message := self.get_message(source)) is not None:
            payload["message"] = message.to_payload()
        return self._send_interaction(payload, source_message_id=source)
