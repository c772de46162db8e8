"""Rules found by held-out round 7 (README "Transcript layouts"), on text that is no fixture's.

Round 7's files are scored by benchmarks/bench_transcripts.py; those the parser was fixed on
are asserted whole by test_transcript_layouts.py once they move to the tuning set.
"""

from __future__ import annotations

from tests.transcript_helpers import parse, said


def test_numbered_question_and_answer_markers_pair_and_questions_for_names_the_answerer() -> None:
    text = (
        "Three questions for Amos Kettering, who mends church organs\n\n"
        "Q1: How did you start?\n"
        "A1: My uncle needed someone small enough to climb inside.\n\n"
        "Question 2: And now?\n"
        "Answer 2: Now I send my apprentice in.\n"
    )
    assert said(parse(text)) == [
        (
            "Amos Kettering",
            "My uncle needed someone small enough to climb inside.",
            "How did you start?",
        ),
        ("Amos Kettering", "Now I send my apprentice in.", "And now?"),
    ]


def test_spanish_role_labels_stand_for_the_people_the_header_names() -> None:
    text = (
        "Entrevista a Rosa Almagro, pastora\n"
        "Por Iván Cuesta\n\n"
        "Entrevistador: ¿Cuántas ovejas tiene?\n\n"
        "Entrevistada: Trescientas, y cada una tiene nombre.\n\n"
        "Entrevistador: ¿Todas?\n\n"
        "Entrevistada: Las que se portan mal, dos.\n"
    )
    interview = parse(text)
    assert said(interview) == [
        ("Rosa Almagro", "Trescientas, y cada una tiene nombre.", "¿Cuántas ovejas tiene?"),
        ("Rosa Almagro", "Las que se portan mal, dos.", "¿Todas?"),
    ]
    roles = {r.name: r.role for r in interview.roles}
    assert roles == {"Rosa Almagro": "interviewee", "Iván Cuesta": "interviewer"}


def test_a_meeting_tools_own_lines_after_the_last_turn_are_no_quote() -> None:
    text = (
        "Lena Park: What do you grow?\n"
        "Omar Said: Leeks, mostly.\n"
        "Lena Park: Thanks, Omar.\n"
        "Omar Said: Thank you.\n"
        "Meeting ended after 00:12:09\n\n"
        "This editable transcript was computer generated and might contain errors.\n"
    )
    interview = parse(text)
    assert [p.text for p in interview.passages] == ["Leeks, mostly.", "Thank you."]
    assert {d.kind for d in interview.dropped} == {"credit"}


def test_initials_set_with_a_space_between_them_are_one_label() -> None:
    text = (
        "Entretien avec Hélène Vasseur\n\n"
        "Journal : Pourquoi les abeilles ?\n\n"
        "Hélène Vasseur : Parce qu’elles ne mentent pas.\n\n"
        "Journal : Et demain ?\n\n"
        "H. V. : On verra.\n"
    )
    assert [(p.speaker, p.text) for p in parse(text).passages] == [
        ("Hélène Vasseur", "Parce qu’elles ne mentent pas."),
        ("Hélène Vasseur", "On verra."),
    ]


def test_a_capitals_heading_and_a_bracketed_note_wrapped_over_lines_are_no_quote() -> None:
    text = (
        "    Chairman Moss. The hearing will come to order. Ms. Ibarra, go\n"
        "ahead.\n"
        "\n"
        "  STATEMENT OF LUCIA IBARRA, DIRECTOR, NORTHERN WATERSHED\n"
        "                          TRUST\n"
        "\n"
        "    Ms. Ibarra. Thank you. The river is lower than it has been in\n"
        "forty years.\n"
        "    [The prepared statement of Ms. Ibarra appears in the\n"
        "appendix.]\n"
        "    Chairman Moss. Why is it so low?\n"
        "    Ms. Ibarra. Two dry winters and a dam upstream.\n"
        "    Chairman Moss. Thank you.\n"
        "    Ms. Ibarra. Thank you.\n"
    )
    interview = parse(text)
    assert [p.text for p in interview.passages] == [
        "Thank you. The river is lower than it has been in forty years.",
        "Two dry winters and a dam upstream.",
        "Thank you.",
    ]
    assert {p.speaker for p in interview.passages} == {"Lucia Ibarra"}
    dropped = {d.text for d in interview.dropped}
    assert "TRUST" in dropped and "appendix.]" in dropped


