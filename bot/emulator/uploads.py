"""Request bodies with files, read the way Discord reads them ("Uploading Files").

A message with files is sent as ``multipart/form-data``: the JSON body in a ``payload_json``
part (or plain form fields such as ``content``) and each file in a ``files[n]`` part whose
``n`` is the placeholder id used in the JSON ``attachments`` list. Discord refuses a file over
the upload limit, and a request over its body limit, with ``413 {"code": 40005, "message":
"Request entity too large"}``.

Limits (discord-api-docs, developers/reference.mdx, "Uploading Files", September 2026): "The
file upload size limit applies to each file in a request. The default limit is 20 MiB for all
users", higher with Nitro or boosts; interactions carry it as ``attachment_size_limit``. The
docs no longer state a whole-request limit; the emulator keeps the last one Discord documented
and people measured (25 MiB for the whole form body) so a bot that passes here also passes
there. Both are attributes of :class:`UploadLimits`, and tests may lower them.
"""

from __future__ import annotations

import json
import mimetypes
import re
from dataclasses import dataclass, field
from typing import Any

from aiohttp import BodyPartReader, web

__all__ = ["Body", "BodyRejected", "UploadLimits", "UploadedFile", "read_body"]

MIB = 1024 * 1024
_CHUNK = 64 * 1024
_FILES_FIELD = re.compile(r"files\[(\d+)\]")


@dataclass
class UploadLimits:
    """Discord's size limits for uploads (bytes)."""

    per_file: int = 20 * MIB
    """Each file; sent to the bot as an interaction's ``attachment_size_limit``."""
    per_request: int = 25 * MIB
    """The whole request body (all files plus ``payload_json`` and the form's own bytes)."""


@dataclass(frozen=True)
class UploadedFile:
    """One file part: its form field name, filename, bytes and declared content type."""

    field: str
    filename: str
    data: bytes
    content_type: str | None = None

    @property
    def index(self) -> int | None:
        """``n`` of a ``files[n]`` field (the placeholder id in ``attachments``), else None."""
        match = _FILES_FIELD.fullmatch(self.field)
        return int(match.group(1)) if match else None


@dataclass
class Body:
    """A parsed request body: the JSON (from ``payload_json`` for multipart) and its files."""

    json: Any = None
    files: list[UploadedFile] = field(default_factory=list)


class BodyRejected(Exception):
    """The body is refused before any route sees it; ``status``/``code`` as Discord answers."""

    def __init__(self, status: int, code: int, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.detail = detail or message

    @property
    def too_large(self) -> bool:
        return self.code == 40005


def _too_large(detail: str) -> BodyRejected:
    return BodyRejected(413, 40005, "Request entity too large", detail)


def _loads(raw: bytes | bytearray) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        raise BodyRejected(400, 50109, "The request body contains invalid JSON.") from None


def _content_type(filename: str, declared: str | None) -> str | None:
    """Discord reports a file's type from its name when the client only said "bytes"
    (discord.py sends every file as ``application/octet-stream``)."""
    if declared and declared != "application/octet-stream":
        return declared
    return mimetypes.guess_type(filename)[0] or declared


async def _drain(request: web.Request) -> None:
    """Read and drop the rest of the body, so the client gets the answer, not a reset."""
    async for _ in request.content.iter_chunked(_CHUNK):
        pass


async def _read_part(part: BodyPartReader, keep_at_most: int) -> tuple[bytes, int]:
    """The part's bytes (only the first ``keep_at_most + 1`` are kept) and its full size."""
    kept = bytearray()
    size = 0
    while chunk := await part.read_chunk(_CHUNK):
        size += len(chunk)
        if len(kept) <= keep_at_most:
            kept.extend(chunk[: keep_at_most + 1 - len(kept)])
    return bytes(kept), size


async def read_body(request: web.Request, limits: UploadLimits) -> Body:
    """Parse a JSON or multipart body, enforcing ``limits`` as Discord does (413/40005)."""
    declared = request.content_length
    if declared is not None and declared > limits.per_request:
        await _drain(request)
        raise _too_large(f"request body of {declared} bytes (limit {limits.per_request})")
    if not request.content_type.startswith("multipart/"):
        raw = await request.read()
        return Body(_loads(raw) if raw else None)
    body = Body()
    fields: dict[str, Any] = {}
    total = 0
    oversized: list[str] = []
    reader = await request.multipart()
    while (part := await reader.next()) is not None:
        if not isinstance(part, BodyPartReader):
            raise BodyRejected(400, 50035, "Nested multipart bodies are not supported")
        name = part.name or ""
        is_file = part.filename is not None and name != "payload_json"
        data, size = await _read_part(part, limits.per_file if is_file else limits.per_request)
        total += size
        if name == "payload_json":
            body.json = _loads(data)
        elif is_file:
            if size > limits.per_file:
                oversized.append(f"{part.filename} ({size} bytes)")
            filename = part.filename or name
            content_type = _content_type(filename, part.headers.get("Content-Type"))
            body.files.append(UploadedFile(name, filename, data, content_type))
        else:  # a plain form field such as ``content`` or ``tts``
            fields[name] = data.decode("utf-8", "replace")
    if oversized:
        raise _too_large(f"file(s) over {limits.per_file} bytes: {', '.join(oversized)}")
    if total > limits.per_request:
        raise _too_large(f"request body of {total} bytes (limit {limits.per_request})")
    if body.json is None and fields:
        body.json = fields
    return body
