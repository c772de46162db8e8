"""From the file's lines to blocks: one paragraph of speech each, with its speaker label.

Recognises the layouts transcripts come in: plain "Name: words" lines, a label alone on
its line with the words below it ("Q:", "Name: 00:12:34", "Name (00:01:02):",
"Name  0:03"), markdown (headings, images, captions, rules, links, escapes, bold labels),
YAML front matter, and subtitle files (WebVTT with <v Name> tags, SRT with "Name:" in
cues). Debris is taken out here and listed with its line; a "STATEMENT OF JANE DOE"
heading makes the unlabelled statement below it hers.
"""

from __future__ import annotations

import re

from bot.models import Dropped
from bot.transcript.blocks import UNKNOWN_SPEAKER, Block, Layout, record
from bot.transcript.chevrons import titled_chevron_labels
from bot.transcript.clean import (
    Cleaned,
    clean_inline,
    closing_line,
    heading_text,
    is_caption,
    is_credit,
    is_image,
    is_music,
    is_note,
    is_rule,
    only_timestamp,
    participants_heading,
    shouted_heading,
    strip_lead_stamp,
    title_line,
)
from bot.transcript.cues import looks_like_srt, read_cues
from bot.transcript.front import front_matter
from bot.transcript.names import (
    META_LABELS,
    Label,
    clean_name,
    is_unnamed,
    looks_like_name,
    name_key,
    period_label,
    shaped_label,
    spaced_question,
    split_label,
)
from bot.transcript.shapes import (
    FORUM_HEADER,
    capitals_only,
    email_quoted,
    inline_turns,
    whole_aside,
    wrapped_aside,
)
from bot.transcript.survey import (
    alone_labels_of,
    fragmented,
    furniture_key,
    is_page_mark,
    is_running_head,
    is_web_furniture,
    job_title,
    label_free_chevron,
    label_shapes,
    line_numbers,
    page_furniture,
    pull_quote,
    survey,
    unquoted_text,
    without_line_number,
)
from bot.transcript.timed import with_timed_colons
from bot.transcript.unheard import unheard_note, unheard_question

__all__ = ["HEADER_FIELD", "UNKNOWN_SPEAKER", "Block", "Layout", "front_matter", "read_layout"]

_STATEMENT = re.compile(
    r"(?i)^(?:(?:opening|prepared|joint|written|closing)\s+)?(?:statement|testimony|remarks)"
    r"\s+of\s+(?:the\s+)?(?:hon(?:orable)?\.?\s+)?(?:(?:mr|mrs|ms|dr|prof)\.?\s+)?"
    r"(?P<name>[^,;:()\n]{3,80})"
)
# "— Parce que…": the dash French, Spanish or Russian print before each turn, not a word.
# Spanish prints it on the word ("—¿Cómo empezó?", "—Por mi abuela.").
_DIALOGUE_DASH = re.compile(r"^[—–―](?:\s+|(?=[¿¡«A-ZÀ-ÖØ-Þ]))(?=\S)")
# "――How did the project begin?": interviews translated from Japanese print each of the
# interviewer's questions after a doubled dash (no name), the answers under names
_QUESTION_BARS = re.compile(r"^(?:―{2}|—{2}|─{2})\s*(?=\S)")
_INTRO_LINES = 60
_FIELD_WORDS = 12  # a header field's value, not a turn's words
_PULL_QUOTES_MAX = 100
HEADER_FIELD = re.compile(r"^[A-Z][\w'’ ]{0,30}:\s")  # "Date of interview: ..." in a header


def read_layout(text: str, *, markdown: bool) -> Layout:
    lines = text.split("\n")
    first = next((i for i, line in enumerate(lines) if line.strip()), 0)
    head = lines[first].strip()
    if head.startswith("WEBVTT") or looks_like_srt(lines, first):
        return read_cues(lines, first, "webvtt" if head.startswith("WEBVTT") else "srt")
    layout = Layout("plain")
    numbered = line_numbers(lines, first)
    if numbered:  # a deposition's numbered lines: the numbers are no text
        lines = [without_line_number(raw) for raw in lines]
    lines = with_timed_colons(lines, first)  # "Name (00:00:03) words": no colon
    lines = titled_chevron_labels(lines, first)  # ">> host: we are back" in lower case
    start = first
    if head == "---":
        end, front = front_matter(lines, first)
        if end:
            layout.front = front
            layout.kind = "markdown"
            markdown = True
            for number in range(first + 1, end + 2):
                if lines[number - 1].strip():
                    layout.dropped.append(
                        Dropped(number, "front matter", lines[number - 1].strip())
                    )
            start = end + 1
    _read_lines(lines, start, layout, markdown, numbered)
    if markdown and layout.kind == "plain":
        layout.kind = "markdown"
    return layout


