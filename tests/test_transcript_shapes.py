"""Transcript parser: transcript shapes other than the seed's (Q&A, panels, name shapes, notes,
line endings) and speaker names alone on their line."""

from __future__ import annotations

import codecs
import hashlib
from pathlib import Path

import pytest
from transcript_helpers import answered, kinds, parse, write

from bot.models import InterviewMeta
from bot.transcript import parse_transcript, read_transcript

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
