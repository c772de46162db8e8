"""Rules found by held-out round 6 (README "Transcript layouts"), on text that is no fixture's.

Round 6's files are scored by benchmarks/bench_transcripts.py; those the parser was fixed on
are asserted whole by test_transcript_layouts.py once they move to the tuning set.
"""

from __future__ import annotations

from bot.transcript import roles
from bot.transcript.names import split_label
from bot.transcript.roles import Cue, SpeakerStats, assign_roles, find_cues
from tests.transcript_helpers import parse


def test_a_label_with_a_long_nested_affiliation_is_a_label_and_the_affiliation_no_quote() -> None:
    text = (
        "The Chair (Ms. Ruth Alder (Kingsport, Lib.)): Welcome. Dr. Osei, go ahead.\n\n"
        "Dr. Kwesi Osei (Director, Upland Water Trust, Halden Campus): Thank you. The reservoir "
        "is at a third of its level.\n\n"
        "Mr. Tom Barrow (Halden North, CPC): Dr. Osei, when will it refill?\n\n"
        "Dr. Kwesi Osei: Not before the spring melt.\n"
    )
    interview = parse(text)
    assert [(p.speaker, p.text[:20]) for p in interview.passages] == [
        ("Kwesi Osei", "Thank you. The reser"),
        ("Kwesi Osei", "Not before the sprin"),
    ]
    assert interview.passages[1].question == "Dr. Osei, when will it refill?"


def test_who_asks_in_every_turn_that_someone_else_takes_up_is_an_interviewer() -> None:
    stats = {
        "Kwesi Osei": SpeakerStats(turns=3, words=150, asking=0, first=1, after_q=2),
        "Tom Barrow": SpeakerStats(turns=2, words=70, asking=2, first=0, answered=2),
        "Lena Berg": SpeakerStats(turns=2, words=70, asking=0, first=3, after_q=1),
    }
    got = assign_roles(stats, [], [], {})
    assert got["Tom Barrow"] == ("interviewer", "text")
    assert got["Kwesi Osei"][0] == got["Lena Berg"][0] == "interviewee"


def test_shortest_other_speaker_is_found_without_comparing_every_pair(monkeypatch) -> None:
    calls = 0
    real = roles._mean

    def counted(s: SpeakerStats) -> float:
        nonlocal calls
        calls += 1
        return real(s)

    monkeypatch.setattr(roles, "_mean", counted)
    n = 1500
    stats = {f"Speaker {i}": SpeakerStats(turns=2, words=40 + i % 7, first=i) for i in range(n)}
    roles._by_statistics(list(stats), stats, {})
    assert calls < 20 * n  # linear: pairwise comparison made ~n * n calls


def test_q_dot_questions_in_a_file_of_named_labels_are_questions() -> None:
    text = (
        "THE MODERATOR: We're joined by coach Ann Lowe. Questions for Coach.\n\n"
        "Q. Coach, what changed at halftime?\n\n"
        "ANN LOWE: We stopped fouling. That was all of it.\n\n"
        "Q. And the crowd?\n\n"
        "ANN LOWE: Loudest I've heard here.\n"
    )
    interview = parse(text)
    assert [(p.speaker, p.question) for p in interview.passages] == [
        ("Ann Lowe", "Coach, what changed at halftime?"),
        ("Ann Lowe", "And the crowd?"),
    ]


def test_teams_voices_are_named_given_name_first_without_the_guest_tag() -> None:
    text = (
        "WEBVTT\n\n"
        "a1/2-0\n00:00:01.000 --> 00:00:03.000\n<v Berg, Lena>What do you grow?</v>\n\n"
        "a1/5-0\n00:00:03.500 --> 00:00:06.000\n<v Adeyemi, Tunde (Guest)>Cassava, mostly.</v>\n"
    )
    (passage,) = parse(text, source="t.vtt").passages
    assert passage.speaker == "Tunde Adeyemi"
    assert passage.text == "Cassava, mostly."


