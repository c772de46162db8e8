"""Point discord.py at a different REST base and gateway.

discord.py keeps both endpoints in class attributes, which makes them process-wide:

* REST and webhook/interaction follow-ups are built from ``discord.http.Route.BASE``. Pointing it
  elsewhere is how tests talk to the loopback emulator, and how a large deployment routes REST
  through a shared rate-limit proxy (the proxy then forwards to ``https://discord.com/api/v10``).
* A plain (not auto-sharded) client never asks ``/gateway/bot``; it connects to
  ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY``. After a non-resumable session (op 9 with
  ``d: false``) discord.py "resets" the socket's gateway with ``self.gateway = self.DEFAULT_GATEWAY``.
  That is an attribute lookup through the instance onto the class, so replacing the class
  attribute (not an instance attribute, and not a module constant) is what makes the override
  survive the reset. Resumes use ``resume_gateway_url`` from READY, which the emulator (or Discord)
  provides itself. :class:`discord.AutoShardedClient` asks ``/gateway/bot`` over REST, so it
  follows the REST override.

Both settings are process-global: every client in the process uses them.
"""

from __future__ import annotations

import discord.gateway
import discord.http
import yarl

__all__ = ["DEFAULT_API_URL", "DEFAULT_GATEWAY_URL", "apply_endpoints", "current_endpoints"]

DEFAULT_API_URL = "https://discord.com/api/v10"
DEFAULT_GATEWAY_URL = "wss://gateway.discord.gg/"


def apply_endpoints(api_url: str | None, gateway_url: str | None) -> None:
    """Use ``api_url`` for REST and ``gateway_url`` for the websocket; ``None`` means Discord's.

    ``api_url`` includes the version prefix, e.g. ``http://127.0.0.1:8080/api/v10``.
    """
    api = DEFAULT_API_URL if api_url is None else api_url.rstrip("/")
    gateway = yarl.URL(DEFAULT_GATEWAY_URL if gateway_url is None else gateway_url)
    if yarl.URL(api).scheme not in ("http", "https"):
        raise ValueError(f"REST base must be an http(s) URL, got {api_url!r}")
    if gateway.scheme not in ("ws", "wss"):
        raise ValueError(f"gateway must be a ws(s) URL, got {gateway_url!r}")
    discord.http.Route.BASE = api
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = gateway


def current_endpoints() -> tuple[str, str]:
    """The REST base and gateway URL discord.py will use right now."""
    return discord.http.Route.BASE, str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
