"""Which answers a speaker or an interview holds, as search-index rows (no discord import).

The /quote filters restrict the search itself: :meth:`Facets.within` gives the flags the
search index takes (one per answer, in its row order) for a speaker and/or an interview.
Built once per catalog from one read of (id, speaker, interview) in catalog order, which is
the order the index was built in; each id is checked against the index's, and an answer the
index does not hold (a reload in between) is left out.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["Facets"]

Rows = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Facets:
    n: int
    speakers: dict[str, Rows]
    interviews: dict[str, Rows]

    @classmethod
    def build(cls, answers: Iterable[tuple[str, str, str]], ids: Sequence[str]) -> Facets:
        """`answers`: (id, speaker, interview id) in catalog order; `ids`: the index's rows."""
        read = list(answers)
        indexed = list(ids)
        if [a[0] for a in read] == indexed:
            rows = np.arange(len(read), dtype=np.int64)
        else:  # orders differ (a reload in between): look each id up
            position = {value: at for at, value in enumerate(indexed)}
            rows = np.fromiter((position.get(a[0], -1) for a in read), np.int64, len(read))
        keep = rows >= 0
        rows = rows[keep]
        kept = [a for a, k in zip(read, keep.tolist(), strict=True) if k]
        speakers = _groups([a[1] for a in kept], rows)
        interviews = _groups([a[2] for a in kept], rows)
        return cls(len(indexed), speakers, interviews)

    def speaker_counts(self) -> Counter[str]:
        return Counter({name: len(rows) for name, rows in self.speakers.items()})

    def interview_counts(self) -> Counter[str]:
        return Counter({key: len(rows) for key, rows in self.interviews.items()})

    def within(
        self, speakers: Sequence[str] | None = None, interview: str | None = None
    ) -> npt.NDArray[np.bool_] | None:
        """Flags of the answers by any of `speakers` and in `interview` (None: no filter)."""
        if speakers is None and interview is None:
            return None
        flags = np.zeros(self.n, dtype=bool)
        if speakers is not None:
            for name in speakers:
                flags[self.speakers.get(name, np.zeros(0, np.int64))] = True
        if interview is not None:
            mine = np.zeros(self.n, dtype=bool)
            mine[self.interviews.get(interview, np.zeros(0, np.int64))] = True
            flags = mine if speakers is None else flags & mine
        return flags


def _groups(keys: list[str], rows: Rows) -> dict[str, Rows]:
    """The rows of each key (one sort, not a Python append per row)."""
    if not keys:
        return {}
    names, inverse = np.unique(np.array(keys, dtype=object), return_inverse=True)
    order = np.argsort(inverse, kind="stable")
    bounds = np.searchsorted(inverse[order], np.arange(len(names) + 1))
    grouped = rows[order]
    return {str(name): grouped[bounds[i] : bounds[i + 1]] for i, name in enumerate(names.tolist())}
