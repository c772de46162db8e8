"""Rules for the classes still open after round 8 (README "Transcript layouts"), found from
held-out misses and written on text that is no fixture's.

The r9b_* tuning fixtures are asserted whole by test_transcript_layouts.py.
"""

from __future__ import annotations

import pytest

from bot.models import InterviewMeta
from bot.transcript import TranscriptError
from tests.transcript_helpers import parse, roles, said


def test_a_name_and_its_time_with_no_colon_label_the_words_after_them() -> None:
    text = (
        "Pim Okoro (00:00:04) Welcome in, Lale. How did the orchard start?\n"
        "Lale Stroud (00:00:09) With one pear tree my grandfather planted.\n"
        "Pim Okoro [00:01:15] And now?\n"
        "Lale Stroud 00:01:17 Four hundred trees and a cider press.\n"
    )
    assert said(parse(text)) == [
        (
            "Lale Stroud",
            "With one pear tree my grandfather planted.",
            "Welcome in, Lale. How did the orchard start?",
        ),
        ("Lale Stroud", "Four hundred trees and a cider press.", "And now?"),
    ]


def test_a_time_after_a_capitalised_word_once_is_speech() -> None:
    text = (
        "Pim Okoro: When did the press arrive?\n\n"
        "Lale Stroud: Tuesday 10:30 sharp, on a lorry far too big for the lane.\n\n"
        "Pim Okoro: And the first cider?\n\n"
        "Lale Stroud: Christmas.\n"
    )
    assert said(parse(text))[0][1].startswith("Tuesday 10:30 sharp")


def test_an_unheard_question_is_no_question_and_ends_the_answer_before_it() -> None:
    text = (
        "Q: Minister, when does the tunnel open?\n\n"
        "MINISTER ILVES: In May, if the tests pass.\n\n"
        "Q: (Off-mike.)\n\n"
        "MINISTER ILVES: No, the tolls stay as they are.\n\n"
        "QUESTION: (Inaudible.)\n\n"
        "MINISTER ILVES: Twice a year.\n"
    )
    assert said(parse(text)) == [
        ("Minister Ilves", "In May, if the tests pass.", "Minister, when does the tunnel open?"),
        ("Minister Ilves", "No, the tolls stay as they are.", None),
        ("Minister Ilves", "Twice a year.", None),
    ]


def test_an_unheard_question_alone_on_its_line_splits_one_speakers_answers() -> None:
    text = (
        "MODERATOR: Questions from the floor, please.\n\n"
        "AUDIENCE MEMBER: Why did the ferry stop running?\n\n"
        "KEIRA: The operator went bust in March.\n\n"
        "(Inaudible question from the audience.)\n\n"
        "KEIRA: Not this year, no.\n\n"
        "AUDIENCE MEMBER: And next year?\n\n"
        "KEIRA: We hope so.\n"
    )
    assert [(s, t, q) for s, t, q in said(parse(text))] == [
        ("Keira", "The operator went bust in March.", "Why did the ferry stop running?"),
        ("Keira", "Not this year, no.", None),
        ("Keira", "We hope so.", "And next year?"),
    ]


def test_an_inaudible_word_alone_inside_an_answer_splits_nothing() -> None:
    text = (
        "HOST: What was the winter like?\n\n"
        "NELL VORSTER: Long. The lake froze in November.\n\n"
        "(inaudible)\n\n"
        "NELL VORSTER: And it stayed frozen until April.\n\n"
        "HOST: Did you skate?\n\n"
        "NELL VORSTER: Every day.\n"
    )
    first = said(parse(text))[0]
    assert first[1].endswith("And it stayed frozen until April.")


