"""Transcript parser: the real seed exactly, other transcript shapes, sentences, ids, bad files."""

from __future__ import annotations

import codecs
import hashlib
import re
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from longmode import budget

from bot.models import Interview, InterviewMeta
from bot.transcript import (
    TranscriptError,
    parse_transcript,
    passage_id,
    read_transcript,
    slugify,
    split_sentences,
)

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_61add2952afc7ee4.txt"
SEED_META = InterviewMeta(title="Sean Baker on making “Anora”", interviewee="Sean Baker")


def write(tmp_path: Path, text: str, name: str = "talk.txt") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def parse(text: str, meta: InterviewMeta | None = None) -> Interview:
    return parse_transcript(
        text, interview_id="t", source="t.txt", meta=meta or InterviewMeta(title="T")
    )


def answered(interview: Interview) -> list[tuple[str, str, str | None]]:
    """(speaker, answer, question) of every passage."""
    return [(p.speaker, p.text, p.question) for p in interview.passages]


def kinds(interview: Interview) -> list[tuple[str, str | None]]:
    return [(p.kind, p.speaker) for p in interview.paragraphs]


# --------------------------------------------------------------------------- the seed

SB = "Sean Baker"
# (line, kind, speaker, start of text) for every paragraph of the seed.
SEED_PARAGRAPHS = [
    (2, "lede", None, "Sean Baker has been making movies"),
    (3, "lede", None, "“Anora” – which follows"),
    (4, "lede", None, "Baker has long been interested"),
    (5, "note", None, "This interview has been edited for length and clarity."),
    (6, "question", None, "A lot of your movies touch on class"),
    (7, "answer", SB, "Being a producer of my films"),
    (8, "continuation", SB, "It didn’t change"),
    (9, "question", None, "It’s interesting, talking about writing"),
    (10, "answer", SB, "Definitely. You have to."),
    (11, "question", None, "I want to talk about the cast"),
    (12, "answer", SB, "It’s that “It” factor!"),
    (13, "continuation", SB, "And it happens"),
    (14, "question", None, "Mikey Madison is wonderful"),
    (16, "answer", SB, "I had been a fan of Juho Kuosmanen"),
    (17, "question", None, "I think he was the thing"),
    (18, "answer", SB, "Well, we knew we were going"),
    (19, "question", None, "Yeah, the first interaction"),
    (20, "answer", SB, "I did want the audience"),
    (21, "question", None, "A lot of your films are extremely colorful"),
    (23, "answer", SB, "Okay, so first off"),
    (24, "continuation", SB, "But overall"),
    (25, "continuation", SB, "So anyway"),
    (26, "question", None, "The latter half, the boardwalk search"),
    (27, "answer", SB, "I love that series"),
    (28, "question", None, "I’ve been listening to “Greatest Day”"),
    (29, "answer", SB, "You’re welcome!"),
    (30, "continuation", SB, "She played it"),
]


@pytest.fixture(scope="module")
def seed() -> Interview:
    return read_transcript(SEED, SEED_META)


def test_seed_every_paragraph(seed: Interview) -> None:
    got = [(p.line, p.kind, p.speaker) for p in seed.paragraphs]
    assert got == [(line, kind, who) for line, kind, who, _ in SEED_PARAGRAPHS]
    for paragraph, (_, _, _, start) in zip(seed.paragraphs, SEED_PARAGRAPHS, strict=True):
        assert paragraph.text.startswith(start)
    assert [p.index for p in seed.paragraphs] == list(range(27))


def test_seed_counts(seed: Interview) -> None:
    counts = {k: sum(p.kind == k for p in seed.paragraphs) for k in ("lede", "note")}
    counts |= {k: sum(p.kind == k for p in seed.paragraphs) for k in ("question", "answer")}
    counts["continuation"] = sum(p.kind == "continuation" for p in seed.paragraphs)
    assert counts == {"lede": 3, "note": 1, "question": 9, "answer": 9, "continuation": 5}
    assert len(seed.passages) == 9
    assert seed.speakers == ("Sean Baker",)
    assert [p.position for p in seed.passages] == list(range(9))
    assert [p.line for p in seed.passages] == [7, 10, 12, 16, 18, 20, 23, 27, 29]
    assert [len(p.paragraphs) for p in seed.passages] == [2, 1, 2, 1, 1, 1, 3, 1, 2]
    assert all(p.speaker == SB and p.role == "interviewee" for p in seed.passages)
    assert all(p.interview_id == "000-61add2952afc7ee4" for p in seed.passages)