def test_speaker_codes_are_labels_and_a_key_in_the_header_names_them() -> None:
    text = (
        "Study: Allotment Holders, Interview 3\n"
        "Speakers: S1 = Interviewer (Nia Brooks); S2 = Respondent (Pavel Novak)\n\n"
        "S1: How long have you had the plot?\n\n"
        "S2: Since 1994. The rhubarb is older than my son.\n\n"
        "S1: What do you grow now?\n\n"
        "S2: Beans, onions and far too many courgettes.\n"
    )
    interview = parse(text)
    assert [(p.speaker, p.question) for p in interview.passages] == [
        ("Pavel Novak", "How long have you had the plot?"),
        ("Pavel Novak", "What do you grow now?"),
    ]
    assert {r.name: r.role for r in interview.roles}["Nia Brooks"] == "interviewer"


def test_a_focus_group_code_that_speaks_once_is_still_a_speaker() -> None:
    text = (
        "M: How do you get to work?\n\n"
        "P1: By bike, unless it snows.\n\n"
        "P2: Bus. Always the bus.\n\n"
        "M: And when the bus is late?\n\n"
        "P3: I walk and I complain.\n\n"
        "P1: Same.\n"
    )
    assert [(p.speaker, p.text) for p in parse(text).passages] == [
        ("P1", "By bike, unless it snows."),
        ("P2", "Bus. Always the bus."),
        ("P3", "I walk and I complain."),
        ("P1", "Same."),
    ]


def test_lowercase_chat_labels_are_labels_when_two_names_take_turns() -> None:
    text = (
        "chat with tess okoro (bell ringer), typed as it came\n\n"
        "sam: how heavy is the biggest bell\n"
        "tess: about a tonne. you don't lift it, you persuade it\n"
        "sam: ever been scared?\n"
        "tess: once, when a rope snapped. note to self: check ropes\n"
    )
    interview = parse(text)
    assert [(p.speaker, p.question) for p in interview.passages] == [
        ("tess okoro", "how heavy is the biggest bell"),
        ("tess okoro", "ever been scared?"),
    ]


def test_lowercase_notes_in_prose_are_no_labels() -> None:
    text = (
        "Ana Ruiz: What changed?\n\n"
        "Ben Ode: Everything changed when the mill closed.\n\n"
        "note: the mill closed in 1990.\n\n"
        "ps: the school closed too.\n\n"
        "Ana Ruiz: And you?\n\n"
        "Ben Ode: I stayed.\n\n"
        "note: he still lives there.\n\n"
        "ps: so does his sister.\n"
    )
    assert {p.speaker for p in parse(text).passages} == {"Ben Ode"}


def test_a_tab_separated_export_is_read_row_by_row_with_its_times_dropped() -> None:
    text = (
        "00:00:01\tRuth Amadi\tWelcome. Why clocks?\n"
        "00:00:05\tTeo Bianchi\tBecause they tick, and nothing else in my flat does.\n"
        "00:00:11\tRuth Amadi\tHow many do you own?\n"
        "00:00:13\tTeo Bianchi\tForty, if you count the broken ones.\n"
    )
    interview = parse(text)
    assert said(interview) == [
        (
            "Teo Bianchi",
            "Because they tick, and nothing else in my flat does.",
            "Welcome. Why clocks?",
        ),
        ("Teo Bianchi", "Forty, if you count the broken ones.", "How many do you own?"),
    ]
    assert interview.paragraphs[1].line == 2


def test_a_csv_export_with_a_header_row_is_read_by_its_columns() -> None:
    text = (
        "Speaker,Start,End,Text\n"
        'Ruth Amadi,0:01,0:04,"Welcome, Teo. Why clocks?"\n'
        'Teo Bianchi,0:05,0:10,"Because they tick, and nothing else does."\n'
        "Ruth Amadi,0:11,0:12,How many?\n"
        "Teo Bianchi,0:13,0:15,Forty.\n"
    )
    assert said(parse(text)) == [
        ("Teo Bianchi", "Because they tick, and nothing else does.", "Welcome, Teo. Why clocks?"),
        ("Teo Bianchi", "Forty.", "How many?"),
    ]


