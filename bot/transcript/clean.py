"""Debris that is never part of a quote: markup, timestamps, stage notes, images, captions.

Line-level checks say what a whole line is (a heading, an image, a rule, a timestamp);
`clean_inline` strips what can sit inside a line of speech (markdown escapes, bold and
italic markers, links, bracketed timestamps, stage notes such as "(laughs)"). Every
pattern is bounded, so each line costs time linear in its length.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

__all__ = [
    "Cleaned",
    "clean_inline",
    "closing_line",
    "heading_text",
    "is_caption",
    "is_credit",
    "is_image",
    "is_note",
    "is_rule",
    "participants_heading",
    "shouted_heading",
    "strip_lead_stamp",
    "title_line",
]

_TS = r"\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d{1,3})?"
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!<>|~])")
_LINK = re.compile(r"(?<!!)\[([^\[\]\n]{1,300})\]\((?:[^()\s]{1,2000})(?:\s+\"[^\"]{0,200}\")?\)")
_INLINE_IMAGE = re.compile(r"!\[[^\[\]\n]{0,300}\]\([^()\s]{1,2000}\)")
_HTML_TAG = re.compile(r"</?(?:[a-zA-Z][a-zA-Z0-9]{0,10})(?:[ .][^<>]{0,200})?/?>")
_VTT_STAMP = re.compile(r"<" + _TS + r">")
_STRONG = re.compile(r"\*\*|__")
_EM_OPEN = re.compile(r"(?<![\w*\\])[*_](?=[^\s*_])")
_EM_CLOSE = re.compile(r"(?<=[^\s*_\\])[*_](?![\w*])")
_BRACKET_TS = re.compile(r"[\[(]\s?" + _TS + r"\s?[\])]")
_LEAD_TS = re.compile(r"^(?:\d{1,2}:\d{2}:\d{2}|\d{2}:\d{2})(?:[.,]\d{1,3})?(?=\s|$)\s*")
_LEAD_ANY_TS = re.compile(r"^" + _TS + r"(?=\s|$)\s*")
_TAIL_TS = re.compile(r"\s*(?<![\w:])" + _TS + r"$")
_ONLY_TS = re.compile(
    # "01:02:10:14": a video editor's timecode, its last part the frame
    r"^[\[(]?\s?(?:\d{2}:\d{2}:\d{2}[:;]\d{2}|"
    + _TS
    + r"(?:\s*(?:-->|-|–)\s*"
    + _TS
    + r")?)\s?[\])]?:?$"
)
# A briefing's clock line: "10:31 A.M. CDT", "11:02 a.m. EST"
_CLOCK = re.compile(r"^\d{1,2}:\d{2}\s?(?:[AaPp]\.?[Mm]\.?)(?:\s+[A-Z]{2,4})?$")
# A bracketed aside that is a stage direction, not words said: "(laughs)", "[inaudible]",
# "(END OF SIDE A)", "[crosstalk 00:01:02]". Editorial insertions ("[Jean-Luc]") are kept.
_STAGE_WORDS = (
    r"laugh\w*|chuckl\w*|giggl\w*|smil\w*|inaudible\w*|unintelligible|indistinct\w*|"
    r"crosstalk|cross-talk|overlapping\w*|talking over|pause[sd]?|long pause|silence|"
    r"applause|clapping|sigh\w*|cough\w*|music\w*|singing|sings|sound of\b[^\[\]()\n]{0,60}|noise\w*|"
    r"phone\b[^\[\]()\n]{0,60}|door\b[^\[\]()\n]{0,60}|break\b[^\[\]()\n]{0,60}|interruption|recording\b[^\[\]()\n]{0,60}|tape\b[^\[\]()\n]{0,60}|end of\b[^\[\]()\n]{0,60}|"
    r"start of\b[^\[\]()\n]{0,60}|beginning of\b[^\[\]()\n]{0,60}|side [ab12]\b[^\[\]()\n]{0,60}|off[- ]?mic\w*|off the record|"
    r"audio\b[^\[\]()\n]{0,60}|video\b[^\[\]()\n]{0,60}|technical\b[^\[\]()\n]{0,60}|unclear|garbled|static|gestur\w*|points?\b[^\[\]()\n]{0,60}|"
    r"nods?\b[^\[\]()\n]{0,60}|shrugs?\b[^\[\]()\n]{0,60}|(?:both|all|everyone)\s+laugh\w*|\w+ laughs?|laughter|beeps?|"
    r"pages? turn\w*|inaudible|foreign language|speaks? \w+|speaking \w+|silent|"
    r"whispers?\w*|shouts?\w*|cries|crying|sniff\w*|blank|\?+|\.\.\.|…|"
    r"\.{1,2}|\d{1,2}\.\d|"  # conversation analysts' pauses: "(.)" short, "(1.5)" timed
    r"as (?:interpreted|translated)|(?:through|via) (?:an? |the )?(?:interpreter|translator)|"
    r"whereupon\b[^\[\]()\n]{0,60}|recess\w*|brief recess|off the record\b[^\[\]()\n]{0,60}|adjourn\w*"
)
_STAGE = re.compile(r"[\[(]\s?(?:" + _STAGE_WORDS + r")(?:\s?" + _TS + r")?\s?[.!]?\s?[\])]", re.I)
# "*laughs*" in markdown podcasts: a stage direction in italics, not an emphasised word.
_STAGE_EM = re.compile(r"(?<![\w*])[*_](?:" + _STAGE_WORDS + r")[*_](?![\w*])", re.I)
_ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[a-zA-Z][a-zA-Z0-9]{1,31});")
_ASS_TAG = re.compile(r"\{\\[^{}\n]{0,40}\}")  # "{\an8}" positioning tags in SRT
_MUSIC = re.compile(r"^[♪♫#\s]+$|^♪.*♪$")
_SPACES = re.compile(r"[ \t]{2,}")
_SPACE_PUNCT = re.compile(r" +([,.;:!?])")

_HEADING = re.compile(r"^#{1,6}\s+(.*?)\s*#*$")
_RULE = re.compile(r"^(?:-{3,}|\*{3,}|_{3,}|(?:- ){2,}-|(?:\* ){2,}\*|={3,})$")
_IMAGE = re.compile(
    r"^(?:\[?!\[[^\]\n]{0,300}\]\([^()\s]{1,2000}(?:\s+\"[^\"]{0,200}\")?\)\]?(?:\([^()\s]{1,2000}\))?"
    r"|<img\b[^>]{0,2000}>|\[(?:image|photo|picture|video|embed)[^\]\n]{0,300}\])$",
    re.I,
)
_CAPTION_START = re.compile(
    r"^[*_(\[]*(?:(?:photo(?:graph)?s?|images?|illustrations?|caption|credits?|pictured|"
    r"courtesy)\s*[:|]|(?:photo(?:graph)?s?|illustrations?|images?)\s+(?:by|courtesy)\b)",
    re.I,
)
_WHOLLY_STRONG = re.compile(r"^(?:\*\*[^*\n]{1,1000}\*\*|__[^_\n]{1,1000}__)$")
_WHOLLY_EM = re.compile(r"^(?:\*[^*\n]{1,600}\*|_[^_\n]{1,600}_)$")


@dataclass(slots=True)
class Cleaned:
    """A line with debris removed; what was removed is listed as (kind, text)."""

    text: str
    removed: list[tuple[str, str]] = field(default_factory=list)
    stamp: str | None = None  # the first timestamp removed from the line
    tail_stamp: bool = False  # the line ended with a timestamp ("Name  0:03", "Name (0:03)")
    emphasis: bool = False  # the whole line was wrapped in * or _ (italic aside)
    strong: bool = False  # the whole line was bold (a question in many magazine Q&As)


def _remove(pattern: re.Pattern[str], kind: str, text: str, out: Cleaned) -> str:
    if not pattern.search(text):
        return text

    def drop(match: re.Match[str]) -> str:
        out.removed.append((kind, match.group()))
        if kind == "timestamp":
            out.stamp = out.stamp or match.group().strip("[]() ")
            # "Jane Doe (00:00:00)" (Riverside): a name followed only by its time
            out.tail_stamp = out.tail_stamp or not text[match.end() :].strip(" :*_")
        return " "

    return pattern.sub(drop, text)


def clean_inline(line: str, *, markdown: bool) -> Cleaned:
    """`line` (already stripped) without markup, timestamps and stage notes.

    Text with none of these comes back unchanged (character for character), so plain
    transcripts keep their paragraphs exactly as written.
    """
    out = Cleaned(line)
    text = line
    if markdown:
        out.emphasis = bool(_WHOLLY_EM.match(text)) and not text.startswith(("**", "__"))
        out.strong = bool(_WHOLLY_STRONG.match(text))
        if "\\" in text:
            text = _ESCAPE.sub(r"\1", text)
        if "](" in text:
            text = _remove(_INLINE_IMAGE, "image", text, out)
            text = _LINK.sub(r"\1", text)
    if "&" in text and _ENTITY.search(text):
        # Copied from a web page: "doesn&#8217;t", "5&nbsp;a.m.", "Q&amp;A"
        text = html.unescape(text).replace("\xa0", " ")
    if "{\\" in text:
        text = _remove(_ASS_TAG, "markup", text, out)
    if "<" in text:
        text = _remove(_VTT_STAMP, "timestamp", text, out)
        if _HTML_TAG.search(text):
            out.removed.append(("markup", "<tag>"))
            text = _HTML_TAG.sub("", text)
    if "**" in text or "__" in text:
        out.removed.append(("markup", "**"))
        text = _STRONG.sub("", text)
    if markdown and ("*" in text or "_" in text):
        text = _remove(_STAGE_EM, "stage note", text, out)
        stripped = _EM_CLOSE.sub("", _EM_OPEN.sub("", text))
        if stripped != text:
            out.removed.append(("markup", "*"))
            text = stripped
    if ":" in text:
        text = _remove(_BRACKET_TS, "timestamp", text, out)
        lead = _LEAD_TS.match(text)
        if lead:
            out.removed.append(("timestamp", lead.group().strip()))
            out.stamp = out.stamp or lead.group().strip()
            text = text[lead.end() :]
    if "(" in text or "[" in text:
        text = _remove(_STAGE, "stage note", text, out)
    if ":" in text:
        tail = _TAIL_TS.search(text)
        if tail and tail.start() > 0:
            before = text[: tail.start()].rstrip()
            if (
                before.endswith(":")
                or "  " in text[tail.start() - 2 : tail.start() + 1]
                or (len(before.split()) <= 6 and not before.endswith((".", "!", "?", ",")))
            ):
                out.removed.append(("timestamp", tail.group().strip()))
                out.stamp = out.stamp or tail.group().strip()
                out.tail_stamp = True
                # "Maya Torres | 00:00:03", "Maya Torres - 00:03": a name, a mark, its time
                text = before.rstrip(" |·•–—-") if len(before.split()) <= 6 else before
    if text is not line and text != line:
        text = _SPACE_PUNCT.sub(r"\1", _SPACES.sub(" ", text)).strip()
        if not text and all(kind == "markup" for kind, _ in out.removed):
            text, out.removed = line, []  # nothing but stars: text, not markup around text
    out.text = text
    return out


def strip_lead_stamp(text: str) -> tuple[str, str | None]:
    """ "00:12:34 Hello" -> ("Hello", "00:12:34"): a time right after a speaker's label."""
    lead = _LEAD_TS.match(text) or _LEAD_ANY_TS.match(text)
    if not lead:
        return text, None
    return text[lead.end() :], lead.group().strip()


