"""The benchmarks' synthetic corpus: transcript-shaped answers, fast at a million.

Sentences of 4..24 words mix real English function words (about 45% of the tokens, with
contractions written with curly apostrophes as transcripts are) with content words drawn
from a Zipf distribution over ~50k generated word forms plus every word of the seed
interview, placed at random ranks so some seed words are common and most rare.  So that
every query kind of `benchmarks.querygen` has something to work on, the vocabulary also
holds real words with British and American spellings (each spelling its own word, so some
answers say "colour" and others "color"), closed compounds ("lighthouse") and open ones
("frame rate"), and about 2% of the content tokens are numbers, mostly as digits ("40",
"1998") and some as words ("twelve").  Every answer gets the question it replied to.

Nothing here reads the search code: words are split and lower-cased by `querygen.words`.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from benchmarks import querygen
from bot.models import Passage

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "seeds" / "000_61add2952afc7ee4.txt"

FUNCTION_WORDS = (
    "the and i to a of that it you in was we is so but this for he on with they "
    "it’s just like what my have be about there at as all really one know think not "
    "were had his i’m that’s when you’re do don’t out then or because would from "
    "her she by very if can an some more who their them how up our which there’s "
    "also even been could i’ve didn’t these much other those into where kind way "
    "well oh yeah right actually sort lot things thing something always never"
).split()

QUESTION_OPENERS = (
    "What made you",
    "How did you",
    "Why did you",
    "When did you first",
    "Can you tell me about",
    "What was it like when",
    "How do you feel about",
    "Where did",
    "Who taught you",
    "Was it hard to",
)

_ONSETS = "b bl br c ch cl cr d dr f fl fr g gl gr h j k l m n p pl pr qu r s sc sh sk sl sm sn sp st str t th tr v w wh z".split()
_VOWELS = "a e i o u ai ea ee ie oa oo ou".split()
_CODAS = ["", "", "", "n", "r", "l", "s", "t", "nd", "rt", "st", "ck", "ng", "m", "x", "sh"]
_ENDINGS = ["", "", "", "", "", "", "s", "s", "ed", "ing", "er", "ly"]


def word_forms(rng: random.Random, count: int, taken: set[str]) -> list[str]:
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


def number_tokens(rng: random.Random) -> list[str]:
    """Numbers as transcripts write them: small counts, round figures, years, some words."""
    digits = [str(n) for n in range(2, 100)] + [str(n) for n in range(100, 1000, 50)]
    digits += [str(year) for year in range(1950, 2026)]
    words = [querygen.number_words(n) for n in (2, 3, 4, 5, 6, 7, 8, 10, 12, 15, 20, 30, 40, 50)]
    pool = digits + words
    rng.shuffle(pool)
    return pool


@dataclass(frozen=True)
class Lexicon:
    function_words: list[str]
    content_words: list[str]
    numbers: list[str]
    function_cdf: np.ndarray
    content_cdf: np.ndarray


@functools.cache  # deterministic and read-only: made once per process (~0.5 s each time)
def lexicon(forms: int = 50_000, seed: int = 20241125) -> Lexicon:
    """Function words and a Zipf-ranked content vocabulary including the seed's words and
    the spelling-variant and compound words the query kinds need: half of those lists
    each, by the seed's parity, so an even (reporting) seed holds pairs and compounds an
    odd (tuning) seed never shows."""
    rng = random.Random(seed)
    seed_words = sorted(
        {
            w
            for p in seed_passages()
            for w in querygen.words(p.text)
            if w not in querygen.STOP_WORDS and len(w) > 2 and not w.isdigit()
        }
    )
    half = seed % 2
    featured = sorted(
        {w for pair in querygen.SPELLING_PAIRS[half::2] for w in pair}
        | {a + b for a, b in querygen.CLOSED_COMPOUNDS[half::2]}
        | {f"{a} {b}" for a, b in querygen.OPEN_COMPOUNDS[half::2]}
    )
    taken = set(seed_words) | set(featured) | {w.replace("’", "'") for w in FUNCTION_WORDS}
    content = word_forms(rng, forms, taken)
    for word in seed_words:  # a random rank each: some seed words common, most rare
        content.insert(rng.randrange(len(content) + 1), word)
    for word in featured:  # common enough that most sentences' neighbours hold a few
        content.insert(rng.randrange(30, 3000), word)
    f_weights = 1.0 / np.arange(1, len(FUNCTION_WORDS) + 1) ** 0.9
    c_weights = 1.0 / (np.arange(1, len(content) + 1) + 2.7) ** 1.07
    return Lexicon(
        list(FUNCTION_WORDS),
        content,
        number_tokens(rng),
        np.cumsum(f_weights / f_weights.sum()),
        np.cumsum(c_weights / c_weights.sum()),
    )


def _sentences(
    gen: np.random.Generator, lex: Lexicon, lengths: np.ndarray, number_rate: float
) -> list[list[str]]:
    """Word lists for sentences of the given lengths (vectorised: fast at 1M answers)."""
    n_words = int(lengths.sum())
    is_func = gen.random(n_words) < 0.45
    is_number = ~is_func & (gen.random(n_words) < number_rate)
    func_idx = np.minimum(
        np.searchsorted(lex.function_cdf, gen.random(n_words)), len(lex.function_words) - 1
    )
    cont_idx = np.minimum(
        np.searchsorted(lex.content_cdf, gen.random(n_words)), len(lex.content_words) - 1
    )
    num_idx = gen.integers(0, len(lex.numbers), size=n_words)
    words = lex.function_words + lex.content_words + lex.numbers
    n_func, n_cont = len(lex.function_words), len(lex.content_words)
    token_ids = np.where(
        is_func, func_idx, np.where(is_number, num_idx + n_func + n_cont, cont_idx + n_func)
    ).tolist()
    tokens = [words[i] for i in token_ids]
    bounds = np.concatenate(([0], np.cumsum(lengths))).tolist()
    return [tokens[bounds[i] : bounds[i + 1]] for i in range(len(lengths))]


def synthetic_passages(
    n: int, *, seed: int = 7, lex: Lexicon | None = None, with_seed: bool = True
) -> list[Passage]:
    """`n` deterministic synthetic answers (plus the seed interview in the middle)."""
    lex = lex or lexicon()
    gen = np.random.default_rng(seed)
    per_passage = gen.integers(1, 9, size=n)  # sentences per answer: 1..8
    n_sent = int(per_passage.sum())
    chunks = _sentences(gen, lex, gen.integers(4, 25, size=n_sent), 0.04)
    ends = gen.choice([".", ".", ".", ".", "?", "!", "…"], size=n_sent).tolist()
    commas = (gen.random(n_sent) < 0.4).tolist()
    sentences: list[str] = []
    for i, chunk in enumerate(chunks):
        if commas[i] and len(chunk) > 6:
            chunk[len(chunk) // 2] += ","
        text = " ".join(chunk)
        sentences.append(text[0].upper() + text[1:] + ends[i])
    del chunks
    question_words = _sentences(gen, lex, gen.integers(4, 12, size=n), 0.02)
    openers = gen.integers(0, len(QUESTION_OPENERS), size=n).tolist()
    names = word_forms(random.Random(seed + 1), 4000, set())
    passages: list[Passage] = []
    at = 0
    for k, count in enumerate(per_passage.tolist()):
        sents = tuple(sentences[at : at + count])
        at += count
        interview = k // 12
        speaker = f"{names[(interview * 2) % len(names)].title()} {names[(interview * 2 + 1) % len(names)].title()}"
        paragraphs = (" ".join(sents[: (count + 1) // 2]), " ".join(sents[(count + 1) // 2 :]))
        question = f"{QUESTION_OPENERS[openers[k]]} {' '.join(question_words[k])}?"
        passages.append(
            Passage(
                id=f"s{k:011x}",
                interview_id=f"synth-{interview:06d}",
                position=k % 12,
                speaker=speaker,
                role="interviewee",
                question=question,
                paragraphs=tuple(p for p in paragraphs if p),
                sentences=sents,
                line=1 + 2 * (k % 12),
            )
        )
    if with_seed:
        middle = n // 2
        passages[middle:middle] = seed_passages()
    return passages
