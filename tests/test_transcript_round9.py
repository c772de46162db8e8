"""Rules found by blind round 9 (README "Transcript layouts"), on text that is no fixture's.

Round 9's files are scored by benchmarks/bench_transcripts.py; those the parser was fixed on
are asserted whole by test_transcript_layouts.py in the tuning set.
"""

from __future__ import annotations

from bot.transcript.chat import from_chat
from tests.transcript_helpers import parse, roles, said

# --- chat logs and threads (bot/transcript/chat.py) ---------------------------------


def test_a_whatsapp_export_is_read_message_by_message() -> None:
    text = (
        "02/05/24, 18:01 - Messages and calls are end-to-end encrypted.\n"
        "02/05/24, 18:02 - Ines Carvalho: Thanks for doing this. When did you start sailing?\n"
        "02/05/24, 18:09 - Rui Matos: At six, in my grandfather's dinghy.\n"
        "He never let me steer until I could tie every knot blindfolded.\n"
        "02/05/24, 18:09 - Rui Matos: <Media omitted>\n"
        "02/05/24, 18:11 - Ines Carvalho: And your first race?\n"
        "02/05/24, 18:15 - Rui Matos: Lost it by a boat length, and cried the whole way home.\n"
    )
    interview = parse(text)
    assert said(interview) == [
        (
            "Rui Matos",
            "At six, in my grandfather's dinghy. He never let me steer until I could tie "
            "every knot blindfolded.",
            "Thanks for doing this. When did you start sailing?",
        ),
        (
            "Rui Matos",
            "Lost it by a boat length, and cried the whole way home.",
            "And your first race?",
        ),
    ]
    assert roles(interview)["Ines Carvalho"] == "interviewer"


def test_an_ios_whatsapp_export_drops_the_notices_it_marks() -> None:
    lrm = "\u200e"
    text = (
        f"[02/05/2024, 18:01:10] Sail chat: {lrm}Messages and calls are end-to-end encrypted.\n"
        "[02/05/2024, 18:02:00] Ines Carvalho: When did you start sailing?\n"
        "[02/05/2024, 18:09:30] Rui Matos: At six, in my grandfather's dinghy.\n"
        f"{lrm}[02/05/2024, 18:09:41] Rui Matos: {lrm}image omitted\n"
        "[02/05/2024, 18:11:02] Ines Carvalho: And your first race?\n"
        "[02/05/2024, 18:15:45] Rui Matos: Lost it by a boat length.\n"
    )
    interview = parse(text)
    assert [t for _, t, _ in said(interview)] == [
        "At six, in my grandfather's dinghy.",
        "Lost it by a boat length.",
    ]
    assert "end-to-end" not in (from_chat(text) or "")


def test_diarized_segments_keep_the_tools_speaker_ids() -> None:
    text = (
        "[00:00:00.000 --> 00:00:04.100] SPEAKER_00: What brought you to the lighthouse?\n"
        "[00:00:04.300 --> 00:00:09.800] SPEAKER_01: A job advert in a newspaper I found on a train.\n"
        "[00:00:10.000 --> 00:00:12.000] SPEAKER_00: And what keeps you there?\n"
        "[00:00:12.200 --> 00:00:15.900] SPEAKER_01: The quiet, and the storms, in turns.\n"
    )
    interview = parse(text)
    assert [(s, q) for s, _, q in said(interview)] == [
        ("SPEAKER_01", "What brought you to the lighthouse?"),
        ("SPEAKER_01", "And what keeps you there?"),
    ]
    assert "00:00" not in " ".join(p.text for p in interview.passages)


def test_a_segment_without_a_speaker_goes_on_the_voice_before_it() -> None:
    text = (
        "[00:00:00.000 --> 00:00:03.000] SPEAKER_00: Why ferries?\n"
        "[00:00:03.200 --> 00:00:06.000] SPEAKER_01: Because bridges are boring.\n"
        "[00:00:06.000 --> 00:00:08.500]  And ferries have weather.\n"
        "[00:00:09.000 --> 00:00:10.000] SPEAKER_00: Fair.\n"
    )
    converted = from_chat(text)
    assert converted is not None
    assert converted.split("\n")[1] == (
        "SPEAKER_01: Because bridges are boring. And ferries have weather."
    )


