"""Real-world transcript layouts: every fixture's passages, speakers, roles and questions.

Each fixture under tests/fixtures/transcripts has a hand-written `<name>.expected.toml`
(speaker, first words and question of every passage, people and phrases never quoted).
The held-out set (tests/fixtures/transcripts_holdout) is only scored by
benchmarks/bench_transcripts.py, never asserted here, so it stays untuned.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from bot.loader import load_interview, read_sidecar
from bot.models import Interview, InterviewMeta
from bot.transcript import TranscriptError, parse_transcript

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "transcripts"
FILES = sorted(p for p in FIXTURES.iterdir() if p.suffix in (".txt", ".md", ".vtt", ".srt"))
DEBRIS = re.compile(
    r"\d{1,2}:\d{2}:\d{2}|[\[(]\d{1,2}:\d{2}[\])]|\*\*|\\[\[\]_*]|!\[|\]\(|-->|<v |"
    r"[\[(](?:laugh|inaudible|pause|end of|start of|whereupon)",
    re.I,
)


def squash(text: str) -> str:
    return " ".join(text.replace("’", "'").split()).casefold()


def load(path: Path) -> Interview:
    interview, errors = load_interview(path)
    assert interview is not None, errors
    assert not errors, errors
    return interview


def parse(text: str, meta: InterviewMeta | None = None, source: str = "t.txt") -> Interview:
    return parse_transcript(
        text, interview_id="t", source=source, meta=meta or InterviewMeta(title="T")
    )


@pytest.mark.parametrize("path", FILES, ids=[p.name for p in FILES])
def test_fixture_passages_speakers_and_questions(path: Path) -> None:
    expected = tomllib.loads(
        path.with_name(path.stem + ".expected.toml").read_text(encoding="utf-8")
    )
    interview = load(path)
    got = [(p.speaker, squash(p.text), squash(p.question or "")) for p in interview.passages]
    assert len(got) == len(expected["passages"]), [g[1][:40] for g in got]
    for (speaker, text, question), (want_speaker, start, want_q) in zip(
        got, expected["passages"], strict=True
    ):
        assert text.startswith(squash(start)), (text[:60], start)
        assert speaker == want_speaker, (start, speaker)
        if want_q and path.suffix != ".srt":
            assert question.startswith(squash(want_q)), (start, question[:60])
    roles = {info.name: info.role for info in interview.roles}
    for name in expected["interviewees"]:
        assert roles[name] == "interviewee"
    quoted = {p.speaker for p in interview.passages}
    assert not quoted & set(expected["not_quotable"])
    for passage in interview.passages:
        for phrase in expected.get("never_quoted", []):  # case counts: "END OF" vs "end of"
            assert " ".join(phrase.split()) not in " ".join(passage.text.split())
        for text in (passage.text, passage.question or ""):
            assert not DEBRIS.search(text), text


def test_srt_question_is_the_hosts_whole_turn() -> None:
    interview = load(FIXTURES / "srt_named_chess.srt")
    assert interview.layout == "srt"
    assert interview.passages[0].question == (
        "Grandmaster Sato, welcome to the program. When did you first play chess?"
    )
    # Two cues of one speaker are one passage, the sentence across them whole.
    assert interview.passages[0].sentences[1] == (
        "My grandfather taught me on a magnetic board during a long train ride."
    )
    assert {d.kind for d in interview.dropped} >= {"cue timing"}
    assert not any(re.fullmatch(r"\d+", p.text) for p in interview.paragraphs)


def test_webvtt_voice_tags_join_cues_and_drop_headers() -> None:
    interview = load(FIXTURES / "webvtt_volcano.vtt")
    first = interview.passages[0]
    assert first.text.startswith("We were sampling gas from a fissure eruption on the Reykjanes")
    assert "like a curtain of fire." in first.text
    assert "One morning the wind turned" not in first.text
    second = interview.passages[1]
    assert second.text.endswith("walk out with masks on. Very fast.")  # "Right." did not split it
    kinds = {d.kind for d in interview.dropped}
    assert {"cue header", "cue timing", "interjection"} <= kinds
    assert {(r.name, r.role) for r in interview.roles} == {
        ("Amara Okonkwo", "interviewee"),
        ("Tomasz Nowak", "interviewer"),
    }


def test_hearing_roles_unnamed_senator_and_opening_statement() -> None:
    interview = load(FIXTURES / "hearing_senate_wildfire.txt")
    roles = {r.name: (r.role, r.source) for r in interview.roles}
    assert roles["June Torres"][0] == "interviewee"
    assert roles["Senator"][0] == "other"
    assert roles["Senator Halvorsen"][0] == "interviewer"
    statement = interview.passages[0]
    assert statement.line == 14  # unlabelled, under "STATEMENT OF JUNE TORRES"
    assert len(statement.paragraphs) == 4
    masks = next(p for p in interview.passages if p.text.startswith("Less than"))
    assert masks.question == "Ms. Torres, are the masks actually worn?"
    assert any(d.kind == "heading" and "STATEMENT OF" in d.text for d in interview.dropped)


def test_oral_history_stage_notes_and_initials() -> None:
    interview = load(FIXTURES / "oral_history_quilting.txt")
    roles = {r.name: r for r in interview.roles}
    assert roles["Joan Birch"].role == "interviewer"
    assert roles["Ada Weaver"].role == "interviewee"
    first = interview.passages[0]
    assert first.text.endswith("I didn't get supper that night.")  # "(Laughing)" dropped
    feed = interview.passages[1]
    assert (
        feed.paragraphs[-1]
        == "And what was left over went in the quilts. Nothing was wasted. Not a scrap."
    )
    stage = [d for d in interview.dropped if d.kind == "stage note"]
    assert {d.text for d in stage} >= {"(Laughing)", "(END OF SIDE A)", "(Pause)", "[inaudible]"}
    assert all(d.line > 0 for d in interview.dropped)


def test_two_hosts_front_matter_headings_and_one_sentence_per_line() -> None:
    interview = load(FIXTURES / "podcast_two_hosts_frontmatter.md")
    roles = {r.name: (r.role, r.source) for r in interview.roles}
    assert roles["Claire Dubois"] == ("interviewee", "front matter")
    assert roles["Oskar Lind"] == ("interviewer", "front matter")
    assert roles["Ruth Adeyemi"] == ("interviewer", "front matter")
    assert interview.title == "Night Trains Are Back"
    decline = interview.passages[1]
    assert decline.paragraphs == (
        "Mostly cheap flights. A budget airline could take you from Paris to Berlin for "
        "thirty euros. The night trains had old carriages, high staff costs and track fees at "
        "every border. One by one, the railways cut them.",
        "By 2016 even the German railway gave up its sleepers entirely.",
    )
    assert decline.question == "Why did night trains almost disappear in the 2000s?"
    kinds = {d.kind for d in interview.dropped}
    assert {"front matter", "heading", "timestamp", "interjection"} <= kinds


def test_magazine_qa_names_the_answerer_and_drops_images_captions_outro() -> None:
    interview = load(FIXTURES / "magazine_qa_typographer.md")
    assert {p.speaker for p in interview.passages} == {"Lena Hofmann"}
    assert interview.passages[0].question == "What does a type designer actually do all day?"
    assert "Comic Sans on a gravestone" in interview.passages[2].text
    assert interview.passages[3].text.startswith("I don't hate it.")
    kinds = [d.kind for d in interview.dropped]
    assert kinds.count("image") == 2 and kinds.count("caption") == 2
    outro = [p for p in interview.paragraphs if p.text.startswith("As I left")]
    assert outro and outro[0].kind == "note"


def test_sidecar_aliases_and_lists(tmp_path: Path) -> None:
    sidecar = FIXTURES / "initials_sidecar_bakery.toml"
    meta, errors, _ = read_sidecar(sidecar, "initials_sidecar_bakery")
    assert not errors
    assert meta.interviewees == ("Tomas Oyelaran",)
    assert meta.interviewers == ("Rosa Molina",)
    assert meta.interviewee == "Tomas Oyelaran" and meta.interviewer == "Rosa Molina"
    interview = load(FIXTURES / "initials_sidecar_bakery.txt")
    assert {(r.name, r.role, r.source) for r in interview.roles} == {
        ("Tomas Oyelaran", "interviewee", "sidecar"),
        ("Rosa Molina", "interviewer", "sidecar"),
    }
    two = tmp_path / "two.toml"
    two.write_text('title = "T"\ninterviewer = "First Host, Second Host"\n', encoding="utf-8")
    meta, errors, _ = read_sidecar(two, "two")
    assert not errors and meta.interviewers == ("First Host", "Second Host")
    assert meta.interviewer == "First Host, Second Host"
    bad = tmp_path / "bad.toml"
    bad.write_text('title = "T"\ninterviewees = [1, 2]\naliases = ["JD"]\n', encoding="utf-8")
    _, errors, _ = read_sidecar(bad, "bad")
    assert len(errors) == 2


def test_sidecar_interviewee_makes_everyone_else_interviewer_or_other() -> None:
    text = (
        "Ann Lee: Welcome. What do you make?\n"
        "Bo Chan: Films, small ones, mostly about my street.\n"
        "Cy Dunn: I run the camera for him.\n"
        "Ann Lee: Why small?\n"
        "Bo Chan: Because small is what I can pay for, and what I know.\n"
    )
    interview = parse(text, InterviewMeta(title="T", interviewees=("Bo Chan",)))
    roles = {r.name: r.role for r in interview.roles}
    assert roles == {"Bo Chan": "interviewee", "Ann Lee": "interviewer", "Cy Dunn": "other"}
    assert [p.speaker for p in interview.passages] == ["Bo Chan", "Bo Chan"]
    # Two interviewees are both quotable.
    both = parse(text, InterviewMeta(title="T", interviewees=("Bo Chan", "Cy Dunn")))
    assert [p.speaker for p in both.passages] == ["Bo Chan", "Cy Dunn", "Bo Chan"]


def test_unnamed_turns_are_never_credited_to_a_named_speaker() -> None:
    text = (
        "Senator Vale: Ms. Ode, how many wells failed?\n"
        "Ms. Ode: Forty, most of them shallow ones dug before 1960.\n"
        "Senator: And how many were replaced?\n"
        "Ms. Ode: Twelve so far, with state money.\n"
        "Audience: Shame!\n"
        "Senator Vale: Order, please. Ms. Ode, what do you need?\n"
        "Ms. Ode: Money for the other twenty-eight, and staff to apply for it.\n"
    )
    interview = parse(text)
    assert [p.speaker for p in interview.passages] == ["Ms. Ode"] * 3
    assert interview.passages[1].question == "And how many were replaced?"
    roles = {r.name: r.role for r in interview.roles}
    assert roles["Senator"] == "other" and roles["Audience"] == "other"
    assert roles["Senator Vale"] == "interviewer"


def test_interjection_does_not_split_or_become_the_question() -> None:
    text = (
        "Host Kai: So how did it start?\n"
        "Mira Solis: With a broken bike and a borrowed garage.\n"
        "Host Kai: Oh, really?\n"
        "Mira Solis: Really. I fixed it and sold it, then fixed three more.\n"
        "Host Kai: Why bikes?\n"
        "Mira Solis: They were what people around me could afford.\n"
    )
    interview = parse(text)
    assert [p.paragraphs for p in interview.passages] == [
        (
            "With a broken bike and a borrowed garage.",
            "Really. I fixed it and sold it, then fixed three more.",
        ),
        ("They were what people around me could afford.",),
    ]
    assert [p.question for p in interview.passages] == ["So how did it start?", "Why bikes?"]
    assert [(d.kind, d.text) for d in interview.dropped] == [("interjection", "Oh, really?")]


@pytest.mark.parametrize(
    ("line", "speaker", "words"),
    [
        ("Jane Doe: 00:12:34", "Jane Doe", "Words here."),
        ("[00:12:34] Jane Doe:", "Jane Doe", "Words here."),
        ("Jane Doe (00:01:02):", "Jane Doe", "Words here."),
        ("Jane Doe  0:03", "Jane Doe", "Words here."),
        ("**Jane Doe:**", "Jane Doe", "Words here."),
        ("JANE DOE:", "Jane Doe", "Words here."),
    ],
)
def test_label_alone_shapes(line: str, speaker: str, words: str) -> None:
    text = f"Sam Roe: What happened?\n\n{line}\n{words}\nMore words.\n\nSam Roe: Thanks?\n\n{line}\nSure.\n"
    interview = parse(text)
    assert interview.passages[0].speaker == speaker
    assert interview.passages[0].paragraphs == (f"{words} More words.",)
    assert interview.passages[0].question == "What happened?"


def test_debris_is_listed_with_its_line() -> None:
    text = (
        "# Title\n\n![cover](https://x.org/a.png)\n*Photo: A. Person*\n\n"
        "**Q:** Why? \\[00:01:02\\]\n\n**A:** Because \\_this\\_ (laughs) works.\n\n00:02:00\n"
    )
    interview = parse(text, source="t.md")
    assert interview.passages[0].text == "Because this works."
    assert interview.passages[0].question == "Why?"
    got = {(d.line, d.kind) for d in interview.dropped}
    assert {(1, "heading"), (3, "image"), (4, "caption"), (6, "timestamp")} <= got
    assert {(8, "stage note"), (10, "timestamp")} <= got


def test_only_debris_is_a_clear_error() -> None:
    with pytest.raises(TranscriptError) as info:
        parse("# Heading\n\n00:00:01\n\n---\n", source="t.md")
    assert info.value.line == 1


def test_timestamp_alone_is_debris_anywhere_but_times_in_speech_stay() -> None:
    interview = parse(
        "What time?\nBaker: We met at 5:30 and left at 10:15.\n00:14\n[00:15:00]\nMore.\n",
        InterviewMeta(title="T", interviewee="Baker"),
    )
    assert interview.passages[0].paragraphs == ("We met at 5:30 and left at 10:15.", "More.")


def test_bold_questions_answerer_named_from_the_headline() -> None:
    text = (
        "# Painter Rosa Lind on the colour blue\n\n"
        "Rosa Lind has painted the same harbour for thirty years.\n\n"
        "**Why the harbour?**\n\nBecause it is never the same twice.\n\n"
        "**And why blue?**\n\nIt was the cheapest paint in the shop.\n"
    )
    interview = parse(text, source="t.md")
    assert [(p.speaker, p.question) for p in interview.passages] == [
        ("Rosa Lind", "Why the harbour?"),
        ("Rosa Lind", "And why blue?"),
    ]
    # A place in the headline that the intro never names again is nobody.
    place = text.replace("Painter Rosa Lind on", "New York and").replace("Rosa Lind has", "She has")
    assert {p.speaker for p in parse(place, source="t.md").passages} == {"Interviewee"}


def test_deposition_style_q_and_a_with_periods() -> None:
    text = (
        "Q. State your name.\nA. Ruth Okoro.\nQ. Where were you that night?\n"
        "A. At the depot, on the late shift.\nQ. Alone?\nA. No. Two drivers were there.\n"
    )
    interview = parse(text, InterviewMeta(title="T", interviewee="Ruth Okoro"))
    assert [(p.speaker, p.text, p.question) for p in interview.passages] == [
        ("Ruth Okoro", "Ruth Okoro.", "State your name."),
        ("Ruth Okoro", "At the depot, on the late shift.", "Where were you that night?"),
        ("Ruth Okoro", "No. Two drivers were there.", "Alone?"),
    ]
    # Without three of each, "A. Lincoln" at a line's start stays text.
    assert parse("Q: Who?\nA: A. Lincoln said it.\n").passages[0].text == "A. Lincoln said it."


def test_label_notes_and_generic_labels_named_by_the_sidecar() -> None:
    text = (
        "Jo Park, host: Welcome! What brings you here?\n"
        "Guest: A book about rivers, and a long drive.\n"
        "Jo Park, host: Which river first?\n"
        "Guest: The Mekong, where my mother was born.\n"
    )
    interview = parse(text, InterviewMeta(title="T", interviewee="Lan Vu"))
    assert [p.speaker for p in interview.passages] == ["Lan Vu", "Lan Vu"]
    assert {(r.name, r.role) for r in interview.roles} == {
        ("Lan Vu", "interviewee"),
        ("Jo Park", "interviewer"),
    }
    plain = parse(text)
    assert [p.speaker for p in plain.passages] == ["Guest", "Guest"]


@pytest.mark.parametrize("stamp", ["Jane Doe (00:00:01)", "Jane Doe\n00:00:01"])
def test_name_then_its_time_is_a_label(stamp: str) -> None:
    lines = [
        (stamp, "What is it?"),
        (stamp.replace("Jane Doe", "Bo Li"), "A thing I made long ago in school, for fun."),
        (stamp, "Why?"),
        (stamp.replace("Jane Doe", "Bo Li"), "Because I was bored and had a hammer and wood."),
    ]
    text = "\n\n".join(f"{head}\n{words}" for head, words in lines)
    interview = parse(text)
    assert [(p.speaker, p.question) for p in interview.passages] == [
        ("Bo Li", "What is it?"),
        ("Bo Li", "Why?"),
    ]
    assert not any("00:00" in p.text for p in interview.paragraphs)


def test_whoever_welcomes_listeners_hosts_the_show() -> None:
    # Both speak at length and neither asks much: the opener's "Welcome to" decides.
    text = (
        "Ana Ruiz: Welcome to Slow Roads. Today I drove the coast road with an old friend, "
        "and we talked about maps.\n"
        "Ben Ode: Maps were my whole childhood, my father drew them for the county office.\n"
        "Ana Ruiz: I remember the big table in his office, covered in tracing paper.\n"
        "Ben Ode: He never let anyone touch it, not even the mayor, which says a lot.\n"
    )
    interview = parse(text)
    assert {p.speaker for p in interview.passages} == {"Ben Ode"}
    assert {(r.name, r.role, r.source) for r in interview.roles} >= {
        ("Ana Ruiz", "interviewer", "intro")
    }


def test_only_questions_marked_the_next_paragraph_answers() -> None:
    text = (
        "Q: How did you start?\n\nBy accident.\n\nThen on purpose.\n\nQ: And now?\n\nNow I teach.\n"
    )
    interview = parse(text, InterviewMeta(title="T", interviewee="Ida Berg"))
    assert [(p.speaker, p.paragraphs, p.question) for p in interview.passages] == [
        ("Ida Berg", ("By accident.", "Then on purpose."), "How did you start?"),
        ("Ida Berg", ("Now I teach.",), "And now?"),
    ]


def test_named_hosts_make_every_other_talker_a_guest() -> None:
    text = (
        "Ann Lee: Quick one today. Bo, what changed?\n"
        "Bo Chan: Prices. Why do you ask? Everyone asks. It's prices, all of it, since spring.\n"
        "Cy Dunn: And the weather, which nobody can price.\n"
        "Ann Lee: Fair.\n"
    )
    interview = parse(text, InterviewMeta(title="T", interviewers=("Ann Lee",)))
    roles = {r.name: (r.role, r.source) for r in interview.roles}
    assert roles == {
        "Ann Lee": ("interviewer", "sidecar"),
        "Bo Chan": ("interviewee", "text"),
        "Cy Dunn": ("interviewee", "text"),
    }


def test_markdown_saved_as_txt_is_read_as_markdown() -> None:
    # /admin import stores every upload as .txt: the markdown must still be undone.
    text = (FIXTURES / "podcast_one_host_two_guests.md").read_text(encoding="utf-8")
    as_txt = parse(text, source="upload.txt")
    as_md = parse(text, source="upload.md")
    assert [p.text for p in as_txt.passages] == [p.text for p in as_md.passages]
    assert not any("\\" in p.text or "**" in p.text for p in as_txt.passages)


def test_a_transcript_all_in_capitals_keeps_its_paragraphs() -> None:
    text = (
        "MS. REYES: WHERE WERE YOU ON THE NIGHT OF THE FIRE?\n"
        "MR. DALE: AT HOME WITH MY WIFE AND OUR TWO BOYS.\n"
        "WE HEARD THE SIRENS AROUND MIDNIGHT AND WENT OUTSIDE.\n"
        "MS. REYES: WHAT DID YOU SEE?\n"
        "MR. DALE: SMOKE OVER THE MILL, AND PEOPLE RUNNING.\n"
    )
    interview = parse(text)
    assert [p.paragraphs for p in interview.passages] == [
        (
            "AT HOME WITH MY WIFE AND OUR TWO BOYS.",
            "WE HEARD THE SIRENS AROUND MIDNIGHT AND WENT OUTSIDE.",
        ),
        ("SMOKE OVER THE MILL, AND PEOPLE RUNNING.",),
    ]
    assert {p.speaker for p in interview.passages} == {"Mr. Dale"}


def test_italic_stage_directions_and_subtitle_tags_are_debris() -> None:
    text = (
        "**Host:** How was the tour?\n\n**Ivy Moss:** Long. *laughs* Very long, but _sighs_ "
        "worth it.\n"
    )
    interview = parse(text, source="t.md")
    assert interview.passages[0].text == "Long. Very long, but worth it."
    srt = "1\n00:00:01,000 --> 00:00:03,000\n{\\an8}HOST: Why?\n\n2\n00:00:03,000 --> 00:00:05,000\nIVY MOSS: Because.\n"
    assert parse(srt).passages[0].text == "Because."


def test_time_right_after_a_label_is_debris() -> None:
    text = (
        "Ann Lee: 00:00:03 Why maps?\nBo Chan: 00:00:05 Because I get lost, often and everywhere.\n"
    )
    interview = parse(text)
    assert [(p.text, p.question) for p in interview.passages] == [
        ("Because I get lost, often and everywhere.", "Why maps?")
    ]


def test_caption_speaker_change_is_never_the_named_speaker() -> None:
    srt = (
        "1\n00:00:01,000 --> 00:00:03,000\nHOST: Why did you run?\n\n"
        "2\n00:00:03,000 --> 00:00:06,000\nJO KIM: Because my town had no one else running.\n\n"
        "3\n00:00:06,000 --> 00:00:08,000\n>> Go Jo!\n\n"
        "4\n00:00:08,000 --> 00:00:10,000\nJO KIM: And that crowd is why I stayed in the race.\n"
    )
    interview = parse(srt)
    assert all("Go Jo" not in p.text for p in interview.passages)
    assert {p.speaker for p in interview.passages} == {"Jo Kim"}


def test_hard_wrapped_oral_history_header_and_generic_labels() -> None:
    interview = load(FIXTURES / "oral_history_hard_wrapped.txt")
    assert {(r.name, r.role) for r in interview.roles} == {
        ("Dolores Fuentes", "interviewee"),
        ("Peter Graham", "interviewer"),
    }
    ledes = [p.text for p in interview.paragraphs if p.kind == "lede"]
    assert ledes[:3] == [
        "Narrator: Dolores Fuentes",
        "Interviewer: Peter Graham",
        "Date of interview: June 3, 1994",
    ]
    strike = interview.passages[2]
    assert strike.paragraphs[0].startswith(
        "That was in 1938. The owners cut the rate again, and we"
    )
    assert strike.paragraphs[1].startswith("I was at the plaza that first night.")
    assert interview.passages[1].text.endswith("My father was sick that winter.")  # "Mm-hmm."


def test_a_stray_other_label_keeps_unlabelled_questions() -> None:
    text = (
        "What came first?\nSean Baker: The script.\nAnd then?\nBaker: The cast.\n"
        "Audience: Bravo!\nWhy that order?\nBaker: Money, mostly.\nWhat next?\nBaker: Rest.\n"
    )
    interview = parse(text)
    assert [(p.text, p.question) for p in interview.passages] == [
        ("The script.", "What came first?"),
        ("The cast.", "And then?"),
        ("Money, mostly.", "Why that order?"),
        ("Rest.", "What next?"),
    ]


def test_rev_continuation_time_alone_starts_a_new_paragraph_of_the_same_speaker() -> None:
    interview = parse(
        "Lenny Rachitsky (00:00:36):\nWhat was the hardest part of leaving?\n\n"
        "Ada Chen Rekhi (00:00:40):\nLeaving was hard because I loved the team.\n\n"
        "(00:00:52):\nSo then I told my manager the truth about it.\n\n"
        "Lenny Rachitsky (00:01:10):\nAnd how did they take it?\n\n"
        "Ada Chen Rekhi (00:01:12):\nBetter than I expected, honestly.\n"
    )
    first = interview.passages[0]
    assert first.speaker == "Ada Chen Rekhi"
    assert first.paragraphs == (
        "Leaving was hard because I loved the team.",
        "So then I told my manager the truth about it.",
    )
    assert [d.text for d in interview.dropped if d.line == 7] == ["(00:00:52):"]


def test_two_people_talking_the_one_who_asks_twice_as_often_is_the_host() -> None:
    # A conversational podcast: nobody is introduced, both talk at length, the host also
    # answers; only how often each asks tells them apart.
    host = [
        "Well, we're back for part three, which I never did before on this show.",
        "So who exactly are you these days?",
        "It changed a lot since part one. We talked about the product last time.",
        "You wrote that your work history is hilarious, and I agree with that.",
        "I think a lot of people look up to you for starting your own company.",
        "And what happened after that job ended?",
    ]
    # The host asks in 2 of 6 turns and speaks as long as the guest: a score of 0.58
    # (asking 0.33 + opening 0.25), under the 0.75 a larger cast needs.
    guest = [
        "Part three, I'm honored to be back here again with you today.",
        "Mostly an engineer and designer who made a lot of different products over the years.",
        "It did change a lot, and that is fine with me because I like change more than most.",
        "I never stayed anywhere for much more than a year, and friends do not understand it.",
        "That is kind of them, although starting a company was mostly luck and stubbornness.",
        "I went travelling for a while and then started writing software for myself again.",
    ]
    text = "\n\n".join(
        f"**Adam Stack:** {a}\n\n**Sam Soft:** {b}" for a, b in zip(host, guest, strict=True)
    )
    interview = parse(text, source="t.md")
    roles = {r.name: r.role for r in interview.roles}
    assert roles == {"Adam Stack": "interviewer", "Sam Soft": "interviewee"}
    assert {p.speaker for p in interview.passages} == {"Sam Soft"}


def test_front_matter_title_folded_over_two_lines_is_whole(tmp_path: Path) -> None:
    path = tmp_path / "episode.md"
    path.write_text(
        "---\nguest: Jane Roe\ntitle: 'Why most products fail: lessons from fifty launches at\n"
        "  three companies'\nview_count: 12\n---\n\n"
        "Host Person (00:00:00):\nWhat fails first?\n\n"
        "Jane Roe (00:00:05):\nThe team fails before the product does.\n",
        encoding="utf-8",
    )
    interview = load(path)
    assert interview.title == (
        "Why most products fail: lessons from fifty launches at three companies"
    )
    assert [p.speaker for p in interview.passages] == ["Jane Roe"]
