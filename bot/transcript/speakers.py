"""Who speaks each block: labels resolved to people, Q/A markers named, roles decided.

Reads what the file and its sidecar say about its people (sidecar lists and aliases, front
matter guests/hosts, intro lines such as "Interviewed by Joan Birch (JB)", the headline of
a Q&A) and hands the passage stage one `Turned` block per paragraph.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from bot.models import InterviewMeta, SpeakerRole
from bot.transcript.answerer import email_writer, footer_lines, participant_code, thread_starter
from bot.transcript.chevrons import sidecar_voices
from bot.transcript.counsel import counsel_roles
from bot.transcript.layout import UNKNOWN_SPEAKER, Block, Layout
from bot.transcript.markers import mark_blocks
from bot.transcript.mentions import (
    initials_named,
    label_core,
    lowercase_full_name,
    mentioned_full_name,
    office_holder,
    office_words,
    self_introduced,
)
from bot.transcript.names import (
    ANSWERER_WORDS_ABROAD,
    ASKER_WORDS_ABROAD,
    META_LABELS,
    QA_MARKERS,
    Names,
    clean_name,
    code_prefix,
    initials,
    initials_label,
    is_unnamed,
    looks_like_name,
    name_key,
    split_names,
    strip_honorific,
)
from bot.transcript.passages import Turned
from bot.transcript.roles import (
    Cue,
    SpeakerStats,
    assign_roles,
    find_aliases,
    find_cues,
    headline_name,
    lede_name,
    note_role,
    role_word,
)
from bot.transcript.selfnamed import self_named

__all__ = ["Cast", "read_cast"]

_FRONT_INTERVIEWEES = ("interviewees", "interviewee", "guests", "guest", "witness", "narrator")
_FRONT_INTERVIEWERS = (
    "interviewers",
    "interviewer",
    "hosts",
    "host",
    "moderator",
    "author",
    "authors",
)
_GENERIC_LABELS = {
    "interviewer": "Q",
    "interviewee": "A",
    "guest": "A",
    "respondent": "A",
    "narrator": "A",
    "the witness": "A",  # a deposition's "THE WITNESS:" after an objection
}
_GENERIC_LABELS.update(dict.fromkeys(ASKER_WORDS_ABROAD, "Q"))
_GENERIC_LABELS.update(dict.fromkeys(ANSWERER_WORDS_ABROAD, "A"))
_INTRO_BLOCKS = 40
# "1. Who still brings you typewriters?", "Q2. Favourite glaze?"
_WELCOME = re.compile(
    r"(?i)\bwelcome\s+(?:to|back)\b|\byou'?re listening to\b"
)  # how far into the file intro cues are looked for


def _front_names(front: dict[str, list[str]], keys: Iterable[str]) -> list[str]:
    names: list[str] = []
    for key in keys:
        for value in front.get(key, []):
            names.extend(strip_honorific(n) for n in split_names(value))
    return names


def _intro(layout: Layout, meta_title: str) -> tuple[list[Cue], dict[str, str]]:
    # The header's own lines ("Guest: Jane Doe") before the title, which may be no more
    # than the file's name ("generic_host_guest_labels" would make "Labels" a guest).
    texts: list[tuple[str, str | None]] = [(h, None) for h in layout.headings[:10]]
    texts += [(t, None) for t in layout.front.get("title", [])]
    texts += [(line, None) for line in layout.intro]
    # "Welcome and Moderator:" over "ROBERT ASHE": a role line over the names it gives
    texts += [
        (f"{line} {below}", None)
        for line, below in itertools.pairwise(layout.intro)
        if line.endswith(":") and not below.endswith(":")
    ]
    texts.append((meta_title, None))
    turns = 0
    opener: Cue | None = None
    for b in layout.blocks[:_INTRO_BLOCKS]:
        if b.label is None and turns == 0 and not layout.intro:
            texts.append((b.text, None))
        elif b.header and b.text not in layout.intro:
            texts.append((b.text, None))  # "Narrator: Jane Doe" under a "Collection:" field
        elif b.label is not None:
            turns += 1
            if turns > 3:
                break
            texts.append((b.text, clean_name(b.label)))
            if turns == 1 and _WELCOME.search(b.text[:400]) and b.label not in QA_MARKERS:
                opener = Cue("interviewer", clean_name(b.label))  # who opens the show hosts it
    cues: list[Cue] = [opener] if opener else []
    aliases: dict[str, str] = {}
    for text, speaker in texts:
        cues.extend(find_cues(text, speaker))
        if speaker is None:
            aliases.update(find_aliases(text))
    written = " ".join(layout.intro[:_INTRO_BLOCKS])
    return [_as_written(cue, written) for cue in cues], aliases


def _as_written(cue: Cue, written: str) -> Cue:
    """A name read from a headline in capitals ("THE LUTHIER ODILE MARCHETTI") may hold
    the person's job: when the intro writes only its last words as a name ("met Odile
    Marchetti in her workshop"), those are the name."""
    words = cue.name.split()
    if len(words) < 3 or cue.name in written:
        return cue
    for k in range(1, len(words) - 1):
        tail = " ".join(words[k:])
        if re.search(rf"(?<![\w-]){re.escape(tail)}(?![\w-])", written):
            return Cue(cue.role, tail, cue.speaker)
    return cue