def only_timestamp(line: str) -> bool:
    return bool(_ONLY_TS.match(line) or _CLOCK.match(line))


def heading_text(line: str) -> str | None:
    """The text of a markdown heading line ("## Intro" -> "Intro"), else None."""
    if not line.startswith("#"):
        return None
    match = _HEADING.match(line)
    return match.group(1) if match else None


def shouted_heading(line: str) -> bool:
    """An all-capitals line of two or more words without a label: a section title."""
    # the cheap tests first: most lines are long or hold a lower-case letter early on
    if len(line) > 300 or any(ch.islower() for ch in line):
        return False
    if sum(ch.isalpha() for ch in line) < 6:
        return False
    return len(line.split()) >= 2 and not line.rstrip().endswith((":", "?"))


def title_line(line: str) -> bool:
    """A short line in title case with no closing punctuation: "Early Years", "Moving to
    London" (a section title when it stands alone between labelled turns)."""
    words = line.split()
    if not 2 <= len(words) <= 8 or len(line) > 80 or line[-1] in '.?!,;:…"”’)':
        return False
    return all(w[:1].isupper() or (len(w) <= 3 and w.isalpha() and w.islower()) for w in words)


def is_rule(line: str) -> bool:
    return len(line) <= 100 and bool(_RULE.match(line))