def test_seed_interview_fields(seed: Interview) -> None:
    raw = SEED.read_bytes()
    assert seed.id == "000-61add2952afc7ee4"
    assert seed.source == str(SEED)
    assert seed.content_hash == hashlib.sha256(raw).hexdigest()
    assert seed.title == "Sean Baker on making “Anora”"


def test_seed_prefixes_removed_and_text_kept_verbatim(seed: Interview) -> None:
    texts = [p.text for p in seed.paragraphs]
    assert not any(t.startswith(("Sean Baker:", "Baker:")) for t in texts)
    raw_lines = SEED.read_text(encoding="utf-8").split("\n")
    for p in seed.paragraphs:
        assert raw_lines[p.line - 1].rstrip().endswith(p.text)
    # Trailing whitespace is stripped, everything else kept (curly quotes, dashes, ellipses).
    assert seed.paragraphs[0].text.endswith("such a massive way.")
    assert "“Once Upon a Time … in Hollywood”" in seed.paragraphs[11].text


def test_seed_lede_and_note_never_in_passages(seed: Interview) -> None:
    passage_text = "\n".join(p.text + (p.question or "") for p in seed.passages)
    for paragraph in seed.paragraphs:
        if paragraph.kind in ("lede", "note"):
            assert paragraph.text not in passage_text
    assert "edited for length" not in passage_text


def test_seed_questions_and_sentences(seed: Interview) -> None:
    questions = [p.text for p in seed.paragraphs if p.kind == "question"]
    assert [p.question for p in seed.passages] == questions
    money = next(p for p in seed.passages if "We always put all the money on the screen" in p.text)
    assert money.question is not None
    assert money.question.startswith("A lot of your movies touch on class")
    assert money.sentences[3] == (
        "We always put all the money on the screen, because we know our films are "
        "competing with studio films, and even mini-studio films."
    )
    assert money.sentences[-1].startswith("I think my previous writing has just been")
    assert money.text == "\n\n".join(money.paragraphs)

    last = seed.passages[-1]
    assert last.question is not None and last.question.startswith("I’ve been listening")
    assert last.paragraphs[1].startswith("She played it")
    assert "Then we realized it was a hit everywhere in the world except the U.S." in (
        last.sentences
    )
    assert any(s.startswith("I’m proud that") and "the U.S. it’ll" in s for s in last.sentences)

    cast = seed.passages[2]
    assert (
        "It was really just “Once Upon a Time … in Hollywood” and “Scream,” and those two "
        "things made me say, “She’s the one.”" in cast.sentences
    )
    assert (
        "Not deserves – we all deserve! – but you know what I’m saying, that we want to "
        "see that person." in cast.sentences
    )
    assert "And we both said, “Who’s that?”" in cast.sentences


def test_seed_sentences_lose_nothing(seed: Interview) -> None:
    for passage in seed.passages:
        joined = "".join(passage.sentences)
        assert re.sub(r"\s", "", joined) == re.sub(r"\s", "", "".join(passage.paragraphs))


def test_seed_without_meta_resolves_surname_and_titles_from_stem(tmp_path: Path) -> None:
    path = tmp_path / "sean_baker-anora.txt"
    path.write_bytes(SEED.read_bytes())
    interview = read_transcript(path)
    assert interview.id == "sean-baker-anora"
    assert interview.title == "Sean Baker Anora"
    assert {p.speaker for p in interview.passages} == {"Sean Baker"}
    assert len(interview.passages) == 9


# --------------------------------------------------------------------------- other shapes