def _host_opening(blocks: list[Block], cues: list[Cue]) -> None:
    """ "This is TALK OF THE NATION. I'm Dennis Harlow, in Washington." and the paragraphs
    after it, before the first label: the host's opening turn (what the guest answers
    first), when that self-introduction made them the host (`find_cues`)."""
    hosts = [c.name for c in cues if c.role == "interviewer" and c.speaker is None]
    first = next((i for i, b in enumerate(blocks) if b.label is not None), None)
    if not hosts or first is None or blocks[first].label_note == "OP":
        return  # a thread's title ("I'm Wren Castellanos, … AMA") above its starter's post
    start = next(
        (
            i
            for i, b in enumerate(blocks[:first])
            if any(re.search(rf"\bI(?:'|’| a)m {re.escape(h)}\b", b.text) for h in hosts)
        ),
        None,
    )
    if start is None:
        return
    host = next(
        h for h in hosts if re.search(rf"\bI(?:'|’| a)m {re.escape(h)}\b", blocks[start].text)
    )
    for b in blocks[start:first]:
        b.label = host


def _two_voices(blocks: list[Block], cues: list[Cue]) -> None:
    """Captions whose every turn is a bare ">>" (a change of speaker, no name): when a
    turn introduces one guest by name ("my guest today is Lena Fischer"), the turns
    alternate between that voice, the host, and the guest."""
    turns = [b for b in blocks if b.label]
    if len(turns) < 4 or any(b.label != UNKNOWN_SPEAKER for b in turns):
        return
    unknown = clean_name(UNKNOWN_SPEAKER)
    guests = {
        name_key(c.name): c.name
        for c in cues
        if c.role == "interviewee" and c.speaker == unknown and len(c.name.split()) >= 2
    }
    if len(guests) != 1:
        return
    guest = next(iter(guests.values()))
    host = next(
        (
            k
            for k, b in enumerate(turns[:_INTRO_BLOCKS])
            if any(name_key(c.name) in guests for c in find_cues(b.text))
        ),
        None,
    )
    if host is None:
        return
    for k, b in enumerate(turns):
        b.label = "Host" if k % 2 == host % 2 else guest


_MENTION_TURNS = 3  # the first turns read for who is who ("Inés Castillo, welcome")
_MENTION_LINES = 400  # header, headings and those turns: never a whole book


def _mentioned_aliases(
    layout: Layout, full_names: list[str], aliases: dict[str, str]
) -> tuple[dict[str, str], set[str]]:
    """Labels of one name word ("Dr. OYELARAN", "MAYOR ALCOTT", "INÉS") that name nobody
    the file already knows, each mapped to the one full name the header, headings or first
    turns give it (see `mentions`); and the full names reached through an asking office."""
    blocks = layout.blocks
    written = list(dict.fromkeys(b.label for b in blocks if b.label))
    taken = set(_word_keys(full_names))
    aliased = {name_key(a) for a in aliases}
    shaped: list[tuple[str, str, str | None]] = []
    found_offices: dict[str, str] = {}
    for label in written:
        key = name_key(label)
        if (
            label in QA_MARKERS
            or key in _GENERIC_LABELS
            or key in META_LABELS
            or key in aliased
            or is_unnamed(label)
            or initials_label(label)
        ):
            continue
        held = office_words(label)
        if held is not None:  # "THE PRESIDENT", "Spokesperson": whoever the header names so
            holder = office_holder(held, [*layout.intro, *layout.headings])
            if holder is not None:
                found_offices[label] = holder
            continue
        core, office = label_core(clean_name(label))
        if len(core.split()) == 1:
            shaped.append((label, core, office))
        elif core:
            taken.update(_word_keys([core]))
    if not shaped:
        return found_offices, set()
    lines = [*layout.intro, *layout.headings, *layout.front.get("title", [])]
    if not layout.intro:  # subtitles: a narrator's cue before the first turn introduces
        lines += [b.text for b in itertools.takewhile(lambda b: b.label is None, blocks)]
    lines += [b.text for b in blocks if b.label][:_MENTION_TURNS]
    lines = lines[:_MENTION_LINES]
    folded = [line.casefold() for line in lines]
    found: dict[str, str] = dict(found_offices)
    titled: set[str] = set()
    for label, core, office in shaped:
        if name_key(core) in taken:
            continue
        full = mentioned_full_name(core, lines, office, folded)
        if full is None and core.islower() and office is None:
            # the header of a chat typed in lower case may read as an editorial note
            notes = [b.text for b in itertools.takewhile(lambda b: b.label is None, blocks)]
            full = lowercase_full_name(core, [*notes, *lines])
        if full is not None:
            found[label] = full
            if office is not None:
                titled.add(full)
        elif office is None and self_introduced(core, folded):
            found[label] = clean_name(core)  # "OMAR:" once, after "And I'm Omar"
    return found, titled


