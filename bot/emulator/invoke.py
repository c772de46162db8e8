"""Building interaction payloads as Discord would: where a user acts, the command data with
its options resolved against the registered command, and the interaction envelope."""

from __future__ import annotations

import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from .models import Channel, Guild, Member, Permission, Role, User, snowflake_id
from .records import CommandNotVisible, EmulatorUsageError, Upload
from .state import JSON, EmulatorState, IdLike

__all__ = ["InteractionBuilder"]


class InteractionBuilder(EmulatorState):
    """Payload builders behind ``slash``, ``autocomplete``, ``click`` and ``submit_modal``."""

    def _interaction_base(
        self,
        kind: int,
        data: JSON | None,
        *,
        guild: Guild,
        channel: Channel,
        user: User,
        permissions: int | None,
    ) -> JSON:
        member = guild.members.get(user.id)
        if member is None:
            raise EmulatorUsageError(f"user {user.username!r} is not a member of {guild.name!r}")
        user_permissions = (
            guild.channel_permissions(user.id, channel) if permissions is None else permissions
        )
        payload: JSON = {
            "id": str(self.snowflake()),
            "application_id": str(self.application.id),
            "type": kind,
            "token": secrets.token_urlsafe(24),
            "version": 1,
            "guild_id": str(guild.id),
            "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
            "channel_id": str(channel.id),
            "channel": {**channel.to_payload(), "permissions": str(user_permissions)},
            "member": {**member.to_payload(), "permissions": str(int(user_permissions))},
            "app_permissions": str(guild.channel_permissions(self.bot_user.id, channel)),
            "locale": "en-US",
            "guild_locale": "en-US",
            "entitlements": [],
            "authorizing_integration_owners": {"0": str(guild.id)},
            "context": 0,
            "attachment_size_limit": self.upload_limits.per_file,
        }
        if data is not None:
            payload["data"] = data
        return payload

    def _resolve_place(
        self, guild: IdLike | None, channel: IdLike | None, user: IdLike | None
    ) -> tuple[Guild, Channel, User]:
        if channel is not None:
            found_channel = self.channel(channel)
            found_guild = self.guilds[found_channel.guild_id]
        else:
            found_guild = self.guild(guild)
            text = found_guild.text_channels()
            if not text:
                raise EmulatorUsageError(f"guild {found_guild.name!r} has no text channel")
            found_channel = text[0]
        found_user = self.users[found_guild.owner_id if user is None else snowflake_id(user)]
        return found_guild, found_channel, found_user

    def _command_data(
        self,
        name: str,
        options: Mapping[str, Any] | None,
        subcommand: str | Sequence[str] | None,
        guild: Guild,
        user: User,
        user_permissions: int,
        focused: str | None = None,
    ) -> JSON:
        parts = name.split()
        if isinstance(subcommand, str):
            parts.extend(subcommand.split())
        elif subcommand is not None:
            parts.extend(subcommand)
        root, path = parts[0], parts[1:]
        registered = self.find_command(root, guild.id)
        if registered is not None:
            required = registered.get("default_member_permissions")
            if (
                required is not None
                and not user_permissions & Permission.ADMINISTRATOR
                and int(required) & user_permissions != int(required)
            ):
                raise CommandNotVisible(
                    f"/{root} needs permissions {required}; {user.username} has {user_permissions}"
                )
        schema: list[JSON] = list((registered or {}).get("options") or [])
        for sub in path:
            if registered is None:
                break
            match = next((o for o in schema if o.get("name") == sub), None)
            if match is None:
                raise EmulatorUsageError(f"/{root} has no subcommand {sub!r}")
            schema = list(match.get("options") or [])
        resolved: JSON = {}
        leaf = self._build_options(dict(options or {}), schema, guild, resolved, focused)
        for depth, sub in reversed(list(enumerate(path))):
            kind = 1 if depth == len(path) - 1 else 2
            leaf = [{"name": sub, "type": kind, "options": leaf}]
        data: JSON = {
            "id": str(registered["id"]) if registered else str(self.snowflake()),
            "name": root,
            "type": 1,
            "options": leaf,
        }
        if registered is not None and registered.get("guild_id"):
            data["guild_id"] = registered["guild_id"]
        if resolved:
            data["resolved"] = resolved
        return data

    def _build_options(
        self,
        values: dict[str, Any],
        schema: list[JSON],
        guild: Guild,
        resolved: JSON,
        focused: str | None,
    ) -> list[JSON]:
        by_name = {o["name"]: o for o in schema if o.get("type") not in (1, 2)}
        unknown = set(values) - set(by_name) if by_name else set()
        if unknown:
            raise EmulatorUsageError(
                f"unknown option(s) {sorted(unknown)}; known: {sorted(by_name)}"
            )
        built: list[JSON] = []
        for option_name, value in values.items():
            kind = by_name[option_name]["type"] if option_name in by_name else _infer_type(value)
            if option_name == focused:
                built.append(
                    {"name": option_name, "type": kind, "value": str(value), "focused": True}
                )
                continue
            built.append(
                {
                    "name": option_name,
                    "type": kind,
                    "value": self._option_value(kind, value, guild, resolved),
                }
            )
        return built

    def _option_value(self, kind: int, value: Any, guild: Guild, resolved: JSON) -> Any:
        if kind == 3:
            return str(value)
        if kind == 4:
            return int(value)
        if kind == 5:
            return bool(value)
        if kind == 10:
            return float(value)
        if kind == 11:
            if not isinstance(value, Upload):
                raise EmulatorUsageError("attachment options take an emulator.Upload")
            attachment = self.new_attachment(value.filename, value.data, value.content_type)
            resolved.setdefault("attachments", {})[str(attachment.id)] = attachment.to_payload()
            return str(attachment.id)
        target = snowflake_id(value)
        if kind in (6, 9) and target in self.users:
            resolved.setdefault("users", {})[str(target)] = self.users[target].to_payload()
            member = guild.members.get(target)
            if member is not None:
                resolved.setdefault("members", {})[str(target)] = {
                    **member.to_payload(with_user=False),
                    "permissions": str(guild.base_permissions(target)),
                }
        elif kind in (8, 9) and target in guild.roles:
            resolved.setdefault("roles", {})[str(target)] = guild.roles[target].to_payload()
        elif kind == 7 and target in self.channels:
            channel = self.channels[target]
            resolved.setdefault("channels", {})[str(target)] = {
                **channel.to_payload(),
                "permissions": str(guild.channel_permissions(self.bot_user.id, channel)),
            }
        else:
            raise EmulatorUsageError(f"option type {kind} cannot refer to {target}")
        return str(target)


def _infer_type(value: Any) -> int:
    if isinstance(value, bool):
        return 5
    if isinstance(value, int):
        return 4
    if isinstance(value, float):
        return 10
    if isinstance(value, str):
        return 3
    if isinstance(value, User | Member):
        return 6
    if isinstance(value, Channel):
        return 7
    if isinstance(value, Role):
        return 8
    if isinstance(value, Upload):
        return 11
    raise EmulatorUsageError(f"cannot infer an option type for {value!r}; sync the command first")