def test_an_unlabelled_statement_before_the_questions_is_the_answerers_opening() -> None:
    text = (
        "Briefing by Odile Brandvold, Spokesperson\n\n"
        "Good morning. I'll begin with the harvest figures, which came in this week.\n\n"
        "They are the best in a decade, and the credit goes to the growers.\n\n"
        "Questions From the Floor\n\n"
        "Question: Odile, will prices fall?\n\n"
        "Spokesperson: Not this year, no.\n\n"
        "Question: Why not?\n\n"
        "Spokesperson: Fuel.\n"
    )
    assert said(parse(text)) == [
        (
            "Odile Brandvold",
            "Good morning. I'll begin with the harvest figures, which came in this week.\n\n"
            "They are the best in a decade, and the credit goes to the growers.",
            None,
        ),
        ("Odile Brandvold", "Not this year, no.", "Odile, will prices fall?"),
        ("Odile Brandvold", "Fuel.", "Why not?"),
    ]


def test_a_lede_or_a_host_opening_before_the_questions_stays_unquoted() -> None:
    lede = (
        "I met the boatbuilder in her yard on a grey morning, and she talked for hours.\n\n"
        "Q: How old is the yard?\n\nTOVE RINGDAL: A hundred years.\n\n"
        "Q: And you?\n\nTOVE RINGDAL: Not quite.\n"
    )
    host = (
        "Good evening, and welcome to Harbour Hour, where I talk with the people of the coast.\n\n"
        "HOST: Tove, how old is the yard?\n\nTOVE RINGDAL: A hundred years.\n\n"
        "HOST: And you?\n\nTOVE RINGDAL: Not quite.\n"
    )
    post = (
        "Hi all! I build wooden boats. Proof: https://example.com/me.jpg Ask me anything.\n\n"
        "Q: How old is the yard?\n\nTOVE RINGDAL: A hundred years.\n\n"
        "Q: And you?\n\nTOVE RINGDAL: Not quite.\n"
    )
    for text in (lede, host, post):
        assert [t for _, t, _ in said(parse(text))] == ["A hundred years.", "Not quite."]


def test_lower_case_labels_after_chevrons_are_labels() -> None:
    text = (
        ">> host: we're back with a beekeeper from fresno. good morning.\n"
        ">> guest: morning! happy to be here.\n"
        ">> host: how many hives?\n"
        ">> guest: sixty, on nine farms.\n"
        ">> senator oyler: and the mites?\n"
        ">> guest: we treat twice a year.\n"
    )
    interview = parse(text)
    assert said(interview) == [
        (
            "Guest",
            "morning! happy to be here.",
            "we're back with a beekeeper from fresno. good morning.",
        ),
        ("Guest", "sixty, on nine farms.", "how many hives?"),
        ("Guest", "we treat twice a year.", "and the mites?"),
    ]
    assert roles(interview)["Senator Oyler"] != "interviewee"


def test_a_callers_statement_is_what_the_guest_answers() -> None:
    text = (
        "HOST: Let's go to the phones. Dale in Reno, go ahead.\n\n"
        "CALLER: I farm alfalfa and the water bill tripled this year.\n\n"
        "GUEST: That's the new tiered rate, Dale, and it hits farms hardest.\n\n"
        "HOST: Is it fair?\n\n"
        "GUEST: Not yet.\n"
    )
    assert said(parse(text))[0][2] == "I farm alfalfa and the water bill tripled this year."


def test_a_chevron_label_mid_line_opens_a_turn() -> None:
    text = (
        ">> host: with us is a welder who\n"
        "builds bridges. good morning. >> guest: good\n"
        "morning to you.\n"
        ">> host: what do you weld?\n"
        ">> guest: mostly railings, and\n"
        "the odd footbridge.\n"
    )
    assert [(s, t) for s, t, _ in said(parse(text))] == [
        ("Guest", "good morning to you."),
        ("Guest", "mostly railings, and the odd footbridge."),
    ]


BARE = (
    ">> good evening. my guest wrote a book about ferries. his name is tobiah quennell.\n"
    ">> thanks for having me.\n"
    ">> why ferries?\n"
    ">> my father ran one across the sound for thirty years.\n"
    ">> and the book?\n"
    ">> ten years of his logbooks.\n"
)