def _word_keys(names: Iterable[str]) -> list[str]:
    """Every word of each full name ("Lionel Batiste Jr." -> "lionel", "batiste", "jr"):
    a label that is any of them is that person's, never a name found elsewhere."""
    keys: list[str] = []
    for name in names:
        words = strip_honorific(clean_name(name)).split()
        if len(words) >= 2:
            keys += [name_key(word.strip(".,")) for word in words]
    return keys


@dataclass(slots=True)
class Cast:
    """Every block with its speaker and role, and each speaker's turns and role source."""

    turned: list[Turned]
    stats: dict[str, SpeakerStats]
    roles: dict[str, tuple[SpeakerRole, str]]
    qa_markers: bool  # the file has "Q:"/"A:" turns


def read_cast(layout: Layout, meta: InterviewMeta) -> Cast:
    """Resolve every block's label to a speaker and decide each speaker's role."""
    blocks = layout.blocks
    mark_blocks(blocks)
    cues, intro_aliases = _intro(layout, meta.title)
    _host_opening(blocks, cues)
    intro_aliases.update(thread_starter(layout, cues))
    intro_aliases.update(_noted_initials(blocks))
    _two_voices(blocks, cues)
    sidecar_voices(blocks, meta.named_interviewees())  # the same, the guest named in lower case
    # "Speaker 2" who says "I'm Dana Ruiz": below anything the intro or sidecar maps
    aliases = {**self_named(blocks), **intro_aliases, **dict(meta.aliases)}
    sidecar_ee = [strip_honorific(clean_name(n)) for n in meta.named_interviewees()]
    sidecar_er = [strip_honorific(clean_name(n)) for n in meta.named_interviewers()]
    front_ee = _front_names(layout.front, _FRONT_INTERVIEWEES)
    front_er = _front_names(layout.front, _FRONT_INTERVIEWERS)
    known = [*front_ee, *front_er, *(c.name for c in cues)]
    known += initials_named(
        _unknown_initials(blocks, [*known, *sidecar_ee, *sidecar_er], aliases),
        [*layout.front.get("title", []), *layout.headings[:2], *layout.intro[:12]],
    )
    mentioned, titled = _mentioned_aliases(
        layout, [*known, *sidecar_ee, *sidecar_er, *aliases.values()], aliases
    )
    aliases = {**mentioned, **aliases}
    labels = ((i, b.label) for i, b in enumerate(blocks) if b.label)
    names = Names(labels, known, aliases, stated=[*sidecar_ee, *sidecar_er])

    def resolve_all(values: Iterable[str]) -> list[str]:
        out = []
        for value in values:
            got = names.resolve(value, -1)
            if got:
                out.append(got)
        return out

    answerer = next(iter(resolve_all(sidecar_ee) or resolve_all(front_ee)), None)
    if answerer is None and any(b.quoted for b in blocks if b.label == "Q"):
        answerer = email_writer(layout.intro)
    if answerer is None:
        ee_cues = [c.name for c in cues if c.role == "interviewee" and c.speaker is None]
        answerer = next(iter(resolve_all(ee_cues)), None)
    if answerer is None and any(b.label == "A" for b in blocks):
        # the file's own headline before a title that may be made from its file name
        titles = [*layout.front.get("title", []), *layout.headings[:2], meta.title]
        byline = {name_key(c.name) for c in cues if c.role == "interviewer"}
        # a photo's alt text or caption says the name again as well as the lede does
        pictured = [d.text for d in layout.dropped if d.kind in ("image", "caption")][:4]
        answerer = (
            headline_name(titles, " ".join([*layout.intro[:12], *pictured]), byline)
            or lede_name(layout.intro, byline)
            or lede_name(footer_lines(layout), byline)
            or participant_code(layout.intro)
            # a page copied whole: the lede under its menu, kicker, byline and date lines
            or lede_name([line for line in layout.intro if len(line.split()) >= 8], byline)
        )
    answerer = answerer or "Interviewee"
    asker = next(iter(resolve_all(sidecar_er) or resolve_all(front_er)), None)
    if asker is None:
        er_cues = [c.name for c in cues if c.role == "interviewer" and c.speaker is None]
        asker = next(iter(resolve_all(er_cues)), None)

    speakers, markers = _who_speaks(blocks, names, answerer, asker)
    stats, label_roles = _turn_stats(blocks, speakers, markers)
    stated = [
        ("sidecar", resolve_all(sidecar_ee), resolve_all(sidecar_er)),
        ("front matter", resolve_all(front_ee), resolve_all(front_er)),
    ]
    office_holders = {got for got in (names.resolve(n, -1) for n in titled) if got}
    roles = assign_roles(stats, stated, _cue_roles(cues, names), label_roles, office_holders)
    _code_kin(roles)
    counsel_roles(roles, blocks, speakers)  # counsel named in a deposition: procedure
    turned = [
        Turned(
            b.line,
            b.text,
            b.note,
            b.label is not None,
            who,
            _block_role(b, who, marker, roles),
            emphasis=b.emphasis,
            section_start=b.section_start,
        )
        for b, who, marker in zip(blocks, speakers, markers, strict=True)
    ]
    return Cast(turned, stats, roles, any(markers))