def test_sdh_subtitles_name_speakers_in_capitals_in_brackets() -> None:
    text = (
        "1\n00:00:01,000 --> 00:00:03,000\n[NARRATOR] Ivo Marsh kept the ferry for forty years.\n\n"
        "2\n00:00:03,500 --> 00:00:05,000\n[INTERVIEWER] Was it hard?\n\n"
        "3\n00:00:05,500 --> 00:00:08,000\n[IVO] Only in winter. [sighs]\n\n"
        "4\n00:00:08,500 --> 00:00:09,000\n[engine starting]\n"
    )
    (passage,) = parse(text, source="t.srt").passages
    assert (passage.speaker, passage.text, passage.question) == (
        "Ivo Marsh",
        "Only in winter.",
        "Was it hard?",
    )


def test_photo_credits_and_as_told_to_lines_are_no_answer_and_the_footer_names_who_answers() -> (
    None
):
    text = (
        "Q: How long have you kept the light?\n"
        "A: Since 1971.\n\n"
        "Photo: Sam Reed\n\n"
        "As told to Ana Silva. Morwenna Trice, 74, keeps the harbour light at Polwyn.\n"
    )
    (passage,) = parse(text).passages
    assert (passage.speaker, passage.text) == ("Morwenna Trice", "Since 1971.")


def test_a_name_with_a_particle_in_an_intro_cue_keeps_its_particle() -> None:
    text = (
        "Entrevista com Rita Sousa da Costa, oleira\n\n"
        "P: Quando começou?\nR: Aos doze anos.\n\n"
        "P: E hoje?\nR: Ainda todos os dias.\n"
    )
    assert {p.speaker for p in parse(text).passages} == {"Rita Sousa da Costa"}


def test_research_transcripts_i_and_r_are_interviewer_and_respondent() -> None:
    text = (
        "I: Can you describe a normal shift?\n\nR: Ten till six, mostly lifting.\n\n"
        "I: And breaks?\n\nR: Half an hour at two.\n"
    )
    interview = parse(text)
    assert [(p.text, p.question) for p in interview.passages] == [
        ("Ten till six, mostly lifting.", "Can you describe a normal shift?"),
        ("Half an hour at two.", "And breaks?"),
    ]


def test_a_sentence_before_a_colon_is_no_label_even_after_a_comma() -> None:
    assert split_label("Lagos Kitchen, 14 Rye Lane. Photograph: Sam Achebe.") is None
    label = split_label("Jane Doe, Head of Research, Kew: Thank you.")
    assert label is not None and (label.name, label.rest) == ("Jane Doe", "Thank you.")


def test_html_copied_from_a_page_reads_as_paragraphs_without_tags_or_share_links() -> None:
    text = (
        "<h1>Talking to Ada Moss</h1>\n"
        "<p>Ada Moss has run the ferry café for thirty years.</p>\n"
        "<p><strong>Q:</strong> Why a café?<br>\n"
        "<strong>Ada Moss:</strong> Because people wait.&nbsp;They might as well eat.</p>\n"
        "<p><strong>Q:</strong> And the cakes?</p>\n"
        "<p><strong>Ada Moss:</strong> My mother&rsquo;s.<br><br>All of them.</p>\n"
        '<div>Share this story: <a href="https://x.example/s">X</a></div>\n'
    )
    interview = parse(text)
    assert [p.text for p in interview.passages] == [
        "Because people wait. They might as well eat.",
        "My mother’s.\n\nAll of them.",
    ]
    assert interview.passages[0].question == "Why a café?"


def test_answers_in_blockquotes_follow_plain_questions() -> None:
    text = (
        "# Five minutes with a farrier\n\n"
        "Nell Hay has shod horses in Fife since 1988. She told us about it.\n\n"
        "What is the hardest part?\n\n"
        "> The horses that lean on you.\n>\n> Some weigh a ton.\n\n"
        "Do you still enjoy it?\n\n"
        "> Every single day.\n"
    )
    interview = parse(text, source="t.md")
    assert [(p.speaker, p.text, p.question) for p in interview.passages] == [
        (
            "Nell Hay",
            "The horses that lean on you.\n\nSome weigh a ton.",
            "What is the hardest part?",
        ),
        ("Nell Hay", "Every single day.", "Do you still enjoy it?"),
    ]