def is_image(line: str) -> bool:
    return bool(_IMAGE.match(line))


def is_music(line: str) -> bool:
    return bool(_MUSIC.match(line))


def is_caption(line: str, after_image: bool) -> bool:
    """A photo caption or credit: right after an image, or starting "Photo:"/"Credit:"."""
    if _CAPTION_START.match(line) and len(line) <= 400:
        return True
    return after_image and (bool(_WHOLLY_EM.match(line)) or len(line) <= 200)


# --------------------------------------------------------------------------- notes

_NOTE_PREFIXES = (
    "editor's note",
    "editor’s note",
    "editors' note",
    "editors’ note",
    "editorial note",
    "ed. note",
    "ed.’s note",
    "ed.'s note",
    "ed note",
    "note:",
    "update:",
    "updated:",
    "correction:",
    "clarification:",
    "disclosure:",
    "disclaimer:",
)
_NOTE_EDITED = re.compile(
    r"(?:(?:this|the|our|their|her|his)\s+)?"
    r"(?:interview|conversation|transcript|q\s?(?:&|and)\s?a|exchange|discussion|chat|"
    r"remarks|responses|answers|questions and answers)s?\b[^.]{0,60}?"
    r"\b(?:edited|condensed|abridged|shortened|translated)\b"
    r"|(?:lightly\s+|has\s+been\s+|it\s+has\s+been\s+)?"
    r"(?:edited|condensed|abridged)\s+(?:and|&|for)\b"
)
_NOTE_MAX_LEN = 300


