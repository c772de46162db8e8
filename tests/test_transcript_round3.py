"""Rules found by held-out rounds 3 and 4 (README "Transcript layouts"), one small file each.

The fixtures those rounds were fixed on are asserted whole by test_transcript_layouts.py;
these pin each general rule on text that is not any fixture's.
"""

from __future__ import annotations

from bot.models import Interview
from tests.transcript_helpers import parse


def credits(interview: Interview) -> list[tuple[str, str, str]]:
    return [
        (p.speaker, p.text.split()[0], (p.question or "").split(" ")[0]) for p in interview.passages
    ]


def test_a_titled_surname_label_takes_the_full_name_the_header_gives() -> None:
    text = (
        "Remarks by Mayor Ines Okoro and Fire Commissioner Dan Reyes\n\n"
        "MAYOR OKORO: Good morning. The bridge reopens on Monday.\n\n"
        "Q    Mayor, why did it take a year?\n\n"
        "MAYOR OKORO: Because the steel came from one mill and that mill burned.\n\n"
        "Q    Commissioner, was anyone hurt?\n\n"
        "COMMISSIONER REYES: Nobody was hurt, and nobody will be.\n"
    )
    interview = parse(text)
    assert credits(interview) == [
        ("Ines Okoro", "Good", ""),
        ("Ines Okoro", "Because", "Mayor,"),
        ("Dan Reyes", "Nobody", "Commissioner,"),
    ]


def test_an_asking_office_keeps_its_label_unless_the_text_writes_it_before_the_name() -> None:
    text = (
        "Hon. Ruth Calloway (chairman of the committee) presiding.\n\n"
        "Senator Calloway: Ms. Haney, how many notices did you issue?\n\n"
        "Ms. Haney: Nine, most of them after main breaks in winter.\n\n"
        "Senator Calloway: How many staff do you have?\n\n"
        "Ms. Haney: None full time, which is the whole problem.\n"
    )
    interview = parse(text)
    roles = {r.name: r.role for r in interview.roles}
    assert roles["Senator Calloway"] == "interviewer"
    assert {p.speaker for p in interview.passages} == {"Ms. Haney"}


def test_an_echo_of_the_last_words_does_not_split_an_answer_but_an_echoed_question_does() -> None:
    def answers(echo: str) -> list[str]:
        text = (
            "Interviewer: Where did your mother cook?\n\n"
            "Esther Hollins: In the packing shed, for forty men, three meals a day.\n\n"
            f"Interviewer: {echo}\n\n"
            "Esther Hollins: And she never once burned the rice.\n\n"
            "Interviewer: What came after the shed?\n\n"
            "Esther Hollins: The cannery, when I was fifteen.\n"
        )
        return [p.text.split(".")[0] for p in parse(text).passages]

    assert len(answers("Forty men.")) == 2
    assert len(answers("Forty men?")) == 3


def test_a_line_numbered_deposition_reads_as_q_and_a_with_its_witness_and_objections() -> None:
    text = (
        "                                             Page 4\n"
        " 1        DEPOSITION OF MARGARET A. ELLISON\n"
        " 2   BY MR. HALL:\n"
        " 3        Q.   Is that your signature at the\n"
        " 4   bottom of the page?\n"
        " 5             MS. PARK:  Objection. Form.\n"
        " 6             THE WITNESS:  It is. I signed it the\n"
        " 7   next morning.\n"
        " 8        Q.   Who ran the crane?\n"
        " 9        A.   Danny Reyes, who had been on for\n"
        "10   eleven hours by then.\n"
        "11        Q.   Did you say so in your report?\n"
        "12        A.   I did, in the second paragraph.\n"
        "13        Q.   And the seal on the door?\n"
        "14        A.   Still on it, unbroken.\n"
        "15             MR. HALL:  Nothing further.\n"
        "16\n"
    )
    interview = parse(text)
    assert credits(interview) == [
        ("Margaret A. Ellison", "It", "Is"),
        ("Margaret A. Ellison", "Danny", "Who"),
        ("Margaret A. Ellison", "I", "Did"),
        ("Margaret A. Ellison", "Still", "And"),
    ]
    assert interview.passages[1].text == "Danny Reyes, who had been on for eleven hours by then."


