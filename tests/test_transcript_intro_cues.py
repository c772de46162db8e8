"""Who an intro sentence names as the guest and who as the journalist."""

from __future__ import annotations

from bot.models import Interview, InterviewMeta
from bot.transcript import parse_transcript
from bot.transcript.roles import Cue, find_cues


def parse(text: str, source: str = "t.md") -> Interview:
    return parse_transcript(text, interview_id="t", source=source, meta=InterviewMeta(title="T"))


def test_third_person_intro_spoke_with_names_the_journalist_not_a_guest() -> None:
    text = (
        "# A conversation with diver Curtis Boone\n\n"
        "*Curtis Boone spent 24 years as a saturation diver. He spoke with Priya Natarajan.*\n\n"
        "**Priya Natarajan:** What is a saturation diver?\n\n"
        "**Curtis Boone:** You live under pressure for weeks at a time in a steel chamber.\n\n"
        "**Priya Natarajan:** How did you get into it?\n\n"
        "**Curtis Boone:** My uncle was a welder on the shrimp boats in Louisiana.\n"
    )
    interview = parse(text)
    assert {(p.speaker, p.role) for p in interview.passages} == {("Curtis Boone", "interviewee")}
    assert interview.passages[0].question == "What is a saturation diver?"


def test_who_spoke_with_whom_decides_the_role_the_named_person_gets() -> None:
    asked = Cue("interviewer", "Priya Natarajan")
    assert find_cues("He spoke with Priya Natarajan.") == [asked]
    assert find_cues("Curtis Boone talked with Priya Natarajan last May.") == [asked]
    guest = Cue("interviewee", "Ann Lee")
    assert find_cues("Today we spoke with Ann Lee.") == [guest]
    assert find_cues("I sat down with Ann Lee.") == [guest]
    assert find_cues("We talked with Ann Lee.") == [guest]