def is_note(text: str) -> bool:
    """Editorial notes ("This interview has been edited for length and clarity.")."""
    bare = text.lstrip("*_([ ").casefold()
    if bare.startswith(_NOTE_PREFIXES) or text.startswith(("[Ed", "(Ed")):
        return True
    return len(text) <= _NOTE_MAX_LEN and _NOTE_EDITED.match(bare) is not None


# "Transcribed by https://otter.ai", a bare link: the tool's or the page's, not speech.
_CREDIT = re.compile(
    r"(?i)^(?:transcri(?:bed|ption|pt)|captions?|captioned|subtitles?|generated)\s+"
    r"(?:by|with|from|powered by)\b|^<?https?://\S+>?$"
    r"|^(?:copyright\b|©|\(c\)\s*(?:19|20)\d\d)"  # the publisher's notice at the foot
    # "Fotografia: Rui Gaspar", "As told to Priya Raman.": who took the photos, who wrote it up
    r"|^(?:fotograf[ií]as?|fotos?|photo(?:graph)?s?|photography|illustrations?)\s*:\s*\S"
    r"|^as\s+told\s+to\s+[A-Z]"
    # a meeting tool's own lines: "This editable transcript was computer generated and
    # might contain errors.", "Meeting ended after 00:07:41"
    r"|^(?:this\s+)?(?:editable\s+)?transcript\s+(?:was|is|has\s+been)\s+(?:automatically|"
    r"computer|machine|auto)[- ]?generated\b"
    r"|^(?:meeting|call|recording|session)\s+(?:ended|stopped)\s+after\s+\d{1,2}:\d{2}"
    r"|^sent\s+from\s+my\s+\w+"  # a phone's line under an email
    # a news page's photo caption ("… in Hebden Bridge. Photograph: Lorna Pike/The Observer")
    r"|^[^\n]{0,200}\b(?:photograph|photo|illustration|composite)\s*:\s*[^.!?:]{1,80}$"
    # an investing site's footer: "X has no position in … The Motley Fool has a disclosure policy."
    r"|^[^\n]{0,190}\bhas\s+a\s+disclosure\s+policy\.?$"
    r"|^duration\s*:\s*\d{1,3}\s+min(?:ute)?s?\.?$"  # an earnings call's length, at the foot
)
# "Call participants:", "Conference Call Participants": the list of who took part
_PARTICIPANTS = re.compile(
    r"(?i)^(?:(?:conference\s+)?call|company|corporate|event)\s+participants\s*:?$"
)


def is_credit(line: str) -> bool:
    """A tool's, a publisher's or a photographer's line, not speech (see `_CREDIT`)."""
    return len(line) <= 200 and bool(_CREDIT.match(line))


def participants_heading(line: str) -> bool:
    """ "Call participants:": the list of who took part (after the turns, the end)."""
    return bool(_PARTICIPANTS.match(line))


# "(The briefing was concluded at 2:41 p.m.)", "###", "-30-": a press office's end mark
_CLOSING = re.compile(
    r"(?i)^(?:#{3}|-\s?30\s?-|explore\s+more\s+on\s+these\s+topics|\(?(?:the\s+)?(?:press\s+)?(?:briefing|conference|"
    r"press\s+conference|meeting|call|hearing)\s+(?:was\s+)?(?:concluded|adjourned|ended)"
    r"\b[^()]{0,60}\.?\)?)$"
)


def closing_line(line: str) -> bool:
    """A line that marks a briefing's or a release's end (see `_CLOSING`)."""
    return bool(_CLOSING.match(line))