def test_qa_transcript_named_from_meta(tmp_path: Path) -> None:
    text = (
        "A short intro.\n"
        "Q: How did you start?\n"
        "A: By accident. I was twelve.\n"
        "More on that, later.\n"
        "Q: Tell me about film school\n"
        "A: It was fine.\n"
    )
    meta = InterviewMeta(title="QA", interviewee="Jane Roe", interviewer="Sam Poe")
    interview = read_transcript(write(tmp_path, text), meta)
    assert kinds(interview) == [
        ("lede", None),
        ("question", "Sam Poe"),
        ("answer", "Jane Roe"),
        ("continuation", "Jane Roe"),
        ("question", "Sam Poe"),
        ("answer", "Jane Roe"),
    ]
    assert [p.question for p in interview.passages] == [
        "How did you start?",
        "Tell me about film school",
    ]
    assert interview.passages[0].paragraphs == (
        "By accident. I was twelve.",
        "More on that, later.",
    )
    assert interview.passages[0].sentences == (
        "By accident.",
        "I was twelve.",
        "More on that, later.",
    )
    assert interview.speakers == ("Jane Roe", "Sam Poe")


def test_qa_transcript_without_meta_names_the_interviewee(tmp_path: Path) -> None:
    interview = read_transcript(write(tmp_path, "Q: Why?\nA: Because.\n"))
    assert kinds(interview) == [("question", None), ("answer", "Interviewee")]
    assert interview.speakers == ("Interviewee",)


def test_bold_prefixes_with_named_interviewer_from_meta() -> None:
    text = (
        "**Jane Doe:** Thanks for joining. So, the film.\n"
        "**Sean Baker:** Happy to be here.\n"
        "**Doe**: And the cast\n"
        "**Baker**: Great people.\n"
        "Truly great.\n"
    )
    interview = parse(text, InterviewMeta(title="T", interviewer="Jane Doe"))
    assert kinds(interview) == [
        ("question", "Jane Doe"),
        ("answer", "Sean Baker"),
        ("question", "Jane Doe"),
        ("answer", "Sean Baker"),
        ("continuation", "Sean Baker"),
    ]
    assert interview.paragraphs[0].text == "Thanks for joining. So, the film."
    assert interview.passages[1].question == "And the cast"
    assert interview.passages[1].paragraphs == ("Great people.", "Truly great.")
    assert interview.speakers == ("Sean Baker", "Jane Doe")


def test_named_interviewer_found_heuristically() -> None:
    text = (
        "An intro about the director.\n"
        "Jane Doe: Welcome. How did it start?\n"
        "Sean Baker: It started when I was a kid watching films with my mother every week.\n"
        "It never stopped, really, and I kept at it through school and after.\n"
        "Doe: Why independent film?\n"
        "Baker: Because nobody else would fund the stories I wanted to tell for years.\n"
        "Doe: And next?\n"
        "Baker: Something smaller, I think, and closer to home this time around.\n"
    )
    interview = parse(text)
    assert kinds(interview) == [
        ("lede", None),
        ("question", "Jane Doe"),
        ("answer", "Sean Baker"),
        ("continuation", "Sean Baker"),
        ("question", "Jane Doe"),
        ("answer", "Sean Baker"),
        ("question", "Jane Doe"),
        ("answer", "Sean Baker"),
    ]
    assert [p.speaker for p in interview.passages] == ["Sean Baker"] * 3
    assert interview.passages[0].question == "Welcome. How did it start?"
    assert interview.speakers == ("Sean Baker", "Jane Doe")


def test_panel_with_unprefixed_questions_keeps_everyone_an_interviewee() -> None:
    text = (
        "How did you two meet?\n"
        "Joel Coen: We are brothers.\n"
        "Ethan Coen: He's right.\n"
        "Who writes first\n"
        "Joel: Usually me.\n"
        "Ethan: Usually him.\n"
    )
    interview = parse(text)
    assert kinds(interview) == [
        ("question", None),
        ("answer", "Joel Coen"),
        ("answer", "Ethan Coen"),
        ("question", None),
        ("answer", "Joel Coen"),
        ("answer", "Ethan Coen"),
    ]
    assert interview.speakers == ("Joel Coen", "Ethan Coen")
    assert [p.question for p in interview.passages] == [
        "How did you two meet?",
        None,
        "Who writes first",
        None,
    ]


def test_surname_before_full_name_and_meta_name() -> None:
    text = "What first?\nBaker: Something.\nWhat then?\nSean Baker: Something else.\n"
    assert {p.speaker for p in parse(text).passages} == {"Sean Baker"}
    only_surname = "What first?\nBaker: Something.\n"
    meta = InterviewMeta(title="T", interviewee="Sean Baker")
    assert parse(only_surname, meta).passages[0].speaker == "Sean Baker"
    first_name = "What first?\nSean Baker: One.\nAnd?\nSean: Two.\n"
    assert [p.speaker for p in parse(first_name).passages] == ["Sean Baker", "Sean Baker"]


