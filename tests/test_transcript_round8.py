"""Rules found by held-out round 8 (README "Transcript layouts"), on text that is no fixture's.

Round 8's files are scored by benchmarks/bench_transcripts.py; those the parser was fixed on
are asserted whole by test_transcript_layouts.py once they move to the tuning set.
"""

from __future__ import annotations

import pytest

from bot.transcript import TranscriptError
from tests.transcript_helpers import parse, roles, said


def test_a_capitals_name_after_a_mixed_case_honorific_is_title_cased() -> None:
    text = (
        "OKAFOR: How long have you kept bees?\n\n"
        "Mr. TOBIAS FENN (Beekeeper): Since I was nine.\n\n"
        "OKAFOR: And the hives?\n\n"
        "Mr. FENN: Twelve, all on the allotment.\n"
    )
    interview = parse(text)
    assert {p.speaker for p in interview.passages} == {"Tobias Fenn"}


def test_a_host_naming_themself_in_an_unlabelled_opening_is_the_interviewer() -> None:
    text = (
        "This is MORNING DESK. I'm Rosa Lindqvist, in Chicago.\n\n"
        "Our guest has mapped every alley in the city.\n\n"
        "Mr. PAVEL OSTROWSKI (Cartographer): Thanks, Rosa. Glad to be here.\n\n"
        "LINDQVIST: Why alleys? Most people never look at them.\n\n"
        "Mr. OSTROWSKI: Because that's where the city keeps its secrets, honestly.\n\n"
        "LINDQVIST: Pavel Ostrowski, thank you.\n\n"
        "Mr. OSTROWSKI: Thank you.\n"
    )
    interview = parse(text)
    assert roles(interview)["Rosa Lindqvist"] == "interviewer"
    assert {p.speaker for p in interview.passages} == {"Pavel Ostrowski"}


def test_an_im_that_names_no_one_is_no_host() -> None:
    text = (
        "I'm Sure it rained that week.\n\n"
        "Ada Moss: What do you remember?\n\n"
        "Ben Hale: The river, mostly, and the noise it made at night.\n"
    )
    assert "Sure" not in " ".join(r.name for r in parse(text).roles)


def test_a_label_noted_as_a_caller_is_no_interviewee() -> None:
    text = (
        "HOST: Welcome back. We're talking about lighthouses with Margit Hale.\n\n"
        "MARGIT HALE: Happy to be here.\n\n"
        "HOST: Let's take a call. June, go ahead.\n\n"
        "JUNE (Caller): My uncle kept a light on Lake Erie. Did yours ever go out?\n\n"
        "MARGIT HALE: Once, in a blizzard, for eleven minutes.\n\n"
        "JUNE: Thank you so much, that's a lovely story to hear.\n"
    )
    interview = parse(text)
    assert roles(interview)["June"] == "other"
    assert {p.speaker for p in interview.passages} == {"Margit Hale"}


def test_name_dash_job_lines_label_the_paragraph_below_however_often_they_recur() -> None:
    turn = "Ivo Brandt -- Chief Executive Officer\n\n"
    text = (
        "Operator\n\nWelcome to the Larkmoor Mills call. Please go ahead.\n\n"
        f"{turn}Thanks. Flour volumes rose nine percent.\n\n"
        "Operator\n\nOur first question comes from Ada Rowe.\n\n"
        "Ada Rowe -- Fenwick Partners -- Analyst\n\nIvo, what drove the rise?\n\n"
        f"{turn}Bakeries, mostly. Two new chains signed in March.\n\n"
        "Ada Rowe -- Fenwick Partners -- Analyst\n\nAnd pricing, Ivo?\n\n"
        f"{turn}Flat, and we expect it to stay flat.\n"
    )
    interview = parse(text)
    assert said(interview) == [
        (
            "Ivo Brandt",
            "Thanks. Flour volumes rose nine percent.",
            "Welcome to the Larkmoor Mills call. Please go ahead.",
        ),
        (
            "Ivo Brandt",
            "Bakeries, mostly. Two new chains signed in March.",
            "Ivo, what drove the rise?",
        ),
        ("Ivo Brandt", "Flat, and we expect it to stay flat.", "And pricing, Ivo?"),
    ]
    assert roles(interview)["Operator"] != "interviewee"


