"""The switch for long runs: ``QUOTEBOT_FUZZ=long``.

The default suite stays short (the whole of it in about three minutes); volume tests (fuzzing,
SIGKILL loops, megabyte inputs) run a smaller version by default and their full size with the
switch set, e.g. ``QUOTEBOT_FUZZ=long .venv/bin/python -m pytest tests/test_fuzz.py -s -q``.
"""

from __future__ import annotations

import os

__all__ = ["LONG", "budget"]

LONG = os.environ.get("QUOTEBOT_FUZZ", "").lower() == "long"


def budget(short: int, long: int) -> int:
    """`short` in the default run, `long` with QUOTEBOT_FUZZ=long (examples, kills, sizes)."""
    return long if LONG else short