def test_headings_that_ask_are_the_questions_and_an_image_alt_text_confirms_the_headline() -> None:
    text = (
        "# The Questionnaire: Tomos Pryce-Evans\n\n"
        "*The harpist answers our questions.*\n\n"
        "![Tomos Pryce-Evans at his harp](https://example.com/t.jpg)\n\n"
        "## When were you happiest?\n\nOn stage in Aberystwyth.\n\n"
        "## What is your greatest fear?\n\nA broken string in the slow movement.\n"
    )
    interview = parse(text, source="t.md")
    assert [(p.speaker, p.text, p.question) for p in interview.passages] == [
        ("Tomos Pryce-Evans", "On stage in Aberystwyth.", "When were you happiest?"),
        (
            "Tomos Pryce-Evans",
            "A broken string in the slow movement.",
            "What is your greatest fear?",
        ),
    ]


def test_conversation_analysis_pauses_are_no_part_of_a_quote() -> None:
    text = "Q: And then?\n\nA: We waited (.) and waited (1.5) and then it rained.\n"
    (passage,) = parse(text).passages
    assert passage.text == "We waited and waited and then it rained."


def test_a_study_header_names_the_respondent_by_code_and_i_r_turns_still_pair() -> None:
    text = (
        "Study: Shift Work (SW-2024)\n"
        "Participant: P07 (nurse)\n"
        "Key: I = interviewer, R = participant\n\n"
        "I: How long are your shifts?\n\nR: Twelve hours.\n\n"
        "I: Nights too?\n\nR: Every third week.\n"
    )
    interview = parse(text)
    assert [(p.speaker, p.text, p.question) for p in interview.passages] == [
        ("P07", "Twelve hours.", "How long are your shifts?"),
        ("P07", "Every third week.", "Nights too?"),
    ]


def test_an_office_label_is_the_person_the_header_gives_that_office() -> None:
    text = (
        "REMARKS BY PRESIDENT ANNA LIND AND PRIME MINISTER KOJO MENSAH AT A PRESS CONFERENCE\n\n"
        "PRESIDENT LIND: Good afternoon. We signed a treaty today.\n\n"
        "PRIME MINISTER MENSAH: Thank you, Madam President.\n\n"
        "Q: Madam President, what did you agree?\n\n"
        "THE PRESIDENT: A railway, built by 2031.\n\n"
        "Q: Prime Minister, who pays?\n\n"
        "THE PRIME MINISTER: We share it.\n"
    )
    speakers = [p.speaker for p in parse(text).passages]
    assert speakers == ["Anna Lind", "Kojo Mensah", "Anna Lind", "Kojo Mensah"]


def test_a_spokesperson_label_is_whoever_the_header_says_gives_the_briefing() -> None:
    text = (
        "Noon briefing by Lea Varga, Spokesperson for the Agency.\n\n"
        "Question: Lea, is the road open?\n\n"
        "Spokesperson: Not yet. Tomorrow, we hope.\n\n"
        "Correspondent: And the airport?\n\n"
        "Spokesperson: Open since Monday.\n"
    )
    interview = parse(text)
    assert [(p.speaker, p.question) for p in interview.passages] == [
        ("Lea Varga", "Lea, is the road open?"),
        ("Lea Varga", "And the airport?"),
    ]


def test_each_witness_a_trial_swears_in_answers_the_questions_after_it() -> None:
    text = (
        "THE COURT:  Call your witness.\n"
        "MR. KIM:  The State calls Rosa Diaz.\n"
        "R O S A   D I A Z, called as a witness, having been duly sworn, testified as follows:\n"
        "BY MR. KIM:\n"
        "Q.   Where were you that night?\n"
        "A.   At the bakery on Elm Street, closing up the till and mopping the floor.\n"
        "Q.   Alone?\n"
        "A.   With my brother Luis, who had come by after his shift to help me carry the flour sacks in from the van before the rain.\n"
        "MR. KIM:  Nothing further. The State calls Omar Haddad.\n"
        "OMAR HADDAD, having been first duly sworn, testified as follows:\n"
        "Q.   What do you do?\n"
        "A.   I drive the night bus, the number nine, from the depot out to the airport.\n"
    )
    interview = parse(text)
    assert [(p.speaker, p.text) for p in interview.passages] == [
        ("Rosa Diaz", "At the bakery on Elm Street, closing up the till and mopping the floor."),
        (
            "Rosa Diaz",
            "With my brother Luis, who had come by after his shift to help me carry the flour sacks in from the van before the rain.",
        ),
        (
            "Omar Haddad",
            "I drive the night bus, the number nine, from the depot out to the airport.",
        ),
    ]


