"""The index file: its layout (magic, header, aligned parts, checksum) and reading it back.

Every part starts at a multiple of _ALIGN bytes, so numpy reads the arrays in place from
the memory-mapped file (see :meth:`bot.search.index.SearchIndex.load`)."""

from __future__ import annotations

import itertools
import json
import zlib
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bot.search.pairs import PAIRS, STOP_DIGEST
from bot.search.params import _MAGIC, FORMAT_VERSION
from bot.search.storage import _Ids, _Text
from bot.search.text import _IntArray

_ALIGN = 64  # bytes: where each saved part starts


def file_parts(
    parts: dict[str, bytes | _Text], fields: dict[str, object]
) -> list[bytes | memoryview]:
    """The saved file's pieces in order: magic, header size, header (`fields`, the parts'
    layout and their checksum), the parts (the last, "questions", unpadded)."""
    # Every part starts at a multiple of _ALIGN in the file (the header is padded with
    # spaces, the parts with zeros): numpy reads a misaligned array through a copy, and
    # a search on a loaded index spent ~0.3 ms per look-up copying the typo table.
    layout: dict[str, list[int]] = {}
    body: list[bytes | memoryview] = []
    offset = 0
    for name, data in parts.items():
        layout[name] = [offset, len(data)]
        body.extend(data.parts if isinstance(data, _Text) else [data])
        offset += len(data)
        if name != "questions" and offset % _ALIGN:
            body.append(bytes(_ALIGN - offset % _ALIGN))
            offset += len(body[-1])
    crc = 0
    for piece in body:
        crc = zlib.crc32(piece, crc)
    header = json.dumps({**fields, "layout": layout, "crc32": crc}).encode("utf-8")
    header += b" " * (-(len(_MAGIC) + 4 + len(header)) % _ALIGN)
    return [_MAGIC, len(header).to_bytes(4, "little"), header, *body]


@dataclass(frozen=True, slots=True)
class _Saved:
    """An index file's arrays, checked for consistency, and what verifying it needs."""

    ids: _Ids
    vocab: list[str]
    term_off: _IntArray
    post_ids: npt.NDArray[np.uint32]
    post_impact: npt.NDArray[np.uint8]
    lengths: npt.NDArray[np.uint32]
    offsets: _IntArray
    blob: memoryview
    typo_table: tuple[npt.NDArray[np.uint64], npt.NDArray[np.int32]]
    vocab_order: _IntArray
    pairs: tuple[_IntArray, npt.NDArray[np.uint32]]
    questions: memoryview | None  # the questions' sub-index, saved inside its parent
    payload: memoryview  # what the checksum covers (compared later: SearchIndex.verify)
    crc: int


def read_saved(raw: memoryview, fingerprint: str) -> _Saved | None:
    """The arrays saved in `raw`, or None when it is another format, corpus or stop list,
    or its layout or arrays do not add up (the checksum is left to verify)."""
    if bytes(raw[: len(_MAGIC)]) != _MAGIC:
        return None
    start = len(_MAGIC) + 4
    size = int.from_bytes(raw[len(_MAGIC) : start], "little")
    header = json.loads(bytes(raw[start : start + size]))
    if (
        header.get("version") != FORMAT_VERSION
        or header.get("fingerprint") != fingerprint
        or header.get("stop_words") != STOP_DIGEST
    ):
        return None
    payload = raw[start + size :]
    layout = header["layout"]
    spans = sorted((int(offset), int(length)) for offset, length in layout.values())
    if (
        len(payload) != spans[-1][0] + spans[-1][1]
        or any(offset % _ALIGN or length < 0 for offset, length in spans)
        or any(a + length > b for (a, length), (b, _) in itertools.pairwise(spans))
    ):
        return None

    def part(name: str) -> memoryview:
        offset, length = layout[name]
        return payload[offset : offset + length]

    n, v = int(header["passages"]), int(header["terms"])
    ids = _Ids(part("ids") if n else b"")
    vocab = str(part("vocab"), "utf-8").split("\n") if v else []
    term_off = np.frombuffer(part("term_off"), dtype=np.int64)
    post_ids = np.frombuffer(part("post_ids"), dtype=np.uint32)
    post_impact = np.frombuffer(part("post_impact"), dtype=np.uint8)
    lengths = np.frombuffer(part("lengths"), dtype=np.uint32)
    offsets = np.frombuffer(part("offsets"), dtype=np.int64)
    typo_keys = np.frombuffer(part("typo_keys"), dtype=np.uint64)
    typo_terms = np.frombuffer(part("typo_terms"), dtype=np.int32)
    order = np.frombuffer(part("vocab_order"), dtype=np.int64)
    pair_off = np.frombuffer(part("pair_off"), dtype=np.int64)
    pair_rows = np.frombuffer(part("pair_rows"), dtype=np.uint32)
    blob = part("blob")
    consistent = (
        len(ids) == n
        and len(vocab) == v
        and len(term_off) == v + 1
        and len(lengths) == n
        and len(offsets) == n + 1
        and len(post_ids) == len(post_impact)
        and len(typo_keys) == len(typo_terms)
        and len(order) == v
        and len(pair_off) in (1, PAIRS + 1)
        and int(pair_off[-1]) == len(pair_rows)
        and int(term_off[-1]) == len(post_ids)
        and int(offsets[-1]) == len(blob)
        and len(set(vocab)) == v
        and (not len(typo_terms) or 0 <= int(typo_terms.min()) <= int(typo_terms.max()) < v)
        and (not len(order) or 0 <= int(order.min()) <= int(order.max()) < v)
        and all(
            int(a[0]) == 0 and not bool(np.any(np.diff(a) < 0))
            for a in (term_off, offsets, pair_off)
        )
    )
    if not consistent:
        return None
    return _Saved(
        ids=ids,
        vocab=vocab,
        term_off=term_off,
        post_ids=post_ids,
        post_impact=post_impact,
        lengths=lengths,
        offsets=offsets,
        blob=blob,
        typo_table=(typo_keys, typo_terms),
        vocab_order=order,
        pairs=(pair_off, pair_rows),
        questions=part("questions") if layout.get("questions", [0, 0])[1] else None,
        payload=payload,
        crc=int(header["crc32"]),
    )
