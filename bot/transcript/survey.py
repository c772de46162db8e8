"""What a whole transcript looks like, read once before its lines are: whether paragraphs
wrap, which label shapes it takes turns in (names alone on their line, "[Speaker 1]",
"NAME — words", GPO's "Mr. SMITH."), and which blockquotes are pull quotes."""

from __future__ import annotations

import re
from collections import Counter

from bot.transcript.clean import clean_inline, only_timestamp
from bot.transcript.names import (
    INTERVIEWEE_WORDS,
    INTERVIEWER_WORDS,
    is_unnamed,
    looks_like_name,
    name_key,
    period_label,
    shaped_label,
    split_label,
)

__all__ = [
    "alone_labels_of",
    "fragmented",
    "furniture_key",
    "is_page_mark",
    "is_running_head",
    "is_web_furniture",
    "job_title",
    "label_free_chevron",
    "label_shapes",
    "line_numbers",
    "page_furniture",
    "pull_quote",
    "survey",
    "unquoted_text",
    "without_line_number",
]

_ENDS = '.?!:;"”’)]*_'
# A page break in a transcript exported from a PDF or word processor: "[[Page 14]]",
# "Page 3 of 12", "- 4 -", or a running footer ending in its page number.
_PAGE_MARK = re.compile(
    r"(?i)^(?:\[\[page\s+\d+\]\]|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    r"|[-–—]\s*\d{1,4}\s*[-–—]|\d{1,4})$|\s{3,}(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$"
    r"|\bpage\s+\d{1,4}\s+of\s+\d{1,4}$"
)
# A running head with the page number after the narrator's name or the title: "Abernathy -
# 2", "SMITH INTERVIEW – 14", "Okafor, p. 3" (one to four capitalised words, no sentence).
_RUNNING_HEAD = re.compile(
    r"^[A-ZÀ-Þ][\w'’.]*(?:\s+[A-ZÀ-Þ][\w'’.]*){0,3}"
    r"(?:\s*[-–—|]\s*|,\s*(?:p\.|page)\s*|\s+(?:p\.|page)\s*)\d{1,4}$"
)
# What a news site puts between an article's paragraphs, copied with them: the ad slot
# ("ADVERTISEMENT", "Story continues below advertisement") and links to other stories
# ("**Read more:** [headline](url)", "RELATED: Headline Without A Full Stop").
_WEB_FURNITURE = re.compile(
    r"(?i)^(?:skip\s+)?advertisement(?:\.{3}|…)?$|^(?:article|story)\s+continues\s+below(?:\s+advertisement)?$"
    r"|^continue\s+reading(?:\s+the\s+main\s+story)?$|^sponsored(?:\s+content)?$"
    # a news page's own links, alone on their lines: "Reuse this content", "Back to Top"
    r"|^(?:share|reuse\s+this\s+content|most\s+viewed|most\s+popular|back\s+to\s+top"
    r"|explore\s+more\s+on\s+these\s+topics|skip\s+to\s+(?:main\s+)?content|watch\s+next)$"
    r"|^share\s+(?:this|on)\b[^.?!]{0,200}$"  # "Share this article: X Facebook"
    # a forum thread's counts: "12.4k upvotes · 893 comments · Share · Save · Report"
    r"|^\d[\d.,]*k?\s+(?:upvotes?|points|votes|likes|comments|replies)\b[^.?!]{0,200}$"
    r"|^(?:read\s+more|related|see\s+also|also\s+read|read\s+next|more\s+coverage"
    r"|recommended(?:\s+reading)?|further\s+reading)\s*:\s*"
    r"(?:\[[^\]]+\]\([^)]+\)|[^.?!…\"”]{3,120})$"
)
_TAG = re.compile(r"<[^<>\n]{1,300}>")
_DIGITS = re.compile(r"\d+")
_EMPHASIS = re.compile(r"[*_]+")
_RUNNING_MIN = 3  # a line repeated this often, word for word but its numbers, is a running head


