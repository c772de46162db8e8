"""Search benchmark: latency, accuracy, build, memory and cold start from 1k to 1M answers.

Run: ``.venv/bin/python -m benchmarks.bench_search [--sizes 1000,10000,100000,1000000]
[--queries 200]``.  Each size is measured in a fresh subprocess so the sizes do not pollute
each other's memory; the parent prints a table and writes ``benchmarks/results.md``.

The corpora are synthetic but shaped like transcripts: sentences of 4..24 words mixing
real English function words (about 45% of the tokens, with contractions written with
curly apostrophes as transcripts are) with content words drawn from a Zipf distribution
over ~50k generated word forms plus every word of the seed interview, placed at random
ranks so some seed words are common and some rare.  The real seed interview is embedded in
the middle of every corpus and its queries are scored as the corpus grows.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.models import Passage
from bot.search import STOP_WORDS, normalise

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_61add2952afc7ee4.txt"
RESULTS = Path(__file__).resolve().parent / "results.md"

FUNCTION_WORDS = (
    "the and i to a of that it you in was we is so but this for he on with they "
    "it’s just like what my have be about there at as all really one know think not "
    "were had his i’m that’s when you’re do don’t out then or because would from "
    "her she by very if can an some more who their them how up our which there’s "
    "also even been could i’ve didn’t these much other those into where kind way "
    "well oh yeah right actually sort lot things thing something always never"
).split()

_ONSETS = "b bl br c ch cl cr d dr f fl fr g gl gr h j k l m n p pl pr qu r s sc sh sk sl sm sn sp st str t th tr v w wh z".split()
_VOWELS = "a e i o u ai ea ee ie oa oo ou".split()
_CODAS = ["", "", "", "n", "r", "l", "s", "t", "nd", "rt", "st", "ck", "ng", "m", "x", "sh"]
_ENDINGS = ["", "", "", "", "", "", "s", "s", "ed", "ing", "er", "ly"]


def _word_forms(rng: random.Random, count: int, taken: set[str]) -> list[str]:
    """`count` distinct pronounceable pseudo-words of 1..4 syllables."""
    words: list[str] = []
    seen = set(taken)
    while len(words) < count:
        parts = [
            rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS)
            for _ in range(rng.choice((1, 1, 2, 2, 2, 3)))
        ]
        word = "".join(parts) + rng.choice(_ENDINGS)
        if 3 <= len(word) <= 14 and word not in seen:
            seen.add(word)
            words.append(word)
    return words


def seed_passages() -> list[Passage]:
    """The real seed interview's answers, via the project's parser."""
    from bot.transcript import read_transcript

    return list(read_transcript(SEED).passages)


@dataclass(frozen=True)
class Lexicon:
    function_words: list[str]
    content_words: list[str]
    function_cdf: np.ndarray
    content_cdf: np.ndarray


def lexicon(forms: int = 50_000, seed: int = 20241125) -> Lexicon:
    """Function words and a Zipf-ranked content vocabulary including the seed's words."""
    rng = random.Random(seed)
    seed_words = sorted(
        {
            w
            for p in seed_passages()
            for w in normalise(p.text).split()
            if w not in STOP_WORDS and len(w) > 2 and not w.isdigit()
        }
    )
    taken = set(seed_words) | {normalise(w) for w in FUNCTION_WORDS}
    content = _word_forms(rng, forms, taken)
    for word in seed_words:  # a random rank each: some seed words common, most rare
        content.insert(rng.randrange(len(content) + 1), word)
    f_weights = 1.0 / np.arange(1, len(FUNCTION_WORDS) + 1) ** 0.9
    c_weights = 1.0 / (np.arange(1, len(content) + 1) + 2.7) ** 1.07
    return Lexicon(
        list(FUNCTION_WORDS),
        content,
        np.cumsum(f_weights / f_weights.sum()),
        np.cumsum(c_weights / c_weights.sum()),
    )


def synthetic_passages(
    n: int, *, seed: int = 7, lex: Lexicon | None = None, with_seed: bool = True
) -> list[Passage]:
    """`n` deterministic synthetic answers (plus the seed interview in the middle)."""
    lex = lex or lexicon()
    gen = np.random.default_rng(seed)
    per_passage = gen.integers(1, 9, size=n)  # sentences per answer: 1..8
    n_sent = int(per_passage.sum())
    sent_len = gen.integers(4, 25, size=n_sent)  # words per sentence
    n_words = int(sent_len.sum())
    is_func = gen.random(n_words) < 0.45
    func_idx = np.searchsorted(lex.function_cdf, gen.random(n_words))
    cont_idx = np.searchsorted(lex.content_cdf, gen.random(n_words))
    func_idx = np.minimum(func_idx, len(lex.function_words) - 1)
    cont_idx = np.minimum(cont_idx, len(lex.content_words) - 1)
    words = lex.function_words + lex.content_words
    token_ids = np.where(is_func, func_idx, cont_idx + len(lex.function_words)).tolist()
    tokens = [words[i] for i in token_ids]
    ends = gen.choice([".", ".", ".", ".", "?", "!", "…"], size=n_sent).tolist()
    commas = (gen.random(n_sent) < 0.4).tolist()
    bounds = np.concatenate(([0], np.cumsum(sent_len))).tolist()
    sentences: list[str] = []
    for i in range(n_sent):
        chunk = tokens[bounds[i] : bounds[i + 1]]
        if commas[i] and len(chunk) > 6:
            chunk[len(chunk) // 2] += ","
        text = " ".join(chunk)
        sentences.append(text[0].upper() + text[1:] + ends[i])
    names = _word_forms(random.Random(seed + 1), 4000, set())
    passages: list[Passage] = []
    at = 0
    for k, count in enumerate(per_passage.tolist()):
        sents = tuple(sentences[at : at + count])
        at += count
        interview = k // 12
        speaker = f"{names[(interview * 2) % len(names)].title()} {names[(interview * 2 + 1) % len(names)].title()}"
        paragraphs = (" ".join(sents[: (count + 1) // 2]), " ".join(sents[(count + 1) // 2 :]))
        passages.append(
            Passage(
                id=f"s{k:011x}",
                interview_id=f"synth-{interview:06d}",
                position=k % 12,
                speaker=speaker,
                role="interviewee",
                question=None,
                paragraphs=tuple(p for p in paragraphs if p),
                sentences=sents,
                line=1 + 2 * (k % 12),
            )
        )
    if with_seed:
        middle = n // 2
        passages[middle:middle] = seed_passages()
    return passages