def test_bare_lower_case_chevrons_alternate_from_the_turn_naming_the_sidecars_guest() -> None:
    interview = parse(BARE, InterviewMeta(title="T", interviewees=("Tobiah Quennell",)))
    assert said(interview) == [
        (
            "Tobiah Quennell",
            "thanks for having me.",
            "good evening. my guest wrote a book about ferries. his name is tobiah quennell.",
        ),
        ("Tobiah Quennell", "my father ran one across the sound for thirty years.", "why ferries?"),
        ("Tobiah Quennell", "ten years of his logbooks.", "and the book?"),
    ]


def test_bare_chevrons_nobody_names_are_refused_with_what_to_do() -> None:
    with pytest.raises(TranscriptError, match=r"only by '>>'.*sidecar"):
        parse(BARE)


def test_lower_case_labels_mid_line_in_a_lower_case_caption_dump_are_labels() -> None:
    text = (
        "7:02 am\n"
        "and more after the break. host: we are joined by a glazier from tulsa. good\n"
        "morning. guest: good morning to you. host: how is business? guest: busier than\n"
        "ever, hail season. host: and prices? guest: up a third since spring.\n"
        ">> we'll have more after this. brennan: hello again. is that me? brennan: sorry.\n"
    )
    assert [(s, t, q) for s, t, q in said(parse(text))][:3] == [
        ("Guest", "good morning to you.", "we are joined by a glazier from tulsa. good morning."),
        ("Guest", "busier than ever, hail season.", "how is business?"),
        ("Guest", "up a third since spring.", "and prices?"),
    ]


def test_a_colon_mid_line_in_lower_case_prose_is_no_label() -> None:
    text = (
        "sam: what did you say to him? be honest. he told me you shouted.\n\n"
        "kai: the truth. short version: i was tired of the city. it was loud.\n\n"
        "sam: and then? you always said you would never leave. not for money.\n\n"
        "kai: i left. short version: it took three years. and a lot of boxes.\n"
    )
    texts = [t for _, t, _ in said(parse(text))]
    assert texts == [
        "the truth. short version: i was tired of the city. it was loud.",
        "i left. short version: it took three years. and a lot of boxes.",
    ]


def test_named_counsel_whose_turns_are_procedure_are_never_quoted() -> None:
    text = (
        "MR. ABARA: Where were you on the night of the fire?\n\n"
        "THE WITNESS: At the depot, on the late shift.\n\n"
        "MS. QUIGLEY-HART: Objection. Vague as to time.\n\n"
        "MR. ABARA: You can answer.\n\n"
        "THE WITNESS: From ten until six.\n\n"
        "MS. QUIGLEY-HART: For the record, the witness has the rota in front of her.\n\n"
        "MR. ABARA: Who else was there?\n\n"
        "THE WITNESS: Nobody. That was the problem.\n\n"
        "MS. QUIGLEY-HART: No questions from us. We reserve the rest.\n"
    )
    interview = parse(text, InterviewMeta(title="T"))
    assert {s for s, _, _ in said(interview)} == {"The Witness"}
    assert roles(interview)["Ms. Quigley-Hart"] == "other"


def test_a_witness_who_says_for_the_record_once_is_still_quoted() -> None:
    text = (
        "MR. ABARA: Where were you that night?\n\n"
        "DELLA FRY: For the record, I was at home.\n\n"
        "MR. ABARA: Alone?\n\n"
        "DELLA FRY: With my sister, who stayed until midnight.\n\n"
        "MR. ABARA: And then?\n\n"
        "DELLA FRY: I went to bed and heard the sirens at two.\n"
    )
    assert {s for s, _, _ in said(parse(text))} == {"Della Fry"}


def test_an_instruction_after_an_objection_leaves_the_question_standing() -> None:
    text = (
        "MR. ABARA: Where were you on the night of the fire?\n\n"
        "DELLA FRY: At the depot.\n\n"
        "MR. ABARA: From when?\n\n"
        "MS. QUIGLEY-HART: Objection. Vague.\n\n"
        "MR. ABARA: You can answer.\n\n"
        "DELLA FRY: From ten until six.\n"
    )
    assert said(parse(text))[1] == ("Della Fry", "From ten until six.", "From when?")