# "E L E N A   R A M I R E Z, called as a witness by the People, having been first duly
# sworn": a court reporter's line naming the witness (letters spaced out, often).
_SWORN = re.compile(
    r",\s+(?:being\s+)?(?:called\s+as\s+a\s+witness|(?:having\s+been|was)\s+(?:first\s+)?"
    r"(?:duly\s+)?(?:sworn|affirmed))"
)
_SPACED_WORD = re.compile(r"^(?:[A-ZÀ-Þ] )+[A-ZÀ-Þ]$")


def _sworn(text: str) -> tuple[str, int] | None:
    """The witness a swearing-in line names, and where that line starts; or None."""
    match = _SWORN.search(text[:2000])
    if not match:
        return None
    before = re.split(r"[.:;!?]\s+", text[max(0, match.start() - 120) : match.start()])[-1]
    start = match.start() - len(before)
    chunks = [c for c in re.split(r"\s{2,}", before.strip()) if c]
    words = " ".join(c.replace(" ", "") if _SPACED_WORD.match(c) else c for c in chunks).split()
    name = clean_name(" ".join(words[-4:]))
    while len(name.split()) > 2 and not looks_like_name(name):
        name = " ".join(name.split()[1:])
    name = strip_honorific(name)
    return (name, start) if len(name.split()) >= 2 and looks_like_name(name) else None


def _who_speaks(
    blocks: list[Block], names: Names, answerer: str, asker: str | None
) -> tuple[list[str | None], list[str | None]]:
    """Each block's speaker and Q/A marker; a label that names nobody becomes text again."""
    speakers: list[str | None] = []
    markers: list[str | None] = []
    witness = answerer
    for i, b in enumerate(blocks):
        who: str | None = None
        marker: str | None = None
        sworn = _sworn(b.text)
        if sworn:  # a trial calls its witnesses in turn: each "A." is the one sworn last
            witness, start = sworn
            # the reporter's line (and the heading after it) is nobody's words
            b.text = b.text[:start].rstrip()
            b.note = b.note or not b.text
            b.text = b.text or b.raw
        if b.label is not None:
            generic = _GENERIC_LABELS.get(name_key(b.label))
            if (generic == "A" and answerer == "Interviewee") or (generic == "Q" and not asker):
                generic = None  # nobody to put in its place: "Guest" stays "Guest"
            if b.label in QA_MARKERS or generic:
                # "Q:"/"A:", and "Interviewer:"/"Guest:" once the file names who they are
                marker = QA_MARKERS.get(b.label) or generic
                who = witness if marker == "A" else asker
            else:
                who = names.resolve(b.label, i)
                if who is None:
                    b.text = f"{b.label}: {b.text}" if b.text else b.label
                    b.label = None
                    b.note = b.note or _production_cue(b.text)
        speakers.append(who)
        markers.append(marker)
    return speakers, markers