def survey(lines: list[str], start: int) -> tuple[bool, bool, bool]:
    """(paragraphs wrap over several lines, labels end with a period as in GPO hearings,
    the file is mostly in capitals so a capitals line is no heading).

    Paragraphs wrap when blank lines separate them ("one sentence per line" under a
    label) or when the text is hard-wrapped at a fixed width (many lines of 40-100
    characters that stop mid-sentence). Files with neither have one paragraph per line.
    """
    runs = filled = wrapped = long_lines = shouting = 0
    gap = False
    period_names: set[str] = set()
    period_lines = 0
    qa_lines = {"Q": 0, "A": 0}
    previous = ""
    for line in lines[start:]:
        stripped = line.strip()
        if stripped:
            runs += gap and filled > 0
            filled += 1
            gap = False
            if previous and 40 <= len(previous) <= 100 and previous[-1] not in _ENDS:
                wrapped += 1
            long_lines += len(stripped) > 110
            shouting += len(stripped) >= 20 and not any(ch.islower() for ch in stripped)
            if stripped[:1].isupper() and len(period_names) < 50:
                label = period_label(stripped)
                if label is not None and label.name in qa_lines:
                    qa_lines[label.name] += 1
                elif label is not None:
                    period_lines += 1
                    period_names.add(label.name)
            previous = stripped
        else:
            gap = True
            previous = ""
    blank_separated = runs >= 2 and runs * 4 >= filled
    hard_wrapped = wrapped * 4 >= filled and long_lines * 20 <= filled and filled >= 8
    periods = period_lines >= 3 and len(period_names) >= 2
    capitals = shouting * 3 >= filled
    return blank_separated or hard_wrapped, periods or min(qa_lines.values()) >= 3, capitals


_ASKING_WORDS = INTERVIEWER_WORDS - {"q"}  # a lone "Q" line is too easily something else
_ALONE_MAX = 60  # characters: longer lines are speech, not a name standing alone
_ALONE_END = '.?!,;:…"”)'


def _alone_name(line: str) -> str | None:
    """The name a short line holds by itself ("INTERVIEWER", "[00:00:06] George Mensah",
    "**DOYLE**"), timestamps and markup removed; None for anything else."""
    if len(line) > _ALONE_MAX:
        return None
    text = clean_inline(line, markdown=True).text
    if not text or text[-1] in _ALONE_END or len(text.split()) > 5:
        return None
    key = name_key(text)
    if key in INTERVIEWER_WORDS or key in INTERVIEWEE_WORDS or is_unnamed(text):
        return text
    return text if looks_like_name(text) else None


# "JONAH FELD (OC)": a documentary log's note on where the speaker is (off camera, voice
# over, continued), after a name alone on its line
_CAMERA_NOTE = re.compile(
    r"(?i)\s+\((?:o\.?c\.?|o\.?s\.?|v\.?o\.?|v/o|off[- ]camera|on[- ]camera|cont'?d)\)$"
)


def without_camera_note(line: str) -> str:
    return _CAMERA_NOTE.sub("", line)


