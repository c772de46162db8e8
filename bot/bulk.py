"""Pausing Python's cyclic garbage collector while a large corpus is in flight.

A full collection walks every tracked object while holding the GIL: with a million parsed
answers alive during a reload it took ~0.5 s, and it ran in whichever thread happened to
allocate, so the event loop stalled (measured by ``benchmarks.bench_store``). The objects
a load makes hold no reference cycles (reference counting frees them), so the collector
is paused for the load and resumed after it; its young generations run again at once.
The collector is process-wide state, hence this module's counter: overlapping pauses
resume it only when the last one ends.
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_depth = 0
_resume = False


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """Run the block with the cyclic collector disabled (if it was enabled)."""
    global _depth, _resume
    with _lock:
        if _depth == 0:
            _resume = gc.isenabled()
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0 and _resume:
                gc.enable()
