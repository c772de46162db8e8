"""Topic extraction rules on interviews that are not the seed: no greetings, fillers,
sentence-initial words or headings as topics; one person's spellings merge."""

from __future__ import annotations

from collections import Counter

from bot.models import InterviewMeta, Topic
from bot.topics import build_topics, extract_candidates, merge_names, same_person
from bot.transcript import parse_transcript

PODCAST = """\
Sam Rivera: Welcome back. My guest today designs typefaces.
Ana Ortiz: Hey Sam, thanks for having me.
Sam Rivera: How did you start?
Ana Ortiz: Since March I have worked alone. Before that I was at a studio with Peter Saville \
for ten years, and Peter Saville taught me to draw letters by hand.
Sam Rivera: What tools do you use?
Ana Ortiz: Like Photoshop, but for curves. Honestly, most of it is still on paper. Continue \
Reading was the name of my first zine, and I would like to continue it one day.
Sam Rivera: Any advice?
Ana Ortiz: So Wim Crouwel said a grid is a promise. Yeah Wim Crouwel was right about that.
Sam Rivera: Thanks, Ana.
Ana Ortiz: Thanks, Sam Rivera. Bye Sam.
"""

ORAL_HISTORY = """\
Q: Where did you grow up?
Ruth Baxter: On the island. My teacher, Juho Kuosmanen, came over every Tuesday by boat.
Q: What do you remember of him?
Ruth Baxter: Juho Kuosmanen read to us. Everyone loved Juho Kousmanen, as the register spelt it.
Q: And the lighthouse?
Ruth Baxter: Juho Kuosmanen kept its log in winter. Thank you, Lena Holm, for asking.
Q: Anything else?
Ruth Baxter: Good Morning Lena Holm, I should have said.
"""

FAMILY = """\
Q: Who ran the farm?
Dale Perry: John Smith ran it, and John Smith's brother Jon Smith kept the books.
Q: And the neighbours?
Dale Perry: Mark Jones and Mary Jones. Dan Lee and Dana Lee lived by the mill.
Q: Anything else?
Dale Perry: John Smith sold it in the end.
"""


def names(text: str, iid: str = "x") -> dict[str, tuple[str, ...]]:
    interview = parse_transcript(
        text, interview_id=iid, source=f"{iid}.txt", meta=InterviewMeta(iid)
    )
    return {t.name: t.aliases for t in extract_candidates(interview)}


def test_greetings_fillers_and_sentence_initial_words_are_no_topics() -> None:
    found = names(PODCAST)
    assert set(found) == {"Peter Saville", "Wim Crouwel"}, found
    # "So Wim Crouwel" and "Yeah Wim Crouwel": the filler goes, the name stays.


def test_a_name_only_ever_greeted_is_no_topic_but_a_mentioned_one_is() -> None:
    found = names(ORAL_HISTORY)
    assert "Lena Holm" not in found  # only "Thank you, Lena Holm" and "Good Morning Lena Holm"
    assert found == {"Juho Kuosmanen": ("Juho Kousmanen",)}


def test_misspellings_of_one_person_merge_under_the_form_used_most() -> None:
    found = names(FAMILY)
    assert found["John Smith"] == ("Jon Smith",)
    # Different people with similar names stay apart.
    for name in ("Mark Jones", "Mary Jones", "Dan Lee", "Dana Lee"):
        assert found[name] == (), name


def test_merged_topic_links_answers_with_either_spelling() -> None:
    interview = parse_transcript(
        ORAL_HISTORY, interview_id="oral", source="oral.txt", meta=InterviewMeta("Oral")
    )
    (juho,) = [t for t in build_topics([], [interview]) if t.name == "Juho Kuosmanen"]
    linked = {p.id for p in interview.passages if "Juho" in p.text}
    assert set(juho.passage_ids) == linked and len(linked) == 3


def test_a_variant_from_another_interview_joins_the_topic_not_a_new_one() -> None:
    first = parse_transcript(
        ORAL_HISTORY, interview_id="a", source="a.txt", meta=InterviewMeta("A")
    )
    other = "Q: Who taught you?\nEero Lind: Juho Kousmanen, on the island.\n"
    second = parse_transcript(other, interview_id="b", source="b.txt", meta=InterviewMeta("B"))
    topics = {t.name: t for t in build_topics([], [first, second])}
    assert "Juho Kousmanen" not in topics
    assert second.passages[0].id in topics["Juho Kuosmanen"].passage_ids


def test_curated_terms_still_win_over_extraction() -> None:
    interview = parse_transcript(FAMILY, interview_id="f", source="f.txt", meta=InterviewMeta("F"))
    curated = Topic("farm", "The farm", aliases=("John Smith",), curated=True)
    topics = build_topics([curated], [interview])
    assert "John Smith" not in {t.name for t in topics}
    assert topics[0].name == "The farm" and topics[0].passage_ids


def test_same_person_is_conservative() -> None:
    assert same_person("juho kuosmanen", "juho kousmanen")  # swapped letters
    assert same_person("jon smith", "john smith")  # a letter dropped
    assert same_person("anna karlsson", "anna karlson")
    assert not same_person("mark jones", "mary jones")  # another short name
    assert not same_person("dan lee", "dana lee")  # a feminine form
    assert not same_person("jon smyth", "john smith")  # no word the same
    assert not same_person("ann lee", "ann lee smith")  # a different length
    groups = merge_names(Counter({"jon smith": 1, "john smith": 3}))
    assert groups == [["john smith", "jon smith"]]


def test_headings_and_captions_are_no_topics() -> None:
    text = (
        "## Building Boats\n\nWhat came first?\n"
        "Jane Doe: The yard. Uncle Tom Harper ran it.\n\n"
        "### Harbour Days\n\n"
        "Jane Doe: We sailed with Tom Harper most weekends.\n\n"
        "*Summer Regatta*\n\nAnd later?\n"
        "Jane Doe: Later I bought it from him.\n"
    )
    found = names(text)
    assert set(found) == {"Tom Harper"}, found


def test_a_one_word_quoted_title_that_is_an_ordinary_word_is_no_topic() -> None:
    text = (
        "What did you make next?\n"
        "Jane Doe: A short called “Continue”, and then “Anora”. I had to continue working.\n"
    )
    assert set(names(text)) == {"Anora"}


def test_show_names_contractions_and_titles_before_a_surname_are_no_topics() -> None:
    text = (
        "Lee Park: Welcome back to Garden Hour. I'm Lee Park, with Rosa Diaz.\n"
        "Rosa Diaz: It's March, and Chair Halvorsen asked me about Kew Gardens.\n"
        "Lee Park: Thanks for coming on Garden Hour. What did Professor Ito say?\n"
        "Rosa Diaz: Ranking Member Brandt agreed with Ruth Calloway about Kew Gardens.\n"
    )
    assert set(names(text)) == {"Kew Gardens", "Ruth Calloway"}