def test_a_call_participants_list_after_the_turns_ends_the_transcript() -> None:
    text = (
        "Operator: Our first question comes from Ada Rowe.\n\n"
        "Ada Rowe: What drove the rise?\n\n"
        "Ivo Brandt: Bakeries, mostly.\n\n"
        "Duration: 41 minutes\n\n"
        "Call participants:\n\n"
        "Ivo Brandt -- Chief Executive Officer\n\n"
        "Ada Rowe -- Fenwick Partners -- Analyst\n\n"
        "All earnings call transcripts\n\n"
        "This article is a transcript of this conference call.\n"
    )
    assert said(parse(text)) == [("Ivo Brandt", "Bakeries, mostly.", "What drove the rise?")]


def test_a_sentence_after_a_dash_label_stays_speech() -> None:
    text = (
        "OLA -- Where did you grow up?\n\n"
        "BEN -- In Leeds, by the canal.\n\n"
        "OLA -- And now?\n\n"
        "BEN -- Still Leeds. Different canal.\n"
    )
    assert [p.text for p in parse(text).passages] == [
        "In Leeds, by the canal.",
        "Still Leeds. Different canal.",
    ]


def test_a_conference_calls_operator_is_never_quoted() -> None:
    text = (
        "Ivo Brandt: Thanks for joining. Flour volumes rose nine percent this quarter.\n\n"
        "Operator: Thank you. We will now begin the question-and-answer session. To ask a "
        "question, press star then one on your telephone keypad. Our first question comes "
        "from Ada Rowe of Fenwick Partners. Please go ahead, your line is open.\n\n"
        "Ada Rowe: What drove it?\n\n"
        "Ivo Brandt: Bakeries.\n\n"
        "Operator: This concludes today's conference call. Thank you for attending the "
        "presentation today, you may now disconnect your lines and have a good day.\n"
    )
    interview = parse(text)
    assert {p.speaker for p in interview.passages} == {"Ivo Brandt"}
    assert roles(interview)["Operator"] == "other"


def test_chevron_turns_run_together_in_one_paragraph_are_split_at_each_chevron() -> None:
    text = (
        ">> Welcome to the noon lecture series. >> Ines Hart: Today I'm talking with the "
        "boat builder Tom Vey. Tom, how did you start? >> Tom Vey: I swept my father's "
        "shed for ten years before he let me hold a plane. [laughter] >> Ines Hart: And "
        "now? >> Tom Vey: Now my daughter sweeps mine. >> Thank you for watching.\n"
    )
    interview = parse(text)
    assert [(s, t, q) for s, t, q in said(interview)] == [
        (
            "Tom Vey",
            "I swept my father's shed for ten years before he let me hold a plane.",
            "Today I'm talking with the boat builder Tom Vey. Tom, how did you start?",
        ),
        ("Tom Vey", "Now my daughter sweeps mine.", "And now?"),
    ]


def test_transcript_cards_with_sentiment_and_time_range_read_as_turns() -> None:
    def card(name: str, mood: str, span: str, words: str, n: int) -> str:
        return f'{name}\n\n{mood}\n{span}\n"{words}" {n}\n\n'

    text = (
        "Town hall with Mayor Iris Dunn - May 2, 2024\n\n"
        + card("Iris Dunn", "Neutral", "00:00:00-00:00:06 (6 sec)", "Evening, everyone.", 1)
        + card("Question", "Neutral", "00:00:06-00:00:09 (3 sec)", "When will the pool open?", 2)
        + card("Note", "Neutral", "00:00:09-00:00:09 ( sec)", "[Applause]", 3)
        + card("Iris Dunn", "Very Positive", "00:00:09-00:00:15 (6 sec)", "In June, I hope.", 4)
        + "Share this page\n"
    )
    assert said(parse(text)) == [
        ("Iris Dunn", "Evening, everyone.", None),
        ("Iris Dunn", "In June, I hope.", "When will the pool open?"),
    ]


def test_an_ad_slot_with_dots_and_a_disclosure_footer_are_no_part_of_the_last_answer() -> None:
    text = (
        "Advertisement...\n\n"
        "Lena Cho: Is spring the big season?\n\n"
        "Raj Patel: By a mile.\n\n"
        "Lena Cho: Thanks, Raj.\n\n"
        "Raj Patel: Thanks, Lena.\n\n"
        "Advertisement...\n\n"
        "Lena Cho has no position in any of the stocks mentioned. Raj Patel has positions "
        "in Greenlow. The Example Fool has a disclosure policy.\n"
    )
    assert [p.text for p in parse(text).passages] == ["By a mile.", "Thanks, Lena."]


