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
        by_speaker: dict[str, list[int]] = {}
        by_interview: dict[str, list[int]] = {}
        indexed = iter(ids)
        row = -1
        position: dict[str, int] | None = None
        for pid, speaker, interview in answers:
            if position is None:
                row += 1
                current = next(indexed, None)
                if current != pid:  # orders differ (a reload in between): look ids up
                    position = {value: at for at, value in enumerate(ids)}
            at = row if position is None else position.get(pid, -1)
            if at < 0:
                continue
            by_speaker.setdefault(speaker, []).append(at)
            by_interview.setdefault(interview, []).append(at)

        def arrays(found: dict[str, list[int]]) -> dict[str, Rows]:
            return {key: np.asarray(rows, dtype=np.int64) for key, rows in found.items()}

        return cls(len(ids), arrays(by_speaker), arrays(by_interview))

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