_CUE_WORDS = 8


def _production_cue(text: str) -> bool:
    """ "ACTUALITY: WAVES ON SHINGLE", "SFX: DOOR": a radio script's cue in capitals, with
    a label that names nobody and no sentence, is a stage note, not speech."""
    return (
        not any(ch.islower() for ch in text)
        and len(text.split()) <= _CUE_WORDS
        and text.rstrip()[-1:] not in ".?!,;"
    )


def _turn_stats(
    blocks: list[Block], speakers: list[str | None], markers: list[str | None]
) -> tuple[dict[str, SpeakerStats], dict[str, SpeakerRole]]:
    """Per speaker: turns, words and questions asked; and the role their label states."""
    stats: dict[str, SpeakerStats] = {}
    label_roles: dict[str, SpeakerRole] = {}
    asked_by: str | None = None  # who asked in the last turn ("Q" for a Q marker)
    for i, (b, who, marker) in enumerate(zip(blocks, speakers, markers, strict=True)):
        if b.label is not None:
            after_q = asked_by is not None and asked_by != who
            if after_q and asked_by in stats and who is not None:
                stats[asked_by].answered += 1
            asked_by = "Q" if marker == "Q" else (who if "?" in b.text else None)
        if who is None or b.label is None:
            continue
        s = stats.setdefault(who, SpeakerStats(first=i))
        s.after_q += after_q
        s.turns += 1
        s.words += len(b.text.split())
        s.asking += "?" in b.text
        hinted = role_word(marker or b.label) or note_role(b.label_note)
        if hinted and who not in label_roles:
            label_roles[who] = hinted
    return stats, label_roles


_NOTED_INITIALS = re.compile(r"^[A-Z]{1,3}$")


def _noted_initials(blocks: list[Block]) -> dict[str, str]:
    """ "Interviewer (IV):" once, then "IV:": the short label its note gives a speaker."""
    written = {b.label for b in blocks if b.label}
    found: dict[str, str] = {}
    for b in blocks:
        note = (b.label_note or "").strip()
        if b.label and _NOTED_INITIALS.match(note) and note in written and note != b.label:
            found.setdefault(note, b.label)
    return found


def _code_kin(roles: dict[str, tuple[SpeakerRole, str]]) -> None:
    """A focus group's "P1", "P2", "P3" are all participants: when one of them answers,
    one whose few words left them "other" by their turns alone answers too."""
    answering = {
        code_prefix(name) for name, (role, _) in roles.items() if role == "interviewee"
    } - {None}
    for name, (role, source) in roles.items():
        if role == "other" and source == "text" and code_prefix(name) in answering:
            roles[name] = ("interviewee", "text")


def _cue_roles(cues: list[Cue], names: Names) -> list[tuple[str, SpeakerRole]]:
    """The intro's cues as speakers; who says "joined by X" in a turn is a host."""
    found: list[tuple[str, SpeakerRole]] = []
    for cue in cues:
        got = names.resolve(cue.name, -1)
        if got:
            found.append((got, cue.role))
        if cue.role == "interviewee" and cue.speaker:
            speaker = names.resolve(cue.speaker, -1)
            if speaker and (not got or got != speaker):
                found.append((speaker, "interviewer"))
    return found


def _block_role(
    b: Block, who: str | None, marker: str | None, roles: dict[str, tuple[SpeakerRole, str]]
) -> SpeakerRole | None:
    if b.label is None:
        return None
    if marker == "Q" and who is None:
        return "interviewer"
    return roles[who][0] if who is not None else None


def _unknown_initials(
    blocks: list[Block], full_names: list[str], aliases: dict[str, str]
) -> list[str]:
    """Initials labels ("KG") that no name the file or sidecar gives stands for."""
    given = {initials(n) for n in full_names} | {initials(n, True) for n in full_names}
    written = dict.fromkeys(b.label for b in blocks if b.label)
    return [
        label
        for label in written
        if label
        and initials_label(label)
        and label.replace(".", "") not in given
        and name_key(label) not in {name_key(a) for a in aliases}
    ]