def test_turns_printed_in_one_paragraph_after_dashes_are_each_their_own() -> None:
    text = (
        "A CONVERSATION WITH THE FARRIER JONAH PELL\n\n"
        "Our reporter Mia Lund visited Jonah Pell at his forge.\n\n"
        "— Lund: Do horses mind? — Pell: Some do. Most are asleep by the third hoof.\n\n"
        "— Lund: Truly asleep? — Pell: Snoring.\n"
    )
    interview = parse(text)
    assert said(interview) == [
        ("Jonah Pell", "Some do. Most are asleep by the third hoof.", "Do horses mind?"),
        ("Jonah Pell", "Snoring.", "Truly asleep?"),
    ]


def test_a_dash_in_speech_before_words_and_a_colon_is_no_turn() -> None:
    text = (
        "Mia Lund: What did you learn?\n\n"
        "Jonah Pell: Patience. — Mostly this: horses wait for no one.\n\n"
        "Mia Lund: Thanks.\n\n"
        "Jonah Pell: Thank you.\n"
    )
    assert parse(text).passages[0].text == ("Patience. — Mostly this: horses wait for no one.")


def test_an_email_reply_quoting_the_questions_is_answered_by_its_writer() -> None:
    text = (
        "From: Kofi Mensah <kofi@example.org>\n"
        "To: Editor <desk@example.com>\n"
        "Subject: Re: your questions\n\n"
        "Hello, answers below.\n\n"
        "> 1. Why beekeeping?\n\n"
        "My grandmother kept twelve hives and I inherited the smallest.\n\n"
        "> 2. Have you been stung?\n\n"
        "Twice this morning.\n\n"
        "--\n"
        "Kofi Mensah\n"
        "Head Beekeeper, Asante Apiaries\n\n"
        "Sent from my phone\n"
    )
    interview = parse(text)
    assert said(interview) == [
        (
            "Kofi Mensah",
            "My grandmother kept twelve hives and I inherited the smallest.",
            "Why beekeeping?",
        ),
        ("Kofi Mensah", "Twice this morning.", "Have you been stung?"),
    ]
    assert {"signature", "credit"} <= {d.kind for d in interview.dropped}


def test_questions_for_the_publication_names_nobody() -> None:
    text = (
        "Questions for the Harbour Gazette\n\n"
        "Q: What do you fish for?\n"
        "A: Mackerel, in summer.\n\n"
        "Q: And in winter?\n"
        "A: I mend nets.\n"
    )
    assert {p.speaker for p in parse(text).passages} == {"Interviewee"}


def test_an_ask_me_anything_thread_is_answered_by_the_one_its_title_introduces() -> None:
    text = (
        "# I'm Tove Lindgren, I drive snowploughs in Lapland. AMA!\n\n"
        "Posted by u/tove_plough · 4h\n\n"
        "---\n\n"
        "**u/frosty_fan** · 3h\n\n"
        "What is the deepest snow you have cleared?\n\n"
        "> **u/tove_plough** OP · 3h\n>\n"
        "> Two metres, in 2019. The plough sounded offended.\n\n"
        "**u/curious_kit** · 2h\n\n"
        "Do you ever get stuck?\n\n"
        "> **u/tove_plough** OP · 2h\n>\n"
        "> Once a winter, always in front of my neighbour.\n\n"
        "1.2k upvotes · 88 comments · Share · Save\n"
    )
    interview = parse(text, source="t.md")
    assert said(interview) == [
        (
            "Tove Lindgren",
            "Two metres, in 2019. The plough sounded offended.",
            "What is the deepest snow you have cleared?",
        ),
        (
            "Tove Lindgren",
            "Once a winter, always in front of my neighbour.",
            "Do you ever get stuck?",
        ),
    ]
    roles = {r.name: r.role for r in interview.roles}
    assert roles["u/frosty_fan"] != "interviewee"
    assert "web furniture" in {d.kind for d in interview.dropped}


def test_a_contraction_is_no_name_word() -> None:
    from bot.transcript.names import looks_like_name

    assert not looks_like_name("I'm Dr")
    assert looks_like_name("Siobhan O'Neill")