def test_an_irc_log_drops_joins_quits_and_actions() -> None:
    text = (
        "[19:58] -!- osk [~osk@example.org] has joined #loom\n"
        "[20:00] <weft> Tonight we have Oskar Brandvold, who wrote the loom driver.\n"
        "[20:00] * osk waves\n"
        "[20:01] <weft> Why write your own driver?\n"
        "[20:02] <osk> Because the old one crashed whenever the shuttle jammed.\n"
        "[20:03] -!- lurker [~l@203.0.113.9] has quit [Ping timeout]\n"
        "[20:04] <weft> Would you do it again?\n"
        "[20:05] <osk> Only with a better shuttle.\n"
    )
    converted = from_chat(text)
    assert converted is not None
    assert "has joined" not in converted and "waves" not in converted
    assert "osk: Because the old one crashed whenever the shuttle jammed." in converted.split("\n")


def test_discord_and_slack_headers_label_the_messages_below_them() -> None:
    discord = (
        "wrenfield — 05/02/2025 7:00 PM\n"
        "welcome! our guest is Ida Morrow. first question: why bells?\n"
        "Ida Morrow — 05/02/2025 7:02 PM\n"
        "Because a bell is the loudest thing a village ever owned.\n"
        "(edited)\n"
        "🔔\n"
        "12\n"
        "wrenfield — 05/02/2025 7:04 PM\n"
        "how heavy is the biggest one?\n"
        "Ida Morrow — 05/02/2025 7:05 PM\n"
        "Two tonnes, and it took nine of us to turn it.\n"
    )
    interview = parse(discord)
    assert [(s, t) for s, t, _ in said(interview)] == [
        ("Ida Morrow", "Because a bell is the loudest thing a village ever owned."),
        ("Ida Morrow", "Two tonnes, and it took nine of us to turn it."),
    ]
    slack = (
        "Pim de Wit  9:14 AM\n"
        "joined #spotlight.\n"
        "Noor Haddad  9:15 AM\n"
        "What do you do on the platform team?\n"
        "Pim de Wit  9:17 AM\n"
        "I keep the build green.\n"
        "9:18\n"
        "Mostly.\n"
        ":sweat_smile:\n"
        "3\n"
        "Noor Haddad  9:20 AM\n"
        "Favourite tool?\n"
        "Pim de Wit  9:21 AM\n"
        "A whiteboard, still.\n"
    )
    converted = from_chat(slack)
    assert converted is not None
    lines = [line for line in converted.split("\n") if line]
    assert lines[1:3] == ["Pim de Wit: I keep the build green.", "Pim de Wit: Mostly."]
    assert "joined" not in converted
    assert "sweat_smile" not in converted and "9:18" not in converted


def test_a_hacker_news_thread_is_answered_by_the_one_its_title_introduces() -> None:
    text = (
        "Ask HN: I'm Petra Novak, I restore tower clocks. AMA\n"
        "210 points by pnovak 3 hours ago | hide | past | favorite | 64 comments\n\n"
        "Happy to answer anything about clocks.\n\n"
        "qwerty9 3 hours ago | next [–]\n\n"
        "How often do they need winding?\n\n"
        "  pnovak 2 hours ago | parent | next [–]\n\n"
        "  Once a week, which is why most towns stopped doing it.\n\n"
        "hal_k 2 hours ago | prev | next [–]\n\n"
        "What's the oldest one you've fixed?\n\n"
        "  pnovak 1 hour ago | parent | next [–]\n\n"
        "  One from 1610, still with its original iron wheels.\n\n"
        "Guidelines | FAQ | Lists | API | Security | Legal\n"
    )
    interview = parse(text)
    assert [(s, t[:12], q) for s, t, q in said(interview)] == [
        ("Petra Novak", "Happy to ans", None),
        ("Petra Novak", "Once a week,", "How often do they need winding?"),
        ("Petra Novak", "One from 161", "What's the oldest one you've fixed?"),
    ]


def test_x_posts_are_labelled_by_the_name_over_the_handle() -> None:
    text = (
        "Maren Holt\n@marenholt\nI map sea caves. Ask me anything with #AskMaren!\n"
        "9:00 AM · Jun 1, 2025\n·\n3.2K Views\n12\n40\n\n"
        "Tobi Ade\n@tobiade\n·\nJun 1\nReplying to @marenholt\n"
        "#AskMaren how do you get in?\n2\n9\n\n"
        "Maren Holt\n@marenholt\n·\nJun 1\nAt the lowest tide of the month, with a drysuit.\n5\n70\n\n"
        "Lu Chen\n@luchen\n·\nJun 1\nReplying to @marenholt\n#AskMaren scariest moment?\n1\n\n"
        "Maren Holt\n@marenholt\n·\nJun 1\nA seal surfacing right beside my torch.\n8\n120\n"
    )
    interview = parse(text)
    assert [(s, t[:14]) for s, t, _ in said(interview)] == [
        ("Maren Holt", "I map sea cave"),
        ("Maren Holt", "At the lowest "),
        ("Maren Holt", "A seal surfaci"),
    ]
    assert interview.passages[1].question == "#AskMaren how do you get in?"


