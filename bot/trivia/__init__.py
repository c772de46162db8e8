"""Trivia core, pure Python (no discord import). One module a concern:

* `model`: a question with its evidence (the exact transcript phrase that proves it);
* `curated`: `data/trivia.toml`, checked against the loaded transcripts;
* `spans`, `generated`: questions derived from the transcripts ("complete the quote",
  "who said it?"); `stopping`: ending a build early on shutdown;
* `bank`: every question a guild can be asked, and drawing one without repeats;
* `rounds`: a question posted in a channel; `scoring`: points and running scores.

Callers import from `bot.trivia`; the names below are the package's interface.
"""

from bot.errors import SourceError
from bot.trivia.bank import CURATED_SHARE, TriviaBank, choose
from bot.trivia.curated import (
    TRIVIA_FILE,
    EvidenceIndex,
    EvidenceSite,
    find_trivia_files,
    load_all_curated,
    load_curated,
)
from bot.trivia.generated import (
    MAX_COMPLETE_PER_INTERVIEW,
    MAX_WHO_PER_INTERVIEW,
    CorpusText,
    fits,
    generate,
    meaningful,
)
from bot.trivia.model import (
    BLANK,
    DIFFICULTIES,
    LABEL_MAX,
    MAX_DISTRACTORS,
    MIN_DISTRACTORS,
    Difficulty,
    Kind,
    Question,
    contains_words,
    question_id,
    squash,
)
from bot.trivia.rounds import Round, RoundAnswer, shuffled_choices, snapshot
from bot.trivia.scoring import BASE_POINTS, SPEED_BONUS, Score, apply_answer, points_for
from bot.trivia.spans import STOPWORDS, Span, candidate_spans, word_class
from bot.trivia.stopping import STOP_EVERY, BankBuildStopped

__all__ = [
    "BASE_POINTS",
    "BLANK",
    "CURATED_SHARE",
    "DIFFICULTIES",
    "LABEL_MAX",
    "MAX_COMPLETE_PER_INTERVIEW",
    "MAX_DISTRACTORS",
    "MAX_WHO_PER_INTERVIEW",
    "MIN_DISTRACTORS",
    "SPEED_BONUS",
    "STOPWORDS",
    "STOP_EVERY",
    "TRIVIA_FILE",
    "BankBuildStopped",
    "CorpusText",
    "Difficulty",
    "EvidenceIndex",
    "EvidenceSite",
    "Kind",
    "Question",
    "Round",
    "RoundAnswer",
    "Score",
    "SourceError",
    "Span",
    "TriviaBank",
    "apply_answer",
    "candidate_spans",
    "choose",
    "contains_words",
    "find_trivia_files",
    "fits",
    "generate",
    "load_all_curated",
    "load_curated",
    "meaningful",
    "points_for",
    "question_id",
    "shuffled_choices",
    "snapshot",
    "squash",
    "word_class",
]
