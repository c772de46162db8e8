"""The loose phrase (bot/search/align.py): a quote typed with a filler added, where the
filler is a common word of other answers that hold the quote's words scattered."""

from __future__ import annotations

from bot.models import Passage
from bot.search import SearchIndex
from bot.search.align import LoosePhrase
from bot.transcript import split_sentences


def _answer(pid: str, text: str) -> Passage:
    return Passage(
        id=pid,
        interview_id="align",
        position=int(pid.rsplit("-", 1)[-1]),
        speaker="Ada",
        role="interviewee",
        question=None,
        paragraphs=(text,),
        sentences=tuple(split_sentences(text)),
        line=1,
    )


TARGET = "The old lighthouse keeper counted every ship that passed the point at night."
DECOY = (
    "Really, every ship that passed was counted in the end, the keeper of the lighthouse told me."
)


def _index() -> SearchIndex:
    # "really" is in most answers (a common word here), so it may be one a member added.
    answers = [_answer("align-0", TARGET), _answer("align-1", DECOY)]
    for i in range(2, 40):
        filler = "really " if i % 2 else ""
        answers.append(_answer(f"align-{i}", f"It was {filler}cold in winter number {i}."))
    return SearchIndex.build(answers)


def test_an_added_common_word_does_not_let_scattered_words_win() -> None:
    index = _index()
    hits = index.search("lighthouse keeper really counted every ship that passed").hits
    assert hits and hits[0].passage_id == "align-0", hits


def test_the_phrase_must_start_and_end_as_typed_and_leave_out_few_words() -> None:
    words = "lighthouse keeper really counted every ship that passed".split()
    accept = [frozenset((w,)) for w in words]
    optional = [w in {"really", "every", "that"} for w in words]
    loose = LoosePhrase.of(accept, optional)
    assert loose is not None and loose.budget == 2

    def found(text: str) -> bool:
        tokens = text.split()
        return loose.found_in(tokens, set(tokens))

    assert found("the lighthouse keeper counted every ship that passed at night")
    assert not found("lighthouse keeper really counted every ship that passed")  # all of it
    assert not found("keeper counted every ship that passed")  # its first word left out
    assert not found("lighthouse keeper counted ship passed")  # three left out
    assert not found("lighthouse keeper really counted every boat that passed")  # required
    assert LoosePhrase.of(accept[:4], optional[:4]) is None  # too short to leave one out