def test_the_ruling_on_an_objection_leaves_the_question_standing() -> None:
    text = (
        "Q.   Where were you?\n\n"
        "A.   At the till.\n\n"
        "Q.   What did you see?\n\n"
        "A.   A man at the door.\n\n"
        "MR. HOLT:  Objection, speculation.\n\n"
        "THE COURT:  Overruled. She can say what she saw.\n\n"
        "A.   He had a crowbar.\n\n"
        "Q.   Then?\n\n"
        "A.   He ran.\n"
    )
    interview = parse(text)
    assert [p.question for p in interview.passages][1:3] == ["What did you see?"] * 2


def test_a_label_that_shortens_the_guests_first_name_is_the_guest() -> None:
    text = (
        "Host: Joan Pell\nGuest: Dr. Christabel Oduya, glaciologist\n\n"
        "JOAN: Chris, how fast is the glacier going?\n\n"
        "CHRIS: Forty metres a year, and faster every summer.\n\n"
        "JOAN: Will it last?\n\n"
        "CHRIS: Not past my grandchildren.\n"
    )
    assert {p.speaker for p in parse(text).passages} == {"Christabel Oduya"}


def test_a_publication_asking_in_mixed_case_again_and_again_is_a_label() -> None:
    text = (
        "Ines Vega flew gliders for forty years.\n\n"
        "**The Upland Post:** When did you start?\n\n**Vega:** At twelve.\n\n"
        "**The Upland Post:** Why gliders?\n\n**Vega:** No engine, no noise.\n\n"
        "**The Upland Post:** And now?\n\n**Vega:** I teach.\n"
    )
    interview = parse(text, source="t.md")
    assert [p.question for p in interview.passages] == [
        "When did you start?",
        "Why gliders?",
        "And now?",
    ]


def test_a_name_alone_once_that_the_header_lists_is_a_speaker_not_a_section_title() -> None:
    text = (
        "Call Participants\n\n"
        "Ravi Menon - Chief Executive Officer\n"
        "Ada Kwan - Northgate Capital\n\n"
        "Operator\n\nGood morning, and welcome to the Northgate call. Our first question comes "
        "from Ada Kwan. Please go ahead.\n\n"
        "Ada Kwan\n\nWill margins hold next year?\n\n"
        "Ravi Menon\n\nThey should. Freight is locked in through June.\n\n"
        "Operator\n\nThat concludes the call.\n\n"
        "Ravi Menon\n\nThank you all.\n"
    )
    interview = parse(text)
    assert interview.passages[0].speaker == "Ravi Menon"
    assert interview.passages[0].question == "Will margins hold next year?"


def test_who_says_joining_me_today_introduces_the_guests_named_after_it() -> None:
    cues = find_cues(
        "Thank you. Joining me today are Ravi Menon, our chief executive.", "Lena Ward"
    )
    assert Cue("interviewee", "Ravi Menon", "Lena Ward") in cues


def test_a_question_put_to_one_panellist_by_name_is_not_the_next_panellists() -> None:
    text = (
        "MODERATOR: Ms. Okafor, what happened last week?\n\n"
        "MS. OKAFOR: The transformer failed under the load and we swapped it overnight.\n\n"
        "(Laughter.)\n\n"
        "MR. TANAKA: I was on the phone with customers until four, every one of them cold.\n\n"
        "MODERATOR: Mr. Tanaka, should people stop buying heat pumps?\n\n"
        "MR. TANAKA: No. Buy the cold-climate ones.\n"
    )
    assert [(p.speaker, p.question) for p in parse(text).passages] == [
        ("Ms. Okafor", "Ms. Okafor, what happened last week?"),
        ("Mr. Tanaka", None),
        ("Mr. Tanaka", "Mr. Tanaka, should people stop buying heat pumps?"),
    ]