def alone_labels_of(lines: list[str], start: int) -> frozenset[str]:
    """Names that stand alone on their line above the words they said, with no colon:
    "INTERVIEWER" / "DOYLE" in magazine interviews, "[00:00:06] George Mensah" in Trint
    exports. A file uses them when two or more such names each recur (one recurring line
    may be a section title; two people taking turns are a conversation), or "INTERVIEWER"
    recurs (then the guest's name may stand alone once or twice). Returns their
    keys, with any name that stands alone once and shares a word with a recurring one
    ("CIARÁN DOYLE" before the "DOYLE"s); empty when the file does not use them."""
    counts: dict[str, int] = {}
    previous_blank = True
    for i in range(start, len(lines)):
        line = lines[i].strip()
        if not line:
            previous_blank = True
            continue
        standalone = previous_blank
        # a documentary log's timecode line alone above the name: "01:02:10:14"
        previous_blank = only_timestamp(line)
        line = without_camera_note(line)
        if not standalone or len(line) > _ALONE_MAX or line[-1] in _ALONE_END:
            continue  # cheap checks first: most lines are speech
        if len(line.split()) > 7 or split_label(line) is not None:
            continue
        name = _alone_name(line) or _job_label_name(line)
        follower = next(
            (lines[j].strip() for j in range(i + 1, min(len(lines), i + 4)) if lines[j].strip()), ""
        )
        if name is None or not follower or _alone_name(follower) is not None:
            continue
        counts[name_key(name)] = counts.get(name_key(name), 0) + 1
    recurring = {key for key, n in counts.items() if n >= 2}
    if recurring & _ASKING_WORDS:  # "INTERVIEWER" over and over: every name alone answers
        return frozenset(counts)
    if len(recurring) < 2:
        return frozenset()
    words = {word for key in recurring for word in key.split()}
    listed = _listed(lines, start, [k for k, n in counts.items() if n == 1 and " " in k])
    return frozenset(
        key
        for key in counts
        if key in recurring or words.intersection(key.split()) or key in listed
    )


_LISTED_LINES = 200
_LIST_SEPARATOR = re.compile(r"\s*(?:[-–—,(|]|$)")


def _listed(lines: list[str], start: int, names: list[str]) -> set[str]:
    """Of `names` (keys of full names standing alone once), those the header lists as
    people ("Olivia Brandt - Morgan Stanley" under "Conference Call Participants"): an
    analyst who asks once in an earnings call is a speaker, not a section title."""
    found: set[str] = set()
    if not names:
        return found
    for raw in lines[start : start + _LISTED_LINES]:
        low = " ".join(raw.split()).casefold()
        for key in names:
            if low.startswith(key) and low != key and _LIST_SEPARATOR.match(low, len(key)):
                found.add(key)
    return found


def label_shapes(lines: list[str], start: int) -> tuple[str, ...]:
    """The other label shapes ("[Speaker 1] words", "OLA — words") this file takes turns
    in: a shape counts when two or more names each open two or more lines with it (a
    dash after a name once is prose: "Paris — the city I loved")."""
    counts: dict[str, dict[str, int]] = {
        "bracket": {},
        "dash": {},
        "publication": {},
        "lowercase": {},
    }
    labelled = 0  # lines opened by an ordinary "Name:" label
    for raw in lines[start:]:
        line = raw.strip()
        if not line:
            continue
        shapes = ["bracket"] if line[0] == "[" else []
        head = line[:64]
        if "—" in head or "–" in head or "--" in head:
            shapes.append("dash")
        if line.lstrip("*_").startswith("The ") and ":" in head:
            shapes.append("publication")
            line = _EMPHASIS.sub("", line)
        chat = _LEAD_CLOCK.sub("", line)  # "[10:42] kai: …" as chat logs are copied
        if chat[:1].islower() and ":" in chat[:52]:
            shapes.append("lowercase")
        if split_label(line) is not None:
            labelled += 1
            continue
        if not shapes:
            continue
        for shape in shapes:
            label = shaped_label(chat if shape == "lowercase" else line, shape)
            if label is not None:
                key = name_key(label.name)
                counts[shape][key] = counts[shape].get(key, 0) + 1
    found = [
        s for s in ("bracket", "dash", "lowercase") if sum(n >= 2 for n in counts[s].values()) >= 2
    ]
    # a chat's handle ("mossgrove:") asking again and again of someone labelled by name
    if (
        "lowercase" not in found
        and labelled >= _LOWER_BESIDE_NAMES
        and any(n >= 2 for n in counts["lowercase"].values())
    ):
        found.append("lowercase")
    # one publication asks, again and again, of the person whose name labels the answers
    if any(n >= _PUBLICATION_MIN for n in counts["publication"].values()):
        found.append("publication")
    return tuple(found)


_PUBLICATION_MIN = 3
_NEAR_MARK = 2  # non-blank lines either side of a page mark
_LOWER_BESIDE_NAMES = 3  # ordinary "Name:" lines beside a recurring handle
_LEAD_CLOCK = re.compile(r"^[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?[\])]?\s+")


