"""Rules found by held-out round 8 (README "Transcript layouts"), on text that is no fixture's.

Round 8's files are scored by benchmarks/bench_transcripts.py; those the parser was fixed on
are asserted whole by test_transcript_layouts.py once they move to the tuning set.
"""

from __future__ import annotations

from bot.models import Interview, InterviewMeta
from bot.transcript import parse_transcript


def parse(text: str, source: str = "t.txt") -> Interview:
    return parse_transcript(text, interview_id="t", source=source, meta=InterviewMeta(title="T"))


def said(interview: Interview) -> list[tuple[str, str, str | None]]:
    return [(p.speaker, p.text, p.question) for p in interview.passages]


def roles(interview: Interview) -> dict[str, str]:
    return {r.name: r.role for r in interview.roles}


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