def test_plain_transcripts_are_no_chat_log() -> None:
    text = "Ada Moss: What do you remember?\n\nBen Hale: The river, mostly.\n"
    assert from_chat(text) is None
    # a bracketed clock before "Name:" is the layout's own ("[00:01:02] Ada Moss: …")
    stamped = "\n".join(f"[00:0{i}:00] Ada Moss: Line {i}." for i in range(5))
    assert from_chat(stamped) is None


# --- labels --------------------------------------------------------------------------


def test_a_handle_that_speaks_once_among_recurring_handles_is_a_participant() -> None:
    text = (
        "weft: welcome! tonight's guest is Ida Morrow, bell founder. why bells?\n"
        "Ida Morrow: Because a bell is the loudest thing a village ever owned.\n"
        "weft: how heavy is the biggest one?\n"
        "Ida Morrow: Two tonnes, and it took nine of us to turn it.\n"
        "bellfan: do they ever crack?\n"
        "Ida Morrow: Every century or so, usually on a frosty morning.\n"
        "weft: thanks Ida!\n"
    )
    interview = parse(text)
    assert interview.passages[-1].question == "do they ever crack?"
    assert roles(interview).get("bellfan") in ("interviewer", "other")


def test_a_handle_that_asks_twice_beside_a_named_guest_is_a_label() -> None:
    text = (
        "hostbot: welcome! tonight's guest is Mara Quinn. what are you building?\n"
        "Mara Quinn: A synth that runs on a potato battery.\n"
        "hostbot: why potatoes?\n"
        "Mara Quinn: Because they were in the kitchen.\n"
        "Mara Quinn: And they were free.\n"
    )
    interview = parse(text)
    assert [q for _, _, q in said(interview)][-1] == "why potatoes?"


def test_capital_names_ending_in_a_period_label_a_press_conference() -> None:
    text = (
        "Transcript of Governor Lena Marsh's Press Briefing\n\n"
        "GOVERNOR MARSH. Good morning. The bank held rates today.\n\n"
        "TOMAS REYES. Tomas Reyes, Courier. Why hold now?\n\n"
        "GOVERNOR MARSH. Because prices are still rising faster than wages.\n\n"
        "ANNA BIRK. Anna Birk, Ledger. And next month?\n\n"
        "GOVERNOR MARSH. We will decide next month.\n"
    )
    interview = parse(text)
    assert {p.speaker for p in interview.passages} == {"Lena Marsh"}  # the possessive name
    assert interview.passages[1].question == "Tomas Reyes, Courier. Why hold now?"


def test_a_running_head_seen_twice_beside_a_page_mark_is_furniture() -> None:
    text = (
        "June 2, 2025     Minister Vale's Briefing     FINAL\n\n"
        "MINISTER VALE. Good morning. We publish the figures today.\n\n"
        "KAI OSEI. Kai Osei, Wire. Are the figures late?\n\n"
        "MINISTER VALE. They are on time, and they are better than feared.\n\n"
        "Page 2 of 9\n\n"
        "June 2, 2025     Minister Vale's Briefing     FINAL\n\n"
        "Exports rose for the third month.\n\n"
        "LIV DAHL. Liv Dahl, Post. Thank you.\n"
    )
    interview = parse(text)
    assert "FINAL" not in " ".join(p.text for p in interview.passages)


def test_doubled_dash_questions_are_the_interviewers() -> None:
    text = (
        "Hana Ito (Director)\n\nRyo Sato (Composer)\n\n"
        "――How did it start?\n\n"
        "Ito: With a joke at a party.\n\n"
        "Sato: Which nobody else found funny.\n\n"
        "![photo](studio.jpg)\n\n"
        "――Finally, a word for your players.\n\n"
        "Sato: Wear headphones.\n"
    )
    interview = parse(text, source="t.md")
    assert [(s, q) for s, _, q in said(interview)] == [
        ("Hana Ito", "How did it start?"),
        ("Ryo Sato", "How did it start?"),
        ("Ryo Sato", "Finally, a word for your players."),
    ]