_QUOTE_MARKS = "\"'“”‘’ "
_STRAIGHT = str.maketrans("‘’“”", "''\"\"")


def pull_quote(line: str, unquoted: str) -> bool:
    """A blockquote repeating words said elsewhere in the piece (`unquoted`: the file's
    lines that are no blockquote, joined): a magazine's pull quote, set apart for the eye,
    not said twice."""
    inner = line.lstrip("> ").strip().strip(_QUOTE_MARKS).rstrip(".!?…").strip(_QUOTE_MARKS)
    return len(inner) >= 20 and _plain(inner) in unquoted


def _plain(text: str) -> str:
    """Curly quotes straight, spaces single, case folded: a pull quote is set in the
    magazine's typography ("The river doesn’t") from an answer that may be typed plainly,
    wrapped, and begin mid-sentence ("but the river doesn't")."""
    return " ".join(text.translate(_STRAIGHT).split()).casefold()


def unquoted_text(lines: list[str]) -> str:
    """The lines that are no blockquote, joined once for `pull_quote` (a file of many
    blockquotes stays one pass)."""
    return _plain(" ".join(line for line in lines if not line.lstrip().startswith(">")))


def label_free_chevron(text: str) -> bool:
    """ ">> words" with no "Name:" after the chevrons (a caption's change of speaker)."""
    return text.startswith(">>") and split_label(text) is None and len(text) > 2


def furniture_key(line: str) -> str:
    """A line with its numbers blanked: running heads differ only in their page number."""
    return " ".join(_DIGITS.sub("#", line).split()).casefold()


def page_furniture(
    lines: list[str], start: int, labels: frozenset[str] = frozenset()
) -> frozenset[str]:
    """Running heads and footers (`furniture_key`s): lines without closing punctuation, of
    three words or more, repeated word for word (but their numbers) on three or more
    pages, that are no speaker's label (nor a name alone above the words: one of `labels`,
    or one with a time); and the lines printed with them ("Alexandria, VA 22314",
    "Phone (703) 519-7180" under "ANDERSON COURT REPORTING"), repeated as often."""
    counts: Counter[str] = Counter()
    sample: dict[str, str] = {}
    # lines printed beside a page mark ("Page 3 of 17"): a running head seen twice is
    # enough there, as in an excerpt of two pages
    filled = [raw.strip() for raw in lines[start:] if raw.strip()]
    marks = [i for i, line in enumerate(filled) if is_page_mark(line)]
    near_mark = {
        furniture_key(filled[j])
        for i in marks
        for j in range(max(0, i - _NEAR_MARK), min(len(filled), i + _NEAR_MARK + 1))
    }
    for raw in lines[start:]:
        line = raw.strip()
        if len(line) < 12 or len(line) > 160 or line[-1] in _ENDS or len(line.split()) < 3:
            continue
        if sum(word.isalpha() for word in line.split()) < 3:
            continue
        key = furniture_key(line)
        counts[key] += 1
        sample.setdefault(key, line)
    found = {
        key
        for key, n in counts.items()
        if (n >= _RUNNING_MIN or (n >= 2 and key in near_mark))
        and split_label(sample[key]) is None
        and not _label_alone(sample[key], labels)
        and not _job_label(sample[key])
    }
    if not found:
        return frozenset()
    # A footer block: lines next to a footer line, repeated as often as it, no speech.
    every = Counter(furniture_key(line) for line in (raw.strip() for raw in lines[start:]) if line)
    previous = ""
    for raw in lines[start:]:
        line = raw.strip()
        key = furniture_key(line) if line and len(line) <= 160 else ""
        if (
            previous in found
            and key
            and key not in found
            and line[-1] not in _ENDS
            and every[key] >= _RUNNING_MIN
            and split_label(line) is None
        ):
            found.add(key)
        previous = key or previous
    return frozenset(found)


_JOB_WORDS = frozenset("of and the for & at on in to -- — – , /".split())


