"""The index build: threaded and chunked, yet the same index as a word-by-word reference."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from bot import search
from bot.models import Passage
from bot.search import STOP_WORDS, SearchIndex, _Ids, indexfile, normalise
from bot.search import build as search_build
from bot.search.pairs import PAIRS, intersect, typed_pairs
from bot.store import IndexRow, Store
from bot.transcript import read_transcript

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.bench_search import synthetic_passages  # noqa: E402

SEED = ROOT / "seeds" / "000_61add2952afc7ee4.txt"

ODD_SENTENCES = [
    ("Mäki’s — ‘It’ factor… was “great”.", "Ciné\u0301ma and Straße, ﬁlm!"),
    ("A sentence with a \x1f unit separator.", "And a \x1e record separator too."),
    ("", "Empty sentence before this one."),
    ("Supercalifragilisticexpialidocious antidisestablishmentarianism words.",),
    ("Αθήνα and Ωμέγα in Greek; emoji 🎬 between.", "no\xa0break\xa0spaces – dashes—here"),
    ("snake_case and C++ and 24 frames",),
    ("it’s don’t we’re they’ve",),
]


def odd_passages() -> list[Passage]:
    out: list[Passage] = []
    for i, sentences in enumerate(ODD_SENTENCES):
        out.append(
            Passage(
                id=f"odd{i:03d}",
                interview_id="odd",
                position=i,
                speaker="Odd Speaker",
                role="interviewee",
                question=None,
                paragraphs=(" ".join(sentences),),
                sentences=sentences,
                line=1 + i,
            )
        )
    return out


@pytest.fixture(scope="module")
def corpus() -> list[Passage]:
    passages = synthetic_passages(3000, with_seed=True)
    passages[100:100] = odd_passages()
    passages[2000:2000] = odd_passages()[::-1]
    return passages


def _arrays(index: SearchIndex) -> dict[str, object]:
    text = b"".join(bytes(part) for part in index._blob.parts)
    return {
        "ids": list(index._ids),
        "vocab": index._vocab,
        "term_off": index._term_off.tolist(),
        "post_ids": index._post_ids.tolist(),
        "post_impact": index._post_impact.tolist(),
        "lengths": index._lengths.tolist(),
        "offsets": index._offsets.tolist(),
        "text": text,
        "fingerprint": index.fingerprint,
        "pair_off": index._pair_off.tolist(),
        "pair_rows": index._pair_rows.tolist(),
    }


def _build(passages: list[Passage], threads: int) -> SearchIndex:
    builder = search._Builder(pairs=True)
    builder.ingest(passages, threads=threads)
    return builder.finish(threads=threads)


def test_threaded_build_equals_the_single_threaded_one(
    corpus: list[Passage], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(search_build, "BUILD_CHUNK", 97)  # many chunks, odd sizes, many text parts
    one = _build(corpus, threads=1)
    two = _build(corpus, threads=2)
    assert len(two._blob.parts) > 10
    assert _arrays(one) == _arrays(two)
    assert _arrays(SearchIndex.build(corpus)) == _arrays(one)


def test_postings_match_a_word_by_word_reference(
    corpus: list[Passage], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every answer's indexed words are what ``normalise`` (the query side) makes of it."""
    monkeypatch.setattr(search_build, "BUILD_CHUNK", 128)
    index = SearchIndex.build(corpus)
    answers = [p for p in corpus if p.role == "interviewee"]
    expected: dict[str, list[int]] = defaultdict(list)
    counts: list[int] = []
    for row, passage in enumerate(answers):
        sentences = passage.sentences or (passage.text,)
        words = normalise(" ".join(sentences)).split()
        counts.append(len(words))
        for word in sorted({w for w in words if w not in STOP_WORDS}):
            expected[word].append(row)
    assert sorted(index._vocab) == sorted(expected)
    for tid, word in enumerate(index._vocab):
        lo, hi = int(index._term_off[tid]), int(index._term_off[tid + 1])
        assert index._post_ids[lo:hi].tolist() == expected[word], word
    assert index._lengths.tolist() == counts
    # Stop-word pairs: every two neighbouring stop words of an answer (punctuation and
    # sentence ends between them allowed), by pair id.
    pairs: dict[int, set[int]] = defaultdict(set)
    for row, passage in enumerate(answers):
        words = normalise(" ".join(passage.sentences or (passage.text,))).split()
        for pid in typed_pairs(words):
            pairs[pid].add(row)
    assert len(pairs) > 100
    assert len(index._pair_off) == PAIRS + 1
    for pid in range(PAIRS):
        lo, hi = int(index._pair_off[pid]), int(index._pair_off[pid + 1])
        assert index._pair_rows[lo:hi].tolist() == sorted(pairs.get(pid, ())), pid
    # The text is kept as given: sentences split by 0x1F, separators in them blanked.
    for row, passage in enumerate(answers):
        sentences = [s.replace("\x1f", " ").replace("\x1e", " ") for s in passage.sentences]
        assert index._sentences(row) == (sentences or [passage.text])