def test_por_opens_a_byline_only_before_a_name() -> None:
    from bot.transcript.roles import find_cues

    assert find_cues("Por Iván Cuesta") == [find_cues("By Iván Cuesta")[0]]
    assert find_cues("Por favor, María, cuéntenos", "Host") == []


def test_an_email_reply_right_under_each_quoted_question_is_its_answer() -> None:
    text = (
        "From: Maya Ito <maya@example.com>\n"
        "To: Desk\n"
        "Subject: RE: interview\n\n"
        "> Q1. Why ceramics?\n"
        "Because clay is patient.\n\n"
        "> Q2. Favourite glaze?\n"
        "Celadon, always.\n"
    )
    assert said(parse(text)) == [
        ("Maya Ito", "Because clay is patient.", "Why ceramics?"),
        ("Maya Ito", "Celadon, always.", "Favourite glaze?"),
    ]


def test_a_chat_log_with_times_before_lowercase_labels_takes_turns() -> None:
    text = (
        "10:42 PM sam: how heavy is the biggest bell?\n"
        "10:43 PM tess: about a tonne\n"
        "10:44 PM sam: ever been scared?\n"
        "10:45 PM tess: once, when a rope snapped\n"
    )
    assert said(parse(text)) == [
        ("tess", "about a tonne", "how heavy is the biggest bell?"),
        ("tess", "once, when a rope snapped", "ever been scared?"),
    ]


def test_a_participant_code_who_says_little_is_a_participant_like_the_others() -> None:
    text = (
        "Moderator: How do you get to work?\n"
        "P1: By bike, unless it snows, and then I take the train.\n"
        "P2: Bus.\n"
        "Moderator: And when it snows?\n"
        "P1: I walk, slowly, and I complain the whole way.\n"
    )
    assert [(p.speaker, p.text) for p in parse(text).passages] == [
        ("P1", "By bike, unless it snows, and then I take the train."),
        ("P2", "Bus."),
        ("P1", "I walk, slowly, and I complain the whole way."),
    ]


def test_a_name_then_a_mark_and_its_time_alone_above_the_words_is_a_label() -> None:
    text = (
        "Maya Torres | 00:00:03\nWelcome. Why glass?\n\n"
        "Ravi Shah | 00:00:07\nBecause it moves while you work it.\n\n"
        "Maya Torres - 00:00:15\nIs it dangerous?\n\n"
        "Ravi Shah - 00:00:18\nOnly if you forget it is hot.\n"
    )
    assert said(parse(text)) == [
        ("Ravi Shah", "Because it moves while you work it.", "Welcome. Why glass?"),
        ("Ravi Shah", "Only if you forget it is hot.", "Is it dangerous?"),
    ]


def test_a_markdown_table_of_turns_is_read_row_by_row() -> None:
    text = (
        "| Time | Speaker | Text |\n"
        "|---|---|---|\n"
        "| 00:01 | Maya Torres | Welcome. Why glass? |\n"
        "| 00:07 | Ravi Shah | Because it moves while you work it. |\n"
        "| 00:15 | Maya Torres | Is it dangerous? |\n"
        "| 00:18 | Ravi Shah | Only if you forget it is hot. |\n"
    )
    interview = parse(text, source="t.md")
    assert said(interview) == [
        ("Ravi Shah", "Because it moves while you work it.", "Welcome. Why glass?"),
        ("Ravi Shah", "Only if you forget it is hot.", "Is it dangerous?"),
    ]
    assert interview.passages[0].line == 4


def test_a_short_label_in_a_labels_note_stands_for_that_label() -> None:
    text = (
        "Interviewer (IV): Why glass?\n"
        "Respondent (R): Because it moves.\n"
        "IV: Is it hot?\n"
        "R: Very.\n"
    )
    assert said(parse(text)) == [
        ("Respondent", "Because it moves.", "Why glass?"),
        ("Respondent", "Very.", "Is it hot?"),
    ]


def test_tab_indented_or_tab_numbered_question_and_answer_lines_are_no_table() -> None:
    from bot.transcript.table import from_table

    assert (
        from_table("1\tQ.\tWhere were you?\n2\tA.\tAt home.\n3\tQ.\tAlone?\n4\tA.\tYes.\n") is None
    )
    assert from_table("\t\tQ. Where were you?\n\t\tA. At home.\n\t\tQ. Alone?\n") is None