def test_a_dash_dialogue_alternates_question_and_answer() -> None:
    text = (
        'Oleg Marin: "Bridges are patient"\n\n'
        "Oleg Marin has inspected the city's bridges for thirty years.\n\n"
        "— Which bridge worries you most?\n\n"
        "— None of them worries me. The traffic on them does.\n\n"
        "— Why?\n\n"
        "— Trucks got heavier and the bridges did not get younger.\n\n"
        "— Thank you, Oleg.\n\n"
        "Interview by Sofia Lind.\n"
    )
    interview = parse(text)
    assert said(interview) == [
        (
            "Oleg Marin",
            "None of them worries me. The traffic on them does.",
            "Which bridge worries you most?",
        ),
        ("Oleg Marin", "Trucks got heavier and the bridges did not get younger.", "Why?"),
    ]


def test_youtube_sbv_captions_are_cues() -> None:
    text = (
        "0:00:00.500,0:00:03.000\nMAYA LOPEZ: Welcome back.\nWhy clocks?\n\n"
        "0:00:03.500,0:00:07.000\nEDGAR HOLM: My father repaired them\n"
        "in the back of a shoe shop.\n\n"
        "0:00:07.200,0:00:09.000\nMAYA LOPEZ: Do you still wear one?\n\n"
        "0:00:09.500,0:00:12.000\nEDGAR HOLM: Never. I can hear them.\n"
    )
    interview = parse(text)
    assert interview.layout == "srt"
    assert said(interview) == [
        (
            "Edgar Holm",
            "My father repaired them in the back of a shoe shop.",
            "Welcome back. Why clocks?",
        ),
        ("Edgar Holm", "Never. I can hear them.", "Do you still wear one?"),
    ]


def test_a_radio_cue_in_capitals_is_a_stage_note() -> None:
    text = (
        "ROSS: Dr Ama Kyei, what does the marsh sound like at night?\n\n"
        "KYEI: Like a kettle that never quite boils.\n\n"
        "ACTUALITY: FROGS AND WIND\n\n"
        "ROSS: And in winter?\n\n"
        "KYEI: Silent, apart from the geese.\n"
    )
    interview = parse(text)
    assert interview.passages[0].text == "Like a kettle that never quite boils."


def test_a_research_transcripts_padded_line_numbers_are_taken_off() -> None:
    lines = [
        "I:   What do you grow here?",
        "R:   Beans, mostly, and a few",
        "     potatoes for my brother.",
        "I:   Why beans?",
        "R:   They forgive you when you",
        "     forget to water them.",
        "I:   Anything else?",
        "R:   Sunflowers, for the",
        "     neighbours' children.",
        "I:   Thank you.",
    ]
    text = "\n".join(f"{n:03d}   {line}" for n, line in enumerate(lines, start=41))
    interview = parse(text)
    assert [p.text for p in interview.passages] == [
        "Beans, mostly, and a few potatoes for my brother.",
        "They forgive you when you forget to water them.",
        "Sunflowers, for the neighbours' children.",
    ]


def test_a_documentary_log_names_each_speaker_under_a_frame_timecode() -> None:
    text = (
        "10:00:01:12\nPER HOLM (OC)\nWhere did you grow up?\n\n"
        "10:00:04:03\nSIRI VANG\nOn an island with one road and two cows.\n\n"
        "10:00:11:20\nPER HOLM (OC)\nAnd now?\n\n"
        "10:00:13:02\nSIRI VANG\nIn a city with no cows at all.\n"
    )
    interview = parse(text)
    assert said(interview) == [
        ("Siri Vang", "On an island with one road and two cows.", "Where did you grow up?"),
        ("Siri Vang", "In a city with no cows at all.", "And now?"),
    ]


def test_a_spanish_dialogue_dash_on_the_word_opens_a_turn() -> None:
    text = (
        "Lucía Ferrer: «El mar no espera»\n\n"
        "Lucía Ferrer lleva veinte años reparando redes en el puerto.\n\n"
        "—¿Cómo empezó?\n\n"
        "—Por mi abuela. Ella reparaba redes y yo le pasaba la aguja.\n\n"
        "—¿Y ahora?\n\n"
        "—Ahora enseño a tres chicas del barrio.\n"
    )
    interview = parse(text)
    assert said(interview) == [
        (
            "Lucía Ferrer",
            "Por mi abuela. Ella reparaba redes y yo le pasaba la aguja.",
            "¿Cómo empezó?",
        ),
        ("Lucía Ferrer", "Ahora enseño a tres chicas del barrio.", "¿Y ahora?"),
    ]
