"""A search worker process: ``python -m bot.search_worker`` (started by ``bot.search_pool``).

It maps the saved search index file (``SearchIndex.load``: a memory map, so every worker
and the bot share the same pages) and answers searches and autocompletes over its stdin
and stdout, one request at a time. Searching here instead of in a thread of the bot
leaves the bot's interpreter lock to its event loop: in a thread, every socket call the
loop made waited for the searching thread to hand the lock back.

Frames are a 4-byte big-endian length and a pickle (the pipe is private to the bot that
started the worker). Requests: ``(op, file, args)`` where `file` names the index file
(path, fingerprint, inode, mtime, size) the bot's catalog was loaded from. Replies:
``("ok", value)``, ``("stale", None)`` when this worker cannot map that exact file (a
reload replaced it: the bot searches in-process instead), or ``("error", text)``. The
first frame a worker writes is ``("ready", pid)``. End of input (the bot closed the pipe,
or died) ends the worker, so it never outlives the bot.
"""

from __future__ import annotations

import os
import pickle
import signal
import struct
import sys
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from bot.search import SearchIndex

HEADER = struct.Struct(">I")

# A request or reply larger than this is refused (a filter mask for 100M answers is ~12 MB).
MAX_FRAME = 64 * 2**20

IndexFile = tuple[str, str, int, int, int]  # path, fingerprint, inode, mtime_ns, size


def read_frame(stream: BinaryIO) -> Any | None:
    """The next frame's object, or None at end of input."""
    head = stream.read(HEADER.size)
    if len(head) < HEADER.size:
        return None
    (size,) = HEADER.unpack(head)
    if size > MAX_FRAME:
        raise ValueError(f"frame of {size} bytes")
    body = stream.read(size)
    if len(body) < size:
        return None
    return pickle.loads(body)


def frame(value: Any) -> bytes:
    body = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    return HEADER.pack(len(body)) + body


def same_file(file: IndexFile) -> bool:
    """Whether the file at the path is still the one the bot named (not replaced since)."""
    path, _, inode, mtime_ns, size = file
    try:
        st = os.stat(path)
    except OSError:
        return False
    return (st.st_ino, st.st_mtime_ns, st.st_size) == (inode, mtime_ns, size)


def unpack_within(packed: tuple[bytes, int] | None) -> np.ndarray[Any, np.dtype[np.bool_]] | None:
    """The filter flags the bot sent as ``np.packbits`` bytes and their count."""
    if packed is None:
        return None
    bits, n = packed
    return np.unpackbits(np.frombuffer(bits, dtype=np.uint8), count=n).astype(bool)


class Worker:
    """Holds the index of the file last asked for; answers one request at a time."""

    def __init__(self) -> None:
        self.file: IndexFile | None = None
        self.index: SearchIndex | None = None

    def index_for(self, file: IndexFile) -> SearchIndex | None:
        if file != self.file:
            self.file, self.index = file, None  # let the old map go before the new one
            if same_file(file):
                self.index = SearchIndex.load(Path(file[0]), file[1], verify=False)
        return self.index

    def handle(self, request: tuple[str, IndexFile, tuple[Any, ...]]) -> tuple[str, Any]:
        op, file, args = request
        index = self.index_for(file)
        if index is None:
            return ("stale", None)
        if op == "load":
            return ("ok", len(index))
        if op == "search":
            query, limit, within = args
            result = index.search(query, limit=limit, within=unpack_within(within))
            hits = [(h.passage_id, h.score, h.sentence_index, h.exact) for h in result.hits]
            return ("ok", (hits, list(result.suggestions)))
        if op == "suggest":
            prefix, limit, within = args
            found = index.suggest(prefix, limit=limit, within=unpack_within(within))
            return ("ok", [(s.label, s.passage_id) for s in found])
        return ("error", f"unknown request {op!r}")


def serve(inp: BinaryIO, out: BinaryIO) -> None:
    worker = Worker()
    out.write(frame(("ready", os.getpid())))
    out.flush()
    while (request := read_frame(inp)) is not None:
        try:
            reply = worker.handle(request)
        except Exception as exc:  # a bug in one search must not end the worker
            reply = ("error", f"{type(exc).__name__}: {exc}")
        out.write(frame(reply))
        out.flush()


def main() -> None:
    # Ctrl-C in a terminal reaches the whole process group: the bot shuts down and closes
    # the pipes, which ends the workers; they must not die first with a traceback.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    inp, out = sys.stdin.buffer, sys.stdout.buffer
    sys.stdout = sys.stderr  # nothing else may write into the reply pipe
    serve(inp, out)


if __name__ == "__main__":
    main()