def test_nameless_caption_turns_alternate_between_the_host_and_the_guest_introduced() -> None:
    # Auto-captions break a line every few words, wherever the sentence is.
    lines = [
        ">> welcome back. my guest today is potter",
        "June Alvarez, who fires a wood kiln",
        "in the hills. June, welcome.",
        ">> thanks for having me on the",
        "show.",
        ">> how long does a firing of that",
        "kiln take?",
        ">> five days, and somebody stays",
        "awake the whole time to feed",
        "the fire.",
        ">> who stays awake?",
        ">> usually me.",
    ]
    text = "\n".join(f"0:{2 * i:02d}\n{line}" for i, line in enumerate(lines))
    interview = parse(text)
    assert credits(interview) == [
        ("June Alvarez", "thanks", "welcome"),
        ("June Alvarez", "five", "how"),
        ("June Alvarez", "usually", "who"),
    ]
    assert interview.passages[1].text == (
        "five days, and somebody stays awake the whole time to feed the fire."
    )


def test_a_dashed_two_speaker_cue_gives_each_voice_its_line() -> None:
    text = (
        "WEBVTT\n\n"
        "1\n00:00:01.000 --> 00:00:03.000\nDANA: What is the hardest thing to teach?\n\n"
        "2\n00:00:03.500 --> 00:00:06.000\nMILO: To keep turning the pipe.\n\n"
        "3\n00:00:06.500 --> 00:00:08.000\n- Even for a second?\n- Even for a second.\n\n"
        "4\n00:00:08.500 --> 00:00:09.000\n(furnace roaring)\n"
    )
    interview = parse(text, source="t.vtt")
    texts = [(p.speaker, p.text, p.question) for p in interview.passages]
    assert texts[-1] == ("Milo", "Even for a second.", "Even for a second?")
    assert all("roaring" not in p.text for p in interview.passages)


def test_a_briefing_clock_line_is_debris_not_a_question() -> None:
    text = (
        "10:31 A.M. CDT\n\n"
        "MAYOR ALCOTT: Good morning, everyone.\n\n"
        "Q    Mayor, is the fire out?\n\n"
        "MAYOR ALCOTT: It is contained, not out.\n"
    )
    interview = parse(text)
    assert all("A.M." not in (p.question or "") for p in interview.passages)
    assert any(d.kind == "timestamp" and "10:31" in d.text for d in interview.dropped)


def test_a_surname_label_stays_with_the_full_name_label_even_past_a_suffix() -> None:
    text = (
        "At 74, Lionel Batiste Jr. still plays five nights a week.\n"
        "Where did you learn?\n"
        "Lionel Batiste Jr.: In my aunt's front room, on an upright half a step flat.\n"
        "Who were your heroes?\n"
        "Batiste: Professor Longhair, first and last.\n"
    )
    assert {p.speaker for p in parse(text).passages} == {"Lionel Batiste Jr"}


def test_a_court_reporters_footer_block_goes_and_the_sentence_goes_on_over_the_page() -> None:
    footer = (
        "\n          ANDERSON COURT REPORTING\n          500 Montgomery Street, Suite 400\n"
        "          Alexandria, VA 22314\n          Phone (703) 519-7180\n\n{page}\n\n"
    )
    text = (
        "MR. ASHE: What did you mean by the least glamorous machine?\n\n"
        "SECRETARY HOLT: Nobody thinks about the grid until it fails, and it has to\n"
        "balance supply and demand every second,\n"
        + footer.format(page=2)
        + "and it was built for plants you could turn like a dial.\n\n"
        "MR. ASHE: Why are the lines so hard?\n"
        + footer.format(page=3)
        + "SECRETARY HOLT: Permits, in three or four states at once.\n"
        + footer.format(page=4)
    )
    interview = parse(text)
    first = interview.passages[0].text
    assert first.endswith("every second, and it was built for plants you could turn like a dial.")
    assert "\n" not in first
    assert all("Phone" not in p.text and "VA 22314" not in p.text for p in interview.passages)