def test_name_shapes() -> None:
    text = (
        "Q1?\nConor O'Brien: One.\nQ2?\nO'Brien: Two.\n"
        "Q3?\nJ. R. R. Tolkien: Three.\nQ4?\nTolkien: Four.\n"
        "Q5?\nGuillermo del Toro: Five.\nQ6?\nToro: Six.\n"
        "Q7?\nMäki Jean-Luc McDonald: Seven.\n"
    )
    speakers = [p.speaker for p in parse(text).passages]
    assert speakers == [
        "Conor O'Brien",
        "Conor O'Brien",
        "J. R. R. Tolkien",
        "J. R. R. Tolkien",
        "Guillermo del Toro",
        "Guillermo del Toro",
        "Mäki Jean-Luc McDonald",
    ]


def test_recurring_single_word_speaker_but_not_a_one_off() -> None:
    text = "What do you sing?\nMadonna: Pop.\nWhy?\nMadonna: Fun.\nYura: he is great, I said.\n"
    interview = parse(text)
    assert [p.speaker for p in interview.passages] == ["Madonna", "Madonna"]
    assert interview.paragraphs[-1].kind == "continuation"
    assert interview.paragraphs[-1].text == "Yura: he is great, I said."


def test_false_positive_prefixes_stay_text() -> None:
    text = (
        "What happened?\n"
        "Sean Baker: We met.\n"
        "At 5:30 we left.\n"
        "Well: that was that.\n"
        "Bottom Line: it worked.\n"
        "The Answer: nobody knows.\n"
        "Note that this line is not a note: it is text.\n"
    )
    interview = parse(text)
    assert kinds(interview)[1:] == [("answer", "Sean Baker")] + [("continuation", "Sean Baker")] * 5
    assert interview.paragraphs[3].text == "Well: that was that."
    assert len(interview.passages) == 1
    assert interview.passages[0].paragraphs[1:] == tuple(text.splitlines()[2:])


@pytest.mark.parametrize(
    "note",
    [
        "This interview has been edited for length and clarity.",
        "Edited and condensed for clarity.",
        "This conversation has been condensed and lightly edited.",
        "[Editor's note: Baker spoke from Los Angeles.]",
        "*This interview was edited for clarity.*",
        "Editor’s note: An earlier version misspelled a name.",
    ],
)
def test_editorial_notes_anywhere(note: str) -> None:
    text = f"Intro.\n{note}\nWhat first?\nBaker: One.\n{note}\nMore.\nBaker: Two.\n"
    interview = parse(text, InterviewMeta(title="T", interviewee="Sean Baker"))
    assert kinds(interview) == [
        ("lede", None),
        ("note", None),
        ("question", None),
        ("answer", "Sean Baker"),
        ("note", None),
        ("question", None),
        ("answer", "Sean Baker"),
    ]
    assert all(note not in p.text for p in interview.passages)


def test_continuation_versus_question_rule() -> None:
    text = (
        "Lede one.\n"
        "Lede two.\n"
        "First question\n"
        "Baker: Answer one.\n"
        "Still answer one.\n"
        "Also still answer one.\n"
        "Second question, no question mark\n"
        "Baker: Answer two.\n"
        "Last words.\n"
    )
    interview = parse(text, InterviewMeta(title="T", interviewee="Sean Baker"))
    assert [p.kind for p in interview.paragraphs] == [
        "lede",
        "lede",
        "question",
        "answer",
        "continuation",
        "continuation",
        "question",
        "answer",
        "continuation",
    ]
    first, second = interview.passages
    assert first.paragraphs == ("Answer one.", "Still answer one.", "Also still answer one.")
    assert second.question == "Second question, no question mark"
    assert second.paragraphs == ("Answer two.", "Last words.")