def _job_label_name(line: str) -> str | None:
    """The name of a "Name -- Job" line above its words (it counts as a name alone)."""
    label = shaped_label(line, "dash")
    return label.name if label is not None and _job_label(line) else None


def _job_label(line: str) -> bool:
    """ "Hilde Sandvik -- Chief Executive Officer": a speaker named above their words, however
    often it recurs (no running head)."""
    label = shaped_label(line, "dash")
    return label is not None and " " in label.name and job_title(label.rest)


def job_title(rest: str) -> bool:
    """ "Chief Executive Officer", "Harbor Lane Securities -- Analyst": what an earnings
    call prints after a speaker's name and a dash on the line above their words; a short
    title-cased phrase, no sentence and no number in it."""
    words = rest.replace(",", " , ").split()
    return (
        1 <= len(words) <= 12
        and rest[-1:] not in _ENDS
        and not any(ch.isdigit() for ch in rest)
        and all(w[:1].isupper() or w in _JOB_WORDS for w in words)
    )


def _label_alone(line: str, labels: frozenset[str]) -> bool:
    """ "[00:00:06] George Mensah", "Speaker 1  0:03", "MARY ANN SMITH" above the words: a
    label, not a footer ("ANDERSON COURT REPORTING" names nobody who speaks)."""
    name = _alone_name(line)
    return name is not None and (any(ch.isdigit() for ch in line) or name_key(name) in labels)


_CLOCKISH = re.compile(r"^[\[(]?\d{1,2}:\d{2}(?::\d{2})?[\])]?$")


def fragmented(lines: list[str], start: int) -> bool:
    """A caption dump ("Show transcript" copied from a video page): most lines, timestamps
    aside, stop mid-sentence, so a line goes on the one above whatever its first letter."""
    text_lines = fragments = 0
    for raw in lines[start : start + _NUMBERED_SCAN]:
        line = raw.strip()
        if not line or _CLOCKISH.match(line):
            continue
        text_lines += 1
        fragments += line[-1] not in _ENDS
    return text_lines >= 8 and fragments * 2 >= text_lines


_LINE_NUMBER = re.compile(r"^\s*(\d{1,2}|\d{3,4}(?=\s))(?=\s|$)")
_NUMBERED_SCAN = 400  # lines looked at to tell a line-numbered file


def line_numbers(lines: list[str], start: int) -> bool:
    """Court and deposition transcripts number every line of a page (1 to 25, again on
    each page), research transcripts every line of the file ("001", "002", … as coding
    software prints them): most lines open with a number one more than the line above's."""
    seen = rising = 0
    previous = 0
    for raw in lines[start : start + _NUMBERED_SCAN]:
        if not raw.strip():
            continue
        seen += 1
        match = _LINE_NUMBER.match(raw)
        number = int(match.group(1)) if match else 0
        padded = match is not None and len(match.group(1)) >= 3
        rising += (0 < number <= 35 or padded) and number == previous + 1
        previous = number
    return seen >= 10 and rising * 3 >= seen * 2


def without_line_number(raw: str) -> str:
    """ "14        A.   Columbia Dock" -> "        A.   Columbia Dock" (indent kept)."""
    match = _LINE_NUMBER.match(raw)
    return raw[match.end() :] if match else raw


def is_running_head(line: str) -> bool:
    """ "Abernathy - 2" alone on a line: a page's running head, once the turns have begun."""
    return len(line) <= 48 and bool(_RUNNING_HEAD.match(line))


def is_web_furniture(line: str) -> bool:
    """An ad slot or a "Read more:" link from a news page (markup around it aside)."""
    if len(line) > 600:
        return False
    bare = _EMPHASIS.sub("", _TAG.sub("", line)).strip()  # links copied with their tags
    return len(bare) <= 300 and bool(_WEB_FURNITURE.match(bare))


def is_page_mark(line: str) -> bool:
    return len(line) <= 160 and bool(_PAGE_MARK.search(line))  # the length first: it is cheap