def test_a_news_pages_own_link_lines_are_no_part_of_an_answer() -> None:
    text = (
        "Q: What's next?\n\n"
        "A: A long rest, and then the garden.\n\n"
        "Share\n\nReuse this content\n\nMost viewed\n\nBack to Top\n"
    )
    assert [p.text for p in parse(text).passages] == ["A long rest, and then the garden."]


def test_a_recurring_the_press_label_inside_subtitle_cues_is_a_speaker() -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:03,000\nMr. Okoro: Good afternoon.\n\n"
        "2\n00:00:03,000 --> 00:00:05,000\nThe Press: Will the bridge\nreopen this week?\n\n"
        "3\n00:00:05,000 --> 00:00:07,000\nMr. Okoro: Friday, if the\ninspection passes.\n\n"
        "4\n00:00:07,000 --> 00:00:09,000\nThe Press: And the cost?\n\n"
        "5\n00:00:09,000 --> 00:00:11,000\nMr. Okoro: About two million.\n"
    )
    assert said(parse(text, source="t.srt")) == [
        ("Mr. Okoro", "Good afternoon.", None),
        ("Mr. Okoro", "Friday, if the inspection passes.", "Will the bridge reopen this week?"),
        ("Mr. Okoro", "About two million.", "And the cost?"),
    ]


def test_a_briefings_closing_line_ends_the_transcript_when_no_turn_follows() -> None:
    text = (
        "MR HALE: Good afternoon.\n\n"
        "QUESTION: Is the embassy open?\n\n"
        "MR HALE: It reopens Monday.\n\n"
        "(The briefing was concluded at 1:12 p.m.)\n\n"
        "Back to Top\n\n"
        "Office of the Spokesperson\n"
        "Ministry of Everything\n"
    )
    assert [p.text for p in parse(text).passages][-1] == "It reopens Monday."


def test_a_recess_note_with_turns_after_it_ends_nothing() -> None:
    text = (
        "CHAIR: Please begin.\n\n"
        "MS ORR: Thank you. The river rose four feet.\n\n"
        "(The hearing was adjourned for lunch.)\n\n"
        "CHAIR: Welcome back. What happened next?\n\n"
        "MS ORR: The levee held.\n"
    )
    assert [p.text for p in parse(text).passages][-1] == "The levee held."


def test_a_web_qa_copied_without_its_bold_reads_questions_ending_in_a_question_mark() -> None:
    text = (
        "Skip to main content\nSign in\n\nFood\n\n"
        "‘Bread is patience’: Mara Quist on forty years of night shifts\n\n"
        "Mara Quist has baked for the same corner shop since 1984. She starts at two.\n\n"
        "When do you sleep?\nIn the afternoon, with the curtains pinned shut.\n\n"
        "Mara Quist at her oven in Leith. Photograph: Ian Doe/The Paper\n\n"
        "What’s the hardest loaf?\nRye. It never forgives you.\n\n"
        "Will you retire?\nWhen my knees say so.\n\n"
        "This interview has been edited and condensed for clarity.\n\n"
        "Explore more on these topics\nFood\nBaking\n"
    )
    assert said(parse(text)) == [
        ("Mara Quist", "In the afternoon, with the curtains pinned shut.", "When do you sleep?"),
        ("Mara Quist", "Rye. It never forgives you.", "What’s the hardest loaf?"),
        ("Mara Quist", "When my knees say so.", "Will you retire?"),
    ]


def test_prose_with_a_couple_of_questions_is_still_no_interview() -> None:
    text = (
        "Why do rivers bend?\nBecause the outside of a curve erodes faster.\n\n"
        "And why does that matter?\nBecause towns were built on the bends.\n\n"
        "The rest of this essay is about mills.\n"
    )
    with pytest.raises(TranscriptError):
        parse(text)


def test_an_unlabelled_opening_where_the_host_names_themself_is_the_first_question() -> None:
    text = (
        "Lighthouse stories\n\n"
        "This is MORNING DESK. I'm Rosa Lindqvist, in Chicago.\n\n"
        "Our guest kept a light for forty years. Welcome.\n\n"
        "Ms. IDA MORROW (Keeper): Thanks, Rosa. Glad to be here.\n\n"
        "LINDQVIST: What was the hardest night?\n\n"
        "Ms. MORROW: The night the lamp failed in a gale.\n"
    )
    assert said(parse(text)) == [
        (
            "Ida Morrow",
            "Thanks, Rosa. Glad to be here.",
            "Our guest kept a light for forty years. Welcome.",
        ),
        ("Ida Morrow", "The night the lamp failed in a gale.", "What was the hardest night?"),
    ]