def test_blank_lines_crlf_bom_and_trailing_space(tmp_path: Path) -> None:
    text = (
        "\r\n\r\n  Lede.   \r\n\r\n\r\nQuestion one?\r\n\r\n\r\n"
        "Sean Baker:   Answer one.\t \r\n\r\nMore of it.\r\n\r\n"
        "Question two?\r\n\r\nBaker: Answer two.\r\n\r\n"
    )
    path = tmp_path / "blank.txt"
    path.write_bytes(codecs.BOM_UTF8 + text.encode("utf-8"))
    interview = read_transcript(path)
    assert [(p.line, p.kind, p.text) for p in interview.paragraphs] == [
        (3, "lede", "Lede."),
        (6, "question", "Question one?"),
        (9, "answer", "Answer one."),
        (11, "continuation", "More of it."),
        (13, "question", "Question two?"),
        (15, "answer", "Answer two."),
    ]
    assert [p.line for p in interview.passages] == [9, 15]
    assert interview.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()


# --------------------------------------------------------------------------- sentences


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One. Two! Three? Four", ["One.", "Two!", "Three?", "Four"]),
        (
            "Mr. Smith met Dr. Jones on St. Mark's Place. Then lunch.",
            ["Mr. Smith met Dr. Jones on St. Mark's Place.", "Then lunch."],
        ),
        (
            "Kramer vs. Kramer won. It cost 3.5 million.",
            ["Kramer vs. Kramer won.", "It cost 3.5 million."],
        ),
        (
            "Bring fruit, e.g. Apples, i.e. Not pears. Done.",
            ["Bring fruit, e.g. Apples, i.e. Not pears.", "Done."],
        ),
        ("Pens, paper, etc. are here. We left.", ["Pens, paper, etc. are here.", "We left."]),
        (
            "J. R. R. Tolkien wrote it. Martin Luther King Jr. was there.",
            ["J. R. R. Tolkien wrote it.", "Martin Luther King Jr. was there."],
        ),
        (
            "It was a hit except the U.S. It was big in the U.S. too, later.",
            ["It was a hit except the U.S.", "It was big in the U.S. too, later."],
        ),
        (
            "I don't know … maybe. I waited... and waited... Then it came.",
            ["I don't know … maybe.", "I waited... and waited...", "Then it came."],
        ),
        ("It went on and on… Then it stopped.", ["It went on and on…", "Then it stopped."]),
        ("He said, “She’s the one.” Then he left.", ["He said, “She’s the one.”", "Then he left."]),
        (
            'I asked, "Why haven’t I seen that?" And nobody knew.',
            ['I asked, "Why haven’t I seen that?"', "And nobody knew."],
        ),
        (
            "She yelled “What?!” and ran. “Really!?” he asked.",
            ["She yelled “What?!” and ran.", "“Really!?” he asked."],
        ),
        (
            "We all deserve! – but you know. Yes — fine.",
            ["We all deserve! – but you know.", "Yes — fine."],
        ),
        ("See No. 5 on Jan. 3 for details. OK.", ["See No. 5 on Jan. 3 for details.", "OK."]),
        ("(It was late.) We slept.", ["(It was late.)", "We slept."]),
        ("Really? yes, really.", ["Really? yes, really."]),
        ("  Spaces  around.   ", ["Spaces  around."]),
        ("", []),
        ("   \n  ", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


@given(st.text(alphabet=st.sampled_from(list("ab A.?!…“”\"' \n-–3")), max_size=80))
def test_split_sentences_keeps_every_character(text: str) -> None:
    sentences = split_sentences(text)
    assert all(s and s == s.strip() for s in sentences)
    assert re.sub(r"\s", "", "".join(sentences)) == re.sub(r"\s", "", text)


# --------------------------------------------------------------------------- ids


def test_slugify() -> None:
    assert slugify("000_61add2952afc7ee4") == "000-61add2952afc7ee4"
    assert slugify("  Café Talk -- Part 2 ") == "cafe-talk-part-2"
    assert slugify("") == "untitled"
    assert slugify("!!!") != slugify("???")
    assert re.fullmatch(r"[a-z0-9-]+", slugify("!!!"))


def test_passage_id_shape_and_normalisation() -> None:
    pid = passage_id("iv", "Hello  world.\n\nAgain.")
    assert re.fullmatch(r"[0-9a-f]{12}", pid)
    assert pid == passage_id("iv", "Hello world. Again.")
    assert pid != passage_id("other", "Hello world. Again.")
    assert pid != passage_id("iv", "Hello world. Again.", occurrence=1)
    assert passage_id("iv", "x", 1) != passage_id("iv", "x", 2)


def test_ids_stable_across_parses_and_unrelated_additions() -> None:
    base = "What first?\nBaker: One.\nWhat next?\nBaker: Two.\nMore two.\n"
    meta = InterviewMeta(title="T", interviewee="Sean Baker")
    ids = [p.id for p in parse(base, meta).passages]
    assert ids == [p.id for p in parse(base, meta).passages]
    assert len(set(ids)) == 2
    grown = "Opening?\nBaker: A new answer.\n" + base
    grown_ids = [p.id for p in parse(grown, meta).passages]
    assert grown_ids[1:] == ids
    assert [p.position for p in parse(grown, meta).passages] == [0, 1, 2]


def test_identical_answers_get_distinct_ids() -> None:
    text = "Ready?\nBaker: Yes.\nSure?\nBaker: Yes.\nReally?\nBaker: Yes.\n"
    passages = parse(text, InterviewMeta(title="T", interviewee="Sean Baker")).passages
    assert len({p.id for p in passages}) == 3
    assert passages[0].id == passage_id("t", "Yes.")
    assert passages[2].id == passage_id("t", "Yes.", 2)


# --------------------------------------------------------------------------- bad files


def error_for(path: Path, meta: InterviewMeta | None = None) -> TranscriptError:
    with pytest.raises(TranscriptError) as info:
        read_transcript(path, meta)
    return info.value


def test_error_format(tmp_path: Path) -> None:
    path = write(tmp_path, "")
    err = error_for(path)
    assert (err.path, err.line) == (str(path), 1)
    assert str(err) == f"{path}:1: {err.message}"
    assert "empty" in err.message
    assert str(TranscriptError("f.txt", None, "gone")) == "f.txt: gone"


def test_not_utf8_points_at_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.txt"
    path.write_bytes("Q?\nBaker: fine\nBaker: caf\u00e9 ok\n".encode("latin-1"))
    err = error_for(path)
    assert err.line == 3
    assert "UTF-8" in err.message


def test_utf16_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "wide.txt"
    path.write_bytes("Q: Hi?\nA: Hello.\n".encode("utf-16"))
    err = error_for(path)
    assert err.line == 1 and "UTF-8" in err.message


@pytest.mark.parametrize("content", ["", "   \n\n\t \n"])
def test_empty_or_whitespace_only(tmp_path: Path, content: str) -> None:
    err = error_for(write(tmp_path, content))
    assert err.line == 1 and "empty" in err.message


def test_binary_nul_bytes(tmp_path: Path) -> None:
    path = tmp_path / "bin.txt"
    path.write_bytes(b"Q: hi?\nA: ok\x00\x00\x01\x02\n")
    err = error_for(path)
    assert err.line == 2 and "binary" in err.message


def test_binary_control_characters(tmp_path: Path) -> None:
    path = tmp_path / "ctl.txt"
    path.write_bytes(b"Q: hi?\nA: ok\nA: \x01\x02\x03\x04\x05\x06\x07\x08\n")
    err = error_for(path)
    assert err.line == 3 and "binary" in err.message


def test_no_speakers(tmp_path: Path) -> None:
    err = error_for(write(tmp_path, "\n\nJust some prose.\nMore prose: with a colon.\n"))
    assert err.line == 3 and "no speaker" in err.message


def test_only_interviewer_turns_has_no_answers(tmp_path: Path) -> None:
    err = error_for(write(tmp_path, "Q: Anyone there?\nQ: Hello?\n"))
    assert err.line == 1 and "no interviewee answers" in err.message


@pytest.mark.parametrize("alone", ["Baker:", "**Baker:**", "Sean Baker:   ", "A:"])
def test_speaker_label_alone_labels_the_next_paragraph(tmp_path: Path, alone: str) -> None:
    # Once a fatal "speaker line has no text": a label alone on its line (oral histories,
    # "Q:" then the question below it) labels the words that follow it.
    text = f"Lede.\nWhat first?\nSean Baker: One.\n\nWhat next?\n{alone}\nMore.\n"
    interview = read_transcript(write(tmp_path, text))
    assert [(p.line, p.kind) for p in interview.paragraphs][-2:] == [
        (5, "question"),
        (7, "answer"),
    ]
    assert interview.passages[-1].paragraphs == ("More.",)
    assert interview.passages[-1].question == "What next?"
    assert all(alone.strip("* ") not in p.text for p in interview.paragraphs)


def test_label_alone_at_the_end_is_dropped_not_fatal(tmp_path: Path) -> None:
    interview = read_transcript(write(tmp_path, "What first?\nSean Baker: One.\nBaker:\n"))
    assert [p.text for p in interview.passages] == ["One."]
    assert [(d.kind, d.text) for d in interview.dropped] == [("empty label", "Baker:")]


def test_seed_with_a_speaker_label_alone_on_its_line(tmp_path: Path) -> None:
    lines = SEED.read_text(encoding="utf-8").split("\n")
    lines[19] = "Baker:"  # line 20: its answer now belongs to the question below it
    interview = read_transcript(write(tmp_path, "\n".join(lines)))
    colors = next(p for p in interview.passages if p.line == 21)
    assert colors.paragraphs[0].startswith("A lot of your films are extremely colorful")
    assert colors.question is not None and colors.question.startswith("Yeah, the first")


# --------------------------------------------------------------------------- speed


def test_a_large_transcript_is_fast() -> None:
    """Parsing is linear: 3 s of CPU a megabyte at most. 2 MB in the default run, the full
    10 MB with QUOTEBOT_FUZZ=long (tests/longmode.py)."""
    size = budget(2_000_000, 10_000_000)
    seed = SEED.read_text(encoding="utf-8")
    body = seed.split("clarity.\n", 1)[1]
    text = seed + body * (size // len(body))
    started = time.process_time()  # CPU time: a busy machine does not count against it
    interview = parse(text)
    elapsed = time.process_time() - started
    assert len(interview.passages) == 9 * (1 + size // len(body))
    assert elapsed < 3 * size / 1_000_000


def test_pathological_lines_are_fast() -> None:
    nasty = "\n".join(["." * 200_000 + "x", "*" * 200_000, ":" * 200_000, "A. " * 100_000])
    started = time.process_time()  # CPU time: a busy machine does not count against it
    interview = parse("Q?\nBaker: Hi.\n" + nasty, InterviewMeta(title="T", interviewee="Baker"))
    assert time.process_time() - started < 10
    assert len(interview.passages[0].paragraphs) == 5


# --------------------------------------------------------------------------- names alone


def test_names_alone_on_their_line_are_labels_when_the_conversation_recurs() -> None:
    """Magazine style: "INTERVIEWER" and the guest's name each alone above the words, no
    colon; a name written in full once and by surname after is one person."""
    interview = parse(
        "INTERVIEWER\n\nWhere did you grow up?\n\nMARTA NOVAK\n\nIn Brno, above a bakery.\n\n"
        "INTERVIEWER\n\nDid you bake?\n\nNOVAK\n\nNever. I ate.\n\n"
        "INTERVIEWER\n\nAnd now?\n\nNOVAK\n\nNow I bake every Sunday.\n"
    )
    assert answered(interview) == [
        ("Marta Novak", "In Brno, above a bakery.", "Where did you grow up?"),
        ("Marta Novak", "Never. I ate.", "Did you bake?"),
        ("Marta Novak", "Now I bake every Sunday.", "And now?"),
    ]


def test_interviewer_alone_recurring_makes_a_name_seen_once_a_label() -> None:
    interview = parse(
        "INTERVIEWER\n\nWhat do you grow?\n\nJUNO PARK\n\nTomatoes, mostly.\n\n"
        "INTERVIEWER\n\nWhy tomatoes?\n\nBecause my mother did.\n"
    )
    assert interview.passages[0].speaker == "Juno Park"
    assert interview.passages[0].text.startswith("Tomatoes, mostly.")


def test_a_recurring_title_line_alone_is_not_a_speaker() -> None:
    """Section titles stand alone too; one that recurs is not a conversation, and labelled
    turns keep their speakers."""
    interview = parse(
        "Early Years\n\nHost: Where were you born?\n\nAda Moss: In Leeds.\n\n"
        "Early Years\n\nHost: And school?\n\nAda Moss: I left at fifteen.\n"
    )
    assert [p.speaker for p in interview.passages] == ["Ada Moss", "Ada Moss"]
    assert [p.text for p in interview.passages] == ["In Leeds.", "I left at fifteen."]


def test_bracket_and_dash_labels_only_when_the_file_takes_turns_in_them() -> None:
    turns = parse(
        "[Speaker 1] Where do you swim?\n[Speaker 2] In the harbour, all year.\n"
        "[Speaker 1] Even in winter?\n[Speaker 2] Especially in winter.\n"
    )
    assert [(p.speaker, p.text) for p in turns.passages] == [
        ("Speaker 2", "In the harbour, all year."),
        ("Speaker 2", "Especially in winter."),
    ]
    dashes = parse(
        "Host: Where did you live?\n\n"
        "Rosa Lind: Paris — the city I loved — and then Lyon.\n\n"
        "Host: Why Lyon?\n\nRosa Lind: Work. Lyon — for the work.\n"
    )
    assert [p.text for p in dashes.passages] == [
        "Paris — the city I loved — and then Lyon.",
        "Work. Lyon — for the work.",
    ]


def test_italic_questions_mark_a_blog_qa_and_the_lede_names_who_answers() -> None:
    interview = parse(
        "Ivo Marsh has kept lighthouses for thirty years. We asked him about the job.\n\n"
        "*Is it lonely?*\n\nNever. The sea talks all night.\n\n"
        "*What do you miss?*\n\nFresh bread.\n",
    )
    assert answered(interview) == [
        ("Ivo Marsh", "Never. The sea talks all night.", "Is it lonely?"),
        ("Ivo Marsh", "Fresh bread.", "What do you miss?"),
    ]


def test_html_entities_from_a_web_page_are_decoded_and_other_ampersands_kept() -> None:
    interview = parse(
        "Host: Why nights?\n\nKofi Asante: Bread doesn&#8217;t care &mdash; at 5&nbsp;a.m. "
        "either. AT&T and R&D; stay as written.\n"
    )
    assert interview.passages[0].text == (
        "Bread doesn’t care — at 5 a.m. either. AT&T and R&D; stay as written."
    )


def test_a_pull_quote_is_not_said_twice_but_a_blockquoted_answer_is_kept() -> None:
    interview = parse_transcript(
        "**Q:** How many crossings?\n\nAbout a hundred thousand. The river decides, I agree.\n\n"
        '> "The river decides, I agree."\n\n**Q:** And storms?\n\n> We stayed in port.\n',
        interview_id="t",
        source="t.md",
        meta=InterviewMeta(title="T"),
    )
    assert [p.text for p in interview.passages] == [
        "About a hundred thousand. The river decides, I agree.",
        "We stayed in port.",
    ]
    assert any(d.kind == "pull quote" for d in interview.dropped)


def test_numbered_questions_mark_a_qa_and_lose_their_numbers() -> None:
    interview = parse(
        "Walter Brandt, 81, has fixed typewriters since 1962.\n\n"
        "1. Who brings you typewriters?\n\nWriters, mostly.\n\n"
        "2. What's the hardest repair?\n\nA dropped machine.\n"
    )
    assert answered(interview) == [
        ("Walter Brandt", "Writers, mostly.", "Who brings you typewriters?"),
        ("Walter Brandt", "A dropped machine.", "What's the hardest repair?"),
    ]


def test_page_breaks_of_a_pdf_export_are_not_quoted() -> None:
    """Running footers with their page number, "[[Page 3]]" and bare page numbers are
    page furniture; a line the guest repeats is still what they said."""
    footer = "Harbour Oral History Project          Page {} of 4"
    interview = parse(
        "Host: Where did you work?\n\nAda Moss: At the docks, forty years.\n\n"
        f"{footer.format(1)}\n\x0cHost: Was it hard?\n\nAda Moss: Hard, yes.\n\n"
        f"{footer.format(2)}\n\x0c[[Page 3]]\n\nHost: Again?\n\nAda Moss: Hard, yes.\n\n"
        f"{footer.format(3)}\n\n12\n\nHost: Last?\n\nAda Moss: Hard, yes.\n"
    )
    assert [p.text for p in interview.passages] == [
        "At the docks, forty years.",
        "Hard, yes.",
        "Hard, yes.",
        "Hard, yes.",
    ]
    assert sum(d.kind == "page furniture" for d in interview.dropped) == 5