def test_odd_answers_are_found(corpus: list[Passage]) -> None:
    index = SearchIndex.build(corpus)
    hits = index.search("maki it factor was great").hits
    assert hits and hits[0].passage_id.startswith("odd")
    assert index.search("supercalifragilisticexpialidocious").hits
    assert index.search("record separator").hits[0].passage_id.startswith("odd")
    assert index.search("they ve").hits == []  # stop words only
    assert index.suggest("no break spa")


def test_text_spans_across_parts() -> None:
    parts = [memoryview(b"abc\x1e"), memoryview(b"defg\x1e"), memoryview(b"h\x1e")]
    text = search._Text(parts)
    assert len(text) == 11
    assert bytes(text[0:3]) == b"abc" and bytes(text[4:8]) == b"defg" and bytes(text[9:10]) == b"h"
    lows, highs = np.array([9, 0, 4]), np.array([10, 3, 8])
    assert [bytes(s) for s in text.spans(lows, highs)] == [b"h", b"abc", b"defg"]
    single = search._Text([memoryview(b"abc\x1edefg\x1e")])
    assert [bytes(s) for s in single.spans(np.array([4]), np.array([8]))] == [b"defg"]


def test_candidate_threshold_keeps_the_exact_best(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sampled threshold never drops a row the exact ranking would keep."""
    index = SearchIndex.build(synthetic_passages(30_000, with_seed=False))
    common = sorted(range(len(index._vocab)), key=lambda t: -int(index._df[t]))[:6]
    for keep in (50, 400, 1500):
        for picks in ([common[0]], common[:2], [common[1], common[4], common[5]]):
            plans = [[(tid, 1.0)] for tid in picks]
            found, scores = index._accumulate(plans, keep)
            ids = np.concatenate(
                [index._post_ids[index._term_off[t] : index._term_off[t + 1]] for t in picks]
            )
            assert len(ids) > 8 * keep or len(found) == len(np.unique(ids))
            dense = np.zeros(len(index))
            dense[found] = scores
            exact = np.zeros(len(index))
            for tid in picks:
                lo, hi = int(index._term_off[tid]), int(index._term_off[tid + 1])
                scale = index._idf(hi - lo)
                exact[index._post_ids[lo:hi]] += (
                    search._IMPACT_TF[index._post_impact[lo:hi]] * scale
                    + scale * search.COORDINATION
                )
            best = np.sort(exact)[::-1][:keep]
            got = np.sort(scores)[::-1][:keep]
            assert len(found) >= keep
            np.testing.assert_allclose(got, best)
            np.testing.assert_allclose(dense[found], exact[found])


def test_seed_is_indexed_the_same_in_any_chunking(monkeypatch: pytest.MonkeyPatch) -> None:
    seed = list(read_transcript(SEED).passages)
    whole = SearchIndex.build(seed)
    monkeypatch.setattr(search_build, "BUILD_CHUNK", 1)
    tiny = SearchIndex.build(seed)
    assert _arrays(whole) == _arrays(tiny)


def test_save_removes_temporaries_of_killed_saves_only(tmp_path: Path) -> None:
    """A save killed before its rename leaves ``.<name>.<pid>.<thread>.tmp``; the next
    save removes it, but not the temporary of a save still running in a live process."""
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    path = tmp_path / "search.index"
    stale = tmp_path / f".search.index.{dead.pid}.140000.tmp"
    live = tmp_path / f".search.index.{os.getppid()}.140001.tmp"
    other = tmp_path / f".other.index.{dead.pid}.1.tmp"
    for file in (stale, live, other):
        file.write_bytes(b"half a file")
    index = SearchIndex.build(list(read_transcript(SEED).passages))
    index.save(path)
    assert not stale.exists()
    assert live.exists() and other.exists()
    assert SearchIndex.load(path, index.fingerprint) is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([path.name, live.name, other.name])


def test_ids_are_kept_in_one_buffer_and_read_back_exactly() -> None:
    ids = ["one", "naïve-é", "x" * 300, "2", "😀"]
    packed = _Ids.of(ids)
    assert list(packed) == ids and len(packed) == 5
    assert packed[-1] == "😀" and packed[1:3] == ids[1:3] and packed[::-2] == ids[::-2]
    assert "x" * 300 in packed and "x" not in packed
    for bad in (5, -6):
        with pytest.raises(IndexError):
            packed[bad]
    assert _Ids.of(packed) is packed
    assert list(_Ids(b"")) == [] and len(_Ids.of([])) == 0
    assert list(_Ids.of(["solo"])) == ["solo"]


async def test_the_index_built_from_stored_rows_equals_the_one_from_answers(
    tmp_path: Path,
) -> None:
    """The light rows the bot builds from (no paragraphs unless there are no sentences)
    index exactly what the full answers do, the same ids in the same order."""
    seed = read_transcript(SEED)
    bare = replace(
        odd_passages()[0],
        id="bare",
        position=99,
        sentences=(),
        paragraphs=("No sentences.", "Two parts."),
    )
    odd = tuple(replace(p, interview_id="zz-odd") for p in (*odd_passages(), bare))
    others = replace(seed, id="zz-odd", content_hash="odd", passages=odd)
    store = await Store.open(tmp_path / "q.db")
    try:
        await store.replace_corpus([seed, others], [])
        full = list(store.passages.stream())
        light = list(store.passages.index_stream())
        answers = [p for p in seed.passages if p.role == "interviewee"]
        assert len(full) == len(answers) + len(odd)
        assert [r.id for r in light] == [p.id for p in full]
        assert light[-1] == IndexRow("bare", "interviewee", (), "No sentences.\n\nTwo parts.")
        assert _arrays(SearchIndex.build(light)) == _arrays(SearchIndex.build(full))
        corpus = await store.read_corpus()
        assert SearchIndex.build(light).fingerprint == corpus.fingerprint
    finally:
        await store.close()


def test_stop_word_pairs_are_saved_and_a_different_stop_list_rebuilds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pairs come back from the file as built; pair ids depend on the stop words, so
    a file saved with another stop list is not loaded (the bot rebuilds)."""
    index = SearchIndex.build(synthetic_passages(300))
    path = tmp_path / "search.index"
    index.save(path)
    loaded = SearchIndex.load(path, index.fingerprint)
    assert loaded is not None
    assert loaded._pair_off.tolist() == index._pair_off.tolist()
    assert loaded._pair_rows.tolist() == index._pair_rows.tolist()
    assert len(loaded._pair_rows) > 0
    monkeypatch.setattr(indexfile, "STOP_DIGEST", indexfile.STOP_DIGEST + 1)  # as read back
    assert SearchIndex.load(path, index.fingerprint) is None


def test_intersect_keeps_exactly_the_answers_in_every_list() -> None:
    """Each list applied by a binary search or by flags, the result is the intersection;
    with `enough`, a superset of it once that few are left."""
    rng = np.random.default_rng(7)
    n = 50_000
    for sizes in ((40_000, 30_000, 20), (25_000, 25_000, 25_000), (5, 40_000)):
        lists = [np.unique(rng.integers(0, n, size)).astype(np.uint32) for size in sizes]
        exact = set(lists[0].tolist()).intersection(*(set(x.tolist()) for x in lists[1:]))
        assert intersect(lists, n, 0).tolist() == sorted(exact)
        loose = intersect(lists, n, 10_000)
        assert exact <= set(loose.tolist())
