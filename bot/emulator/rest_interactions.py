"""REST routes for interactions: the initial callback (within the 3-second deadline, once)
and the webhook follow-ups, edits and deletes (within the token's 15-minute life)."""

from __future__ import annotations

from aiohttp import web

from .interactions import Callback, InteractionHandle, InteractionType, ResponseType
from .models import Message, MessageFlag
from .rest_base import (
    INVALID_WEBHOOK_TOKEN,
    JSON,
    SETTABLE_FLAGS,
    DiscordHTTPError,
    RestBase,
    json_response,
    unknown,
)
from .validation import (
    Problem,
    validate_autocomplete,
    validate_followup,
    validate_message,
    validate_modal,
)

__all__ = ["InteractionRoutes"]


class InteractionRoutes(RestBase):
    """``/interactions/{id}/{token}/callback`` and ``/webhooks/{app_id}/{token}...``."""

    # interactions

    async def interaction_callback(self, request: web.Request) -> web.Response:
        emu = self.emu
        route = f"POST {request.path}"
        handle = emu.interactions.get(int(request.match_info["interaction_id"]))
        if handle is None or handle.token != request.match_info["token"]:
            raise unknown("interaction", 10062)
        elapsed = handle.elapsed()
        if handle.acknowledged:
            emu.record_violation(
                "interaction_already_acknowledged", route, f"interaction {handle.id} answered twice"
            )
            raise DiscordHTTPError(400, 40060, "Interaction has already been acknowledged.")
        if elapsed > emu.interaction_deadline:
            emu.record_violation(
                "slow_interaction_response",
                route,
                f"first response after {elapsed:.2f}s (limit {emu.interaction_deadline:.1f}s)",
            )
            raise unknown("interaction", 10062)
        body = self._json_object(request)
        raw_type = body.get("type")
        kind = raw_type if isinstance(raw_type, int) and not isinstance(raw_type, bool) else 0
        raw_data = body.get("data")
        if kind not in (ResponseType.AUTOCOMPLETE_RESULT, ResponseType.MODAL):
            # The message-like responses; types 8 and 9 check their ``data`` themselves.
            if raw_data is not None and not isinstance(raw_data, dict):
                problem = Problem(
                    ("data",), "DICT_TYPE_CONVERT", "Only dictionaries may be used in a DictType"
                )
                self._invalid(request, [problem])
            self._invalid(request, validate_message(raw_data or {}, require_body=False))
        data: JSON = dict(raw_data) if isinstance(raw_data, dict) else {}
        uploads = len(self._body(request).files)
        allowed = {
            InteractionType.APPLICATION_COMMAND: {4, 5, 9},
            InteractionType.MESSAGE_COMPONENT: {4, 5, 6, 7, 9},
            InteractionType.AUTOCOMPLETE: {8},
            InteractionType.MODAL_SUBMIT: {4, 5, 6, 7},
        }.get(handle.type, set())
        if kind not in allowed:
            problem = Problem(
                ("type",), "INTERACTION_RESPONSE_TYPE_INVALID", f"type {kind} not allowed"
            )
            self._invalid(request, [problem])
        if kind in (6, 7) and handle.source_message_id is None:
            problem = Problem(
                ("type",), "INTERACTION_RESPONSE_TYPE_INVALID", "no message to update"
            )
            self._invalid(request, [problem])

        resource: JSON = {"type": kind}
        message: Message | None = None
        if kind == ResponseType.CHANNEL_MESSAGE:
            self._invalid(request, validate_message(data, uploads=uploads))
            flags = int(data.get("flags") or 0) & (SETTABLE_FLAGS | MessageFlag.EPHEMERAL)
            message = self._interaction_message(request, data, handle, flags)
            emu.store_message(message)
            handle.original_message_id = message.id
        elif kind == ResponseType.DEFERRED_CHANNEL_MESSAGE:
            flags = MessageFlag.LOADING | (int(data.get("flags") or 0) & MessageFlag.EPHEMERAL)
            message = self._interaction_message(request, {}, handle, int(flags))
            emu.store_message(message)
            handle.original_message_id = message.id
            handle.first_followup_replaces_original = True
        elif kind in (ResponseType.DEFERRED_UPDATE_MESSAGE, ResponseType.UPDATE_MESSAGE):
            assert handle.source_message_id is not None
            handle.original_message_id = handle.source_message_id
            message = emu.get_message(handle.source_message_id)
            if message is None or message.deleted:
                raise unknown("Message", 10008)
            if kind == ResponseType.UPDATE_MESSAGE:
                self._invalid(request, validate_message(data, require_body=False, uploads=uploads))
                self._apply_edit(request, message, data)
                emu.message_updated(message)
        elif kind == ResponseType.AUTOCOMPLETE_RESULT:
            self._invalid(request, validate_autocomplete(raw_data))
        elif kind == ResponseType.MODAL:
            self._invalid(request, validate_modal(raw_data))

        handle.callbacks.append(Callback(kind, data, elapsed))
        if kind == ResponseType.AUTOCOMPLETE_RESULT:
            handle.choices_sent = list(data.get("choices") or [])
        if kind == ResponseType.MODAL:
            handle.modal = data
        emu.notify()

        interaction: JSON = {"id": str(handle.id), "type": handle.type}
        if message is not None:
            resource["message"] = message.to_payload()
            interaction["response_message_id"] = str(message.id)
            interaction["response_message_loading"] = message.loading
            interaction["response_message_ephemeral"] = message.ephemeral
        if request.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        return json_response({"interaction": interaction, "resource": resource})

    def _interaction_message(
        self, request: web.Request, data: JSON, handle: InteractionHandle, flags: int
    ) -> Message:
        """A message the interaction's webhook posts in the channel it came from."""
        return self._new_message(
            request,
            data,
            channel_id=handle.channel_id,
            guild_id=handle.guild_id,
            flags=flags,
            webhook=True,
            interaction=handle,
        )

    def _webhook_interaction(self, request: web.Request) -> InteractionHandle:
        if request.match_info["app_id"] != str(self.emu.application.id):
            raise unknown("Webhook", 10015)
        handle = self.emu.interaction_by_token(request.match_info["token"])
        if handle is None or not handle.acknowledged:
            raise unknown("Webhook", 10015)
        elapsed = handle.elapsed()
        if elapsed > self.emu.interaction_token_lifetime:
            self.emu.record_violation(
                "expired_interaction_token",
                f"{request.method} {request.path}",
                f"interaction token used {elapsed:.0f}s after the interaction "
                f"(valid for {self.emu.interaction_token_lifetime:.0f}s)",
            )
            raise INVALID_WEBHOOK_TOKEN
        return handle

    def _webhook_message(self, request: web.Request, handle: InteractionHandle) -> Message:
        ref = request.match_info["message_id"]
        message_id = handle.original_message_id if ref == "@original" else int(ref)
        allowed = {handle.original_message_id, *handle.followup_ids}
        message = None if message_id is None else self.emu.get_message(message_id)
        if message is None or message.deleted or message_id not in allowed:
            raise unknown("Message", 10008)
        return message

    async def webhook_execute(self, request: web.Request) -> web.Response:
        """A follow-up. After a deferred response (type 5) the first one replaces the
        "thinking…" message instead of creating a new one, and inherits its ephemerality."""
        handle = self._webhook_interaction(request)
        data = self._json_object(request)
        self._invalid(request, validate_followup(data, uploads=len(self._body(request).files)))
        original = handle.original
        if handle.first_followup_replaces_original and original is not None and original.loading:
            handle.first_followup_replaces_original = False
            self._apply_edit(request, original, data)
            handle.followup_ids.append(original.id)
            self.emu.message_updated(original)
            message = original
        else:
            flags = int(data.get("flags") or 0) & (SETTABLE_FLAGS | MessageFlag.EPHEMERAL)
            message = self._interaction_message(request, data, handle, flags)
            handle.followup_ids.append(message.id)
            self.emu.store_message(message)
        if request.query.get("wait") not in ("1", "true", "True"):
            return web.Response(status=204)
        return json_response(message.to_payload())

    async def webhook_get(self, request: web.Request) -> web.Response:
        handle = self._webhook_interaction(request)
        return json_response(self._webhook_message(request, handle).to_payload())

    async def webhook_edit(self, request: web.Request) -> web.Response:
        handle = self._webhook_interaction(request)
        message = self._webhook_message(request, handle)
        data = self._json_object(request)
        uploads = len(self._body(request).files)
        self._invalid(request, validate_message(data, require_body=False, uploads=uploads))
        if message.id == handle.original_message_id:
            handle.first_followup_replaces_original = False
        self._apply_edit(request, message, data)
        self.emu.message_updated(message)
        return json_response(message.to_payload())

    async def webhook_delete(self, request: web.Request) -> web.Response:
        handle = self._webhook_interaction(request)
        message = self._webhook_message(request, handle)
        self.emu.message_deleted(message)
        return web.Response(status=204)