# --------------------------------------------------------------------------- subtitles


def _closes(line: str, lines: list[str], number: int) -> bool:
    """A closing line ("(The briefing was concluded at 2:41 p.m.)", "###") that no
    labelled turn follows."""
    return closing_line(line) and not any(
        split_label(later.strip()) is not None for later in lines[number:]
    )


def _statement_speaker(heading: str) -> str | None:
    match = _STATEMENT.match(heading.strip("*_ "))
    if not match:
        return None
    name = clean_name(match.group("name"))
    return name if looks_like_name(name) else None


def _mid_sentence(text: str) -> bool:
    """Text that stops mid-sentence ("my guest today is marine biologist Lena"): a caption
    dump's line, which the next line, starting in lower case, goes on."""
    return bool(text) and text[-1] not in _SENTENCE_END


_SENTENCE_END = '.?!…:;"”’)]*_'


def _indent(raw: str) -> int:
    return len(raw) - len(raw.lstrip(" \t"))


def _read_lines(
    lines: list[str], start: int, layout: Layout, markdown: bool, numbered: bool = False
) -> None:
    """`numbered`: a court transcript's numbered lines, often double-spaced: a blank line
    there ends nothing, and a turn runs until the next label."""
    join_lines, period_mode, capitals = survey(lines, start)
    join_lines = join_lines or numbered
    alone_labels = alone_labels_of(lines, start)
    shapes = label_shapes(lines, start)
    furniture = page_furniture(lines, start, alone_labels)
    fragments = not join_lines and fragmented(lines, start)
    # an email reply: the other side's words quoted "> " in a plain text file
    markdown_quotes = markdown or email_quoted(lines, start)
    unquoted: str | None = None  # the file without its blockquotes, once one is seen
    quotes_seen = 0
    current: Block | None = None
    pending: tuple[str, str | None, str | None] | None = None  # a label waiting for words
    pending_stamp: str | None = None
    section_break = False
    after_image = False
    begun = False  # a speaker label has been seen: the intro is over
    last_indent = 0  # a line indented deeper than the one above opens a paragraph (GPO)
    page_break = False  # page furniture was dropped since the last block began
    quoted = False  # the line is in a blockquote
    heading_at = 0  # the line of the last heading in capitals
    aside_end = 0  # the last line of a bracketed aside wrapped over several lines
    signature_from = 0  # the line of an email's "--" above the signature being read

    def flush() -> None:
        nonlocal current
        if current is not None:
            layout.blocks.append(current)
            current = None

    for number, raw in enumerate(lines[start:], start=start + 1):
        line = raw.strip()
        if begun and line and (participants_heading(line) or _closes(line, lines, number)):
            # "Call participants:" after the turns, or "(The briefing was concluded at
            # 2:41 p.m.)" with no turn after it: the transcript is over, and what follows
            # is the publisher's (links, disclaimers)
            flush()
            layout.dropped.extend(
                Dropped(n, "credit", rest.strip())
                for n, rest in enumerate(lines[number - 1 :], start=number)
                if rest.strip()
            )
            break
        if not line:
            signature_from = 0
            if not numbered:
                flush()
            continue
        if (
            is_page_mark(line)
            or (begun and is_running_head(line))
            or (furniture and furniture_key(line) in furniture)
        ):
            layout.dropped.append(Dropped(number, "page furniture", line))
            page_break = True
            continue  # a page break, not a break in what was said
        indented, last_indent = _indent(raw) > last_indent, _indent(raw)
        was_image, after_image = after_image, False
        heading = heading_text(line)
        if heading is not None and heading.endswith("?") and len(heading) <= 300:
            flush()  # "## When were you happiest?": a questionnaire's question, its answer below
            layout.blocks.append(Block(number, line, heading, strong=True))
            continue
        if heading is not None or is_rule(line):
            flush()
            if heading is not None:
                layout.headings.append(heading)
                layout.dropped.append(Dropped(number, "heading", line))
                who = _statement_speaker(heading)
                pending = (who, None, None) if who else None
            else:
                layout.dropped.append(Dropped(number, "rule", line))
            section_break = True
            continue
        if is_image(line):
            flush()
            layout.dropped.append(Dropped(number, "image", line))
            after_image = True
            continue
        if (
            is_caption(line, was_image)
            and split_label(line.replace("**", "")) is None
            and not _QUESTION_BARS.match(line)  # "――Finally, …" under a photo asks
        ):
            flush()
            layout.dropped.append(Dropped(number, "caption", line))
            continue
        if is_web_furniture(line):
            flush()
            layout.dropped.append(Dropped(number, "web furniture", line))
            continue
        if is_credit(line):
            flush()
            layout.dropped.append(Dropped(number, "credit", line))
            continue
        if only_timestamp(line):
            layout.dropped.append(Dropped(number, "timestamp", line))
            pending_stamp = pending_stamp or line.strip("[]() ")
            if (
                current is not None
                and current.label is None
                and current.line == number - 1
                and current.text == current.raw
                and (looks_like_name(current.text) or is_unnamed(current.text))
            ):
                # "Jane Doe" then "00:00:12" on the next line: a label and its time
                pending, current = (current.text, None, pending_stamp), None
                pending_stamp = None
            continue
        if is_note(line):
            flush()
            layout.blocks.append(Block(number, line, line, note=True))
            continue
        if line == "--" and not numbered:  # an email's signature follows, to a blank line
            signature_from = number
        if signature_from:
            layout.dropped.append(Dropped(number, "signature", line))
            continue
        if number <= aside_end:
            layout.dropped.append(Dropped(number, "stage note", line))
            continue
        if unheard_question(line):
            flush()  # "(Inaudible question from the audience.)": a turn no one heard
            layout.blocks.append(Block(number, line, line, note=True))
            continue
        if whole_aside(line) or is_music(line):
            flush()
            layout.dropped.append(Dropped(number, "stage note", line))
            continue
        aside_end = wrapped_aside(lines, number - 1)
        if aside_end:
            flush()  # "[The prepared statement of Dr. X can be found on page" / "42.]"
            layout.dropped.append(Dropped(number, "stage note", line))
            continue
        if markdown_quotes and line.startswith(">") and not line.startswith(">>"):
            if unquoted is None:
                unquoted = unquoted_text(lines)
            quotes_seen += 1  # a file of hundreds of blockquotes quotes in them: no pull quotes
            if quotes_seen <= _PULL_QUOTES_MAX and pull_quote(line, unquoted):
                flush()
                layout.dropped.append(Dropped(number, "pull quote", line))
                continue
            line = line.lstrip("> ").strip()
            if not line:  # ">" alone: a paragraph break inside the quote
                flush()
                continue
            quoted = True
        else:
            quoted = False
        if markdown_quotes and not markdown and current is not None and current.quoted != quoted:
            flush()  # an email's quoted question, the reply on the very next line
        cleaned = clean_inline(line, markdown=markdown)
        record(layout, number, cleaned.removed)
        text = cleaned.text
        dashed = barred = False
        if number < 2 or not lines[number - 2].strip():  # a paragraph's start, not a wrap
            dashed = bool(_DIALOGUE_DASH.match(text))
            text = _DIALOGUE_DASH.sub("", text)
            barred = bool(_QUESTION_BARS.match(text))
            text = _QUESTION_BARS.sub("", text)
        if not text:
            continue
        label: Label | None
        if label_free_chevron(text):
            # ">> GOOD AFTERNOON." in TV captions pasted as text: someone new speaks
            label = Label(UNKNOWN_SPEAKER, None, text[2:].strip())
        else:
            label = split_label(text) or (period_label(text) if period_mode else None)
            if label is None and text[:1] in "QA":
                spaced = spaced_question(line, number < 2 or not lines[number - 2].strip())
                label = Label(text[0], None, text[1:].lstrip(".").strip()) if spaced else None
        if label is None and barred:
            label = Label("Q", None, text)  # "――How did it begin?": the interviewer asks
        for shape in shapes if label is None else ():
            label = shaped_label(text, shape)
            if label is not None:
                alone = number >= len(lines) or not lines[number].strip()
                if shape == "dash" and alone and job_title(label.rest):
                    label = Label(label.name, label.rest, "")  # "Name -- Chief Executive Officer"
                break
        if label is not None and label.rest[:1].isdigit():
            rest, lead = strip_lead_stamp(label.rest)  # "Jane Doe: 00:12:34 Hello"
            if lead:
                layout.dropped.append(Dropped(number, "timestamp", lead))
                label = Label(label.name, label.note, rest)
                cleaned.stamp = cleaned.stamp or lead
        if (
            label is None
            and alone_labels
            and (current is None or current.line != number - 1 or not join_lines)
            and name_key(text) in alone_labels
        ):
            flush()  # "INTERVIEWER" alone, the words below it
            pending = (text, None, cleaned.stamp or pending_stamp)
            pending_stamp = None
            begun = True
            continue
        if not begun:
            begun = label is not None and name_key(label.name) not in META_LABELS
            if not begun and len(layout.intro) < _INTRO_LINES:
                layout.intro.append(text)
        if (
            label is None
            and begun
            and pending is None
            and title_line(text)
            and not lines[number - 2].strip()
            and (number >= len(lines) or not lines[number].strip())
        ):
            flush()  # "Early Years" alone between labelled turns: a section title
            layout.headings.append(text)
            layout.dropped.append(Dropped(number, "heading", line))
            section_break = True
            continue
        if (
            label is None
            and not capitals
            and heading_at == number - 1
            and capitals_only(text)
            and not shouted_heading(text)
        ):
            layout.dropped.append(Dropped(number, "heading", line))  # "FUND": the heading wraps
            heading_at = number
            continue
        if label is None and not capitals and shouted_heading(text):
            flush()
            heading_at = number
            layout.headings.append(text)
            layout.dropped.append(Dropped(number, "heading", line))
            who = _statement_speaker(text)
            pending = (who, None, None) if who else None
            section_break = True
            continue
        stamp = cleaned.stamp or pending_stamp
        forum = FORUM_HEADER.match(text) if label is None else None
        if forum:  # "u/scaly_boi_fan · 5h": a comment's author, the words below
            flush()
            pending = (forum.group("user"), "OP" if forum.group("op") else None, None)
            begun = True
            continue
        if label is None and cleaned.tail_stamp and (looks_like_name(text) or is_unnamed(text)):
            flush()
            pending = (text, None, stamp)
            pending_stamp = None
            continue
        if label is not None and (unheard_note(label.rest) or _unheard_rest(label, cleaned)):
            flush()  # "Q: (Off-mike.)": a turn said out of the microphone's reach
            layout.blocks.append(Block(number, line, line, label.name, label.note, note=True))
            pending = None
            continue
        if label is not None and not label.rest:
            flush()
            pending = (label.name, label.note, stamp)
            pending_stamp = None
            continue
        if label is not None:
            flush()
            current = Block(number, line, label.rest, label.name, label.note, stamp=stamp)
        elif pending is not None:
            flush()
            name, note, pstamp = pending
            current = Block(number, line, text, name, note, stamp=pstamp or stamp)
            current.labelled_alone = True
        elif (
            current is not None
            and (join_lines or (_mid_sentence(current.text) and (text[:1].islower() or fragments)))
            and not current.note
            and (not indented or _mid_sentence(current.text))  # a hanging indent goes on
            and not (HEADER_FIELD.match(text) and (not begun or _field_above(current, number)))
        ):
            current.text = f"{current.text} {text}"
            continue
        elif (
            page_break
            and current is None
            and layout.blocks
            and not layout.blocks[-1].note
            and _mid_sentence(layout.blocks[-1].text)
            and text[:1].islower()
        ):
            # "... every second," / footer / page number / "and it was designed ...":
            # the sentence goes on over the page break
            current = layout.blocks.pop()
            current.text = f"{current.text} {text}"
            page_break = False
            continue
        else:
            flush()
            current = Block(number, line, text, stamp=stamp, emphasis=cleaned.emphasis)
            current.strong = cleaned.strong
            current.quoted = quoted
            current.dashed = dashed
        pending = None
        pending_stamp = None
        page_break = False
        current.section_start = section_break
        section_break = False
        if not join_lines and not _mid_sentence(current.text):
            flush()
    flush()
    if pending is not None and pending[0] is not None:
        layout.dropped.append(Dropped(len(lines), "empty label", f"{pending[0]}:"))
    layout.blocks = [part for b in layout.blocks for part in _split_turns(b)]


def _field_above(current: Block, number: int) -> bool:
    """ "Collection: Leather and Lime" on the line above "Date of recording: …": one short
    header field under another, not a turn's words going on."""
    return (
        current.label is not None
        and current.line == number - 1
        and len(current.text.split()) <= _FIELD_WORDS
        and bool(HEADER_FIELD.match(current.raw))
    )


def _unheard_rest(label: Label, cleaned: Cleaned) -> bool:
    """ "Q: (Inaudible.)": a label whose only words were an unheard stage note."""
    return not label.rest and any(
        kind == "stage note" and unheard_note(what) for kind, what in cleaned.removed
    )


def _split_turns(block: Block) -> list[Block]:
    """ "— Whitlock: How long? — Marchetti: Three months.": one block per turn (and a
    caption line's "good morning. >> Guest: good morning" goes on a turn, then opens one)."""
    if block.label is None and " >>" not in block.text:
        return [block]
    text, turns = inline_turns(block.text)
    if not turns:
        return [block]
    block.text = text
    return [block, *(Block(block.line, block.raw, t.rest, t.name, t.note) for t in turns)]
