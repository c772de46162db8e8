"""Speaker labels and names: what counts as a "Name:" label, and which person it means.

A label as written ("Baker", "SEAN BAKER", "Ms. Haney", "JT", "Speaker 2") resolves to one
canonical display name. Full names come from multi-word labels and from what the file or
its sidecar says elsewhere (front matter, intro, "STATEMENT OF ..."), so "Baker:" becomes
"Sean Baker" and "JT:" becomes "June Torres". Unnamed labels ("Senator:", "Audience:",
"Speaker 2:") stay themselves: they are never credited to a named person.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Literal

__all__ = [
    "ANSWERER_WORDS_ABROAD",
    "ASKER_WORDS_ABROAD",
    "INTERVIEWEE_WORDS",
    "INTERVIEWER_WORDS",
    "LETTER_PAIRS",
    "META_LABELS",
    "OFFICES",
    "OTHER_LABEL_SHAPES",
    "PARTICLES",
    "Label",
    "Names",
    "clean_name",
    "code_prefix",
    "initials_label",
    "looks_like_name",
    "name_key",
    "period_label",
    "shaped_label",
    "spaced_question",
    "split_label",
    "split_names",
    "strip_office",
    "title_case",
]

_MAX_LABEL = 80
PARTICLES = frozenset(
    "van von de der den del della di da du la le bin ibn al el ter ten dos das y".split()
)
_PARTICLES = PARTICLES
_SUFFIXES = frozenset("jr jr. sr sr. ii iii iv".split())
HONORIFICS = frozenset(
    """mr mr. mrs mrs. ms ms. mx mx. dr dr. prof prof. professor sir dame lord lady baroness
    baron hon hon. rev rev. fr fr. sgt sgt. sergeant lt lt. lieutenant capt capt. captain
    col col. colonel cpl cpl. corporal det det. detective insp insp. inspector rabbi imam
    pastor reverend bishop chief gen gen. general maj maj. major adm adm. admiral brig brig.
    brigadier cmdr cmdr. commander""".split()
)
# Offices whose holders ask the questions in hearings and meetings; "Senator Park:" is
# never the witness, and a bare "Senator:" is nobody in particular.
ASKING_TITLES = frozenset(
    """senator sen. sen representative rep. rep congressman congresswoman congressperson
    chairman chairwoman chair chairperson commissioner councilmember councilman
    councilwoman judge justice delegate""".split()
)
_NOT_NAMES = frozenset(
    """the a an this that these those my our your his her their its it we i you they he she
    and or but so also plus then now here there today yesterday tomorrow first second third
    finally lastly well yes no yeah okay ok oh look listen remember anyway because why what
    how when where who which whose note notes nb ps update updated correction clarification
    editor editors ed disclaimer disclosure warning caution caveat spoiler spoilers alert
    tip tips fact facts bottom line summary source sources credit credits photo photos
    image images caption video audio transcript interview part chapter section step rule
    lesson takeaway takeaways verdict conclusion background context bonus re fwd subject
    date time location place title topic intro introduction example examples quote
    important edit watch read listen more see related previously episode season tags
    duration recorded published length language kind style region podcast podcasts show
    series program programme project study recording venue network station i'm i’m i've
    i’ve i'd i’d i'll i’ll we're we’re we've we’ve""".split()
)
# The role words of Spanish, Portuguese, Italian and German transcripts
# ("Entrevistador:" / "Entrevistada:"), each standing for the person the header names.
ASKER_WORDS_ABROAD = frozenset(
    {"entrevistador", "entrevistadora", "intervistatore", "intervistatrice", "interviewerin"}
)
ANSWERER_WORDS_ABROAD = frozenset({"entrevistado", "entrevistada", "intervistato", "intervistata"})
# Labels that, once in a file's header, describe it ("Interviewer: Maria Kowalski").
META_LABELS = (
    frozenset(
        """host hosts co-host co-hosts cohost guest guests interviewer interviewers interviewee
    interviewees narrator narrators moderator moderators witness witnesses panel panelists
    participant participants respondent speakers featuring presenter presenters""".split()
    )
    | ASKER_WORDS_ABROAD
    | ANSWERER_WORDS_ABROAD
)
# Offices written before a surname in a label ("Mayor Alcott", "Secretary Holt"): the
# asking ones and those whose holders answer.
OFFICES = ASKING_TITLES | frozenset(
    """mayor secretary governor minister president ambassador director general admiral
    chancellor sheriff superintendent premier prime""".split()
)
# A bare office names nobody in particular, except the one who chairs: "The Chairman:"
# is one person all through a hearing.
_UNNAMED_TITLES = ASKING_TITLES - {"chairman", "chairwoman", "chair", "chairperson"}
QA_MARKERS: dict[str, Literal["Q", "A"]] = {
    "Q": "Q",
    "Question": "Q",
    "A": "A",
    "Answer": "A",
    # Spanish, Portuguese, Italian, German, French, Dutch interviews
    "Pregunta": "Q",
    "Respuesta": "A",
    "Pergunta": "Q",
    "Resposta": "A",
    "Domanda": "Q",
    "Risposta": "A",
    "Frage": "Q",
    "Antwort": "A",
    "Réponse": "A",
    "Vraag": "Q",
    "Antwoord": "A",
}
# One-letter pairs that are question and answer only together ("P:"/"R:" in Spanish).
LETTER_PAIRS: dict[frozenset[str], dict[str, Literal["Q", "A"]]] = {
    frozenset("PR"): {"P": "Q", "R": "A"},
    frozenset("DR"): {"D": "Q", "R": "A"},
    frozenset("FA"): {"F": "Q", "A": "A"},
    frozenset("IR"): {"I": "Q", "R": "A"},  # research transcripts: interviewer, respondent
}
INTERVIEWER_WORDS = (
    frozenset({"interviewer", "host", "moderator", "q", "question"}) | ASKER_WORDS_ABROAD
)
INTERVIEWEE_WORDS = (
    frozenset({"interviewee", "guest", "respondent", "narrator", "witness", "a", "answer"})
    | ANSWERER_WORDS_ABROAD
)
_UNNAMED = re.compile(
    r"(?i)^(?:the\s+)?(?:(?:unknown|unidentified|other|male|female|another)\s+)?"
    r"(?:speaker|participant|caller|student|audience(?:\s+member)?|person|voice|man|woman|"
    r"member|crowd|multiple|several|all|both|panel(?:ist)?|reporter|correspondent|journalist|"
    r"unknown|off-camera|operator|"  # "Operator": the conference call's, who hands over
    r"announcer|narrator\s+\d+|interpreter|translator|staff|aide|clerk|"
    r"videographer|court(?:\s+reporter)?|bailiff|stenographer|witness|"  # depositions
    + "|".join(re.escape(t) for t in sorted(_UNNAMED_TITLES, key=len, reverse=True))
    + r")(?:[\s_]*(?:\d{1,3}|[A-Z]))?$"  # "SPEAKER_01" as pyannote/WhisperX diarize
)
_INITIALS_LABEL = re.compile(r"^(?:[A-Z]{2,3}|(?:[A-Z]\.){2,3})$")
_INITIALS = re.compile(r"(?:[^\W\d_]\.)+")
_LABEL = re.compile(
    r"^(?:>>\s?|-\s|Q\d{1,4}\s+)?(?P<name>[^:()\n]{1,80}?)\s*"
    # "(guest)", or a party then a place as news transcripts write them: "(R), TULSA, OKLAHOMA"
    # "(President, Gulf Inshore Harvesters' Association)", "(Mr. Ken McDonald (Avalon,
    # Lib.))": a Canadian committee's witness and chair, the note nested one level deep
    r"(?:\((?P<note>(?:[^()\n]|\([^()\n]{1,60}\)){1,120})\)"
    r"(?:\s*,\s*(?P<more>[^:()\n]{1,60}?))?)?\s*:(?=\s|$)"
)
_NAME_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b|\+)\s*")


def name_key(name: str) -> str:
    return " ".join(name.casefold().split())


def _name_word(token: str) -> bool:
    """A capitalised name word: "Baker", "O'Brien", "McDonald", "Jean-Luc", "Jr.", "J."."""
    if not token[0].isupper():
        return False
    if _INITIALS.fullmatch(token):
        return True
    body = token[:-1] if token.endswith(".") else token
    return bool(body) and body[-1].isalpha() and all(ch.isalpha() or ch in "'’-" for ch in body)


def looks_like_name(name: str) -> bool:
    tokens = name.split()
    if not 1 <= len(tokens) <= 6:
        return False
    capitalised = 0
    for i, token in enumerate(tokens):
        key = token.casefold()
        for tail in ("'s", "’s"):
            key = key.removesuffix(tail)
        middle_initial = 0 < i < len(tokens) - 1 and len(token) == 2 and token[1] == "."
        if key.rstrip(".") in _NOT_NAMES and not middle_initial:  # "Margaret A. Ellison"
            return False
        if _name_word(token):
            capitalised += 1
        elif not (0 < i < len(tokens) - 1 and key in _PARTICLES):
            return False
    return 1 <= capitalised <= 4


def strip_honorific(name: str) -> str:
    words = name.split()
    while len(words) >= 2 and words[0].casefold() in HONORIFICS:
        words = words[1:]
    return " ".join(words)


def _bare(label: str) -> str:
    """A label without honorifics or an answering office: "Secretary Holt" -> "Holt"."""
    words = strip_honorific(label).split()
    while len(words) >= 2 and words[0].casefold() in OFFICES - ASKING_TITLES:
        words = words[1:]
    return " ".join(words)


def strip_office(name: str) -> str:
    """ "Secretary Lena Holt" -> "Lena Holt": an answering office before a full name (an
    asking one, "Senator Ruth Calloway", stays: it tells who asks)."""
    words = name.split()
    while len(words) >= 3 and words[0].casefold() in OFFICES - ASKING_TITLES:
        words = words[1:]
    return " ".join(words)


def _title_word(word: str, first: bool = False) -> str:
    """ "BYNUM" -> "Bynum", "G.T." stays "G.T.", "O'BRIEN" -> "O'Brien"; a particle ("de",
    "della") is lower-case but as a first name ("DELLA" -> "Della")."""
    if word.casefold() in _PARTICLES and not first:
        return word.casefold()
    if _INITIALS.fullmatch(word):
        return word
    return "-".join(_title_part(part) for part in word.split("-"))


def _title_part(part: str) -> str:
    head, apostrophe, tail = part.partition("'")
    if apostrophe and len(head) == 1 and tail:  # O'BRIEN, D'ANGELO
        return f"{head.upper()}'{tail[:1].upper()}{tail[1:].lower()}"
    return part[:1].upper() + part[1:].lower()


def clean_name(name: str) -> str:
    """Display form: spaces squeezed, an all-capitals name title-cased ("MEI LIN" -> "Mei Lin")."""
    name = " ".join(name.split()).strip(" ,.;")
    titled = strip_honorific(name)
    honorific = name[: len(name) - len(titled)]
    if (
        titled != name
        and len(titled) > 3
        and any(ch.islower() for ch in honorific)
        and not any(ch.islower() for ch in titled)
    ):
        # "Ms. MARGIT HALLORAN", as NPR's older transcripts write a guest: the honorific
        # is in mixed case, the name in capitals
        return f"{honorific}{clean_name(titled)}"
    if _INITIALS_LABEL.match(name) or not any(ch.islower() for ch in name):
        if _INITIALS_LABEL.match(name) or len(name) <= 3 or "_" in name:
            return name  # "SPEAKER_01", a diarization tool's id, is no name to title-case
        return title_case(name)
    return name


def title_case(name: str) -> str:
    """ "MEI LIN" or "mei lin" -> "Mei Lin", "o'brien" -> "O'Brien", "jan de vries" -> "Jan
    de Vries": a name written all in one case, as a name is written."""
    words = name.split()
    return " ".join([_title_word(words[0], first=True), *(_title_word(w) for w in words[1:])])


def initials(name: str, hyphens: bool = False) -> str:
    """ "Jane van Doe" -> "JD"; with `hyphens`, "Thomas Okonkwo-Byrne" -> "TOB" (both are
    written, so a name has both forms looked up)."""
    if hyphens:
        name = name.replace("-", " ")
    words = [w for w in strip_honorific(name).split() if w.casefold() not in _PARTICLES]
    return "".join(w[0] for w in words if w[:1].isalpha()).upper()


def initials_label(label: str) -> bool:
    """ "JT", "J.T.": a label of initials only."""
    return bool(_INITIALS_LABEL.match(label))


def is_unnamed(label: str) -> bool:
    return bool(_UNNAMED.match(" ".join(label.split()).rstrip(".")))


def asking_title(label: str) -> bool:
    """ "Senator Park", "Chairman Lee", "Rep. Ortiz": a label led by a questioning office."""
    words = label.split()
    if words and words[0].casefold() == "the":
        words = words[1:]
    return len(words) >= 1 and words[0].casefold() in ASKING_TITLES


def split_names(value: str) -> list[str]:
    """ "First Host, Second Host" or "A and B" -> two names (empty parts dropped)."""
    return [clean_name(p) for p in _NAME_SPLIT.split(value) if p.strip(" .")]


@dataclass(frozen=True, slots=True)
class Label:
    name: str  # as written, markup removed
    note: str | None  # a parenthesised aside after the name ("host", "translator")
    rest: str  # the words after the colon


# US hearing transcripts (GPO) end a speaker's label with a period: "Senator Barrasso.",
# "Mr. Smith.", "The Chairman." — only a title-led label counts, and only in files where
# such labels recur (see `period_labels`).
_PERIOD_NAME = r"(?:\s+(?:[A-Z][\w'’-]+|de|van|von|del|la))"
# The office may be in capitals ("The CHAIRMAN.", "Chairman PRUETT.", older GPO style).
_PERIOD_LABEL = re.compile(
    r"^(?P<name>(?:Mr|Mrs|Ms|Dr)\.?" + _PERIOD_NAME + r"{1,3}"
    r"|(?:(?:The|THE)\s+)?(?:(?i:Chairman|Chairwoman|Chair|Senator|Representative|Congressman|"
    r"Congresswoman|Judge|Justice|General|Admiral|Secretary|Governor|Mayor|Commissioner|"
    r"Ambassador|Director|Professor|Chief|Ranking\s+Member|Vice\s+Chair(?:man)?|Witness|"
    r"Clerk|Delegate))" + _PERIOD_NAME + r"{0,3}"
    # "CHAIR HOLLOWAY.", "MICHELLE SANTOS.": a central bank's or ministry's press
    # conference writes every speaker in capitals, two to four words
    r"|[A-Z][A-Z'’-]+(?:\s+(?:[A-Z][A-Z'’-]*\.?|de|van|von|del|la)){0,2}\s+[A-Z][A-Z'’-]+)"
    r"\.\s+(?=[A-Z\"“(\[])"
)


def period_label(text: str) -> Label | None:
    """ "Senator Barrasso. Thank you" -> the label and the words (GPO hearing style);
    "Q. Where were you?" / "A. At home." (depositions, some oral histories)."""
    if text[:3] in ("Q. ", "A. ") and len(text) > 3:
        return Label(text[0], None, text[3:].strip())
    match = _PERIOD_LABEL.match(text)
    if not match:
        return None
    return Label(" ".join(match.group("name").split()), None, text[match.end() :].strip())


# White House and press-office transcripts: "Q    Mayor, why ...?" (no colon, a gap).
# Depositions too: "Q    And when did you ...?" / "A    The Monday after ...".
_SPACED_Q = re.compile(r"^[QA](?: {2,}|\t)\s*(?=\S)")
# White House transcripts: "Q Thank you, sir."; sports press conferences: "Q. Coach, why…"
_BARE_Q = re.compile(r"^Q\.? (?=[A-Z“\"‘'(])")
_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z]")
_SWEARING = re.compile(r"(?i)\bcalled\s+as\s+a\s+witness|\bduly\s+sworn|\bhaving\s+been\s+sworn")


def spaced_question(line: str, paragraph_start: bool = False) -> Label | None:
    """ "Q    Why was it open?" (the line as written, its spacing kept) -> a "Q" (or "A")
    label; at a paragraph's start "Q Will you…" (one space) too: "A lot…" is speech, and
    "Q Street" inside a wrapped paragraph is no question."""
    match = _SPACED_Q.match(line) or (_BARE_Q.match(line) if paragraph_start else None)
    return Label(line[0], None, line[match.end() :].strip()) if match else None


def split_label(text: str) -> Label | None:
    """The "Name:" label that opens `text`, if the name is shaped like a speaker."""
    colon = text.find(":", 0, _MAX_LABEL + 45)
    if colon <= 0:
        return None
    match = _LABEL.match(text)
    if not match:
        return None
    name = " ".join(match.group("name").split())
    note = match.group("note")
    if match.group("more"):
        note = f"{note}, {match.group('more')}"
    if "," in name:  # "Jane Doe, host:", "KHALED MANSOUR, MAYOR OF X (through translator):"
        name, said = (part.strip() for part in name.split(",", 1))
        if _SENTENCE_BREAK.search(said) or _SWEARING.search(said):
            return None  # "Lagos Kitchen, 14 Rye Lane. Photograph:", "X, having been sworn,…:"
        note = f"{said} ({note})" if note else said
    if not name or name in _EMAIL_FIELDS:
        return None
    if _SPACED_INITIALS.match(name):  # "M. R." as French and German papers set initials
        name = name.replace(" ", "")
    numbered = _NUMBERED_MARKER.match(name)
    if numbered:  # "Q1:"/"A1:", "Question 3:": a written interview numbers its pairs
        name = numbered.group(1)
    if name == "I":  # "I:" for the interviewer in research transcripts ("I:" / "R:")
        return Label(name, note, text[match.end() :].strip())
    if not _speaker_shaped(name):
        return None
    return Label(name, note, text[match.end() :].strip())


# An email's header fields ("From: Ines Varga <…>", "To: …"): nobody's turn
# (as written: "TO:" may be Tomas Oyelaran's initials)
_EMAIL_FIELDS = frozenset({"From", "To", "Cc", "Bcc", "Sent", "Subject", "Reply-To"})
# "S1:", "P2:", "R14:": a study's code for a speaker (research and focus-group transcripts)
_CODE_LABEL = re.compile(r"^[A-Z]{1,2}\d{1,3}$")
_USER_HANDLE = re.compile(r"^(?:u/|@)[\w-]{2,30}$")  # a forum's or a chat's user name
_SPACED_INITIALS = re.compile(r"^(?:[A-Z]\. ){1,2}[A-Z]\.$")
_NUMBERED_MARKER = re.compile(r"^(Q|A|Question|Answer)\s?\d{1,3}$")


def code_prefix(label: str) -> str | None:
    """ "P2" -> "P": the letters of a study's speaker code; None for anything else."""
    return label.rstrip("0123456789") if _CODE_LABEL.match(label) else None


def _speaker_shaped(name: str) -> bool:
    return (
        name in QA_MARKERS
        or is_unnamed(name)
        or bool(_INITIALS_LABEL.match(name))
        or bool(_CODE_LABEL.match(name))
        or looks_like_name(strip_honorific(name))
        or (asking_title(name) and len(name.split()) <= 4)
        or bool(_THE_CAPS.match(name))
    )


# "THE PRESIDENT:", "THE TIMES:": an office or a publication in capitals (in mixed case,
# "The problem: ..." is speech, so only capitals count).
_THE_CAPS = re.compile(r"^THE(?:\s+[A-Z][A-Z'’.&-]*){1,4}$")


# "[Speaker 1] Hello" and "OLA — Hello": label shapes that are only labels when a file
# uses them turn after turn (see `bot.transcript.layout`), so each has a name.
_BRACKET_LABEL = re.compile(r"^\[(?P<name>[^\[\]\n:]{1,60})\]:?\s+(?=\S)")
_DASH_LABEL = re.compile(r"^(?P<name>[^\s—–:-][^—–:\n]{0,58}?)\s+(?:[—–]|--)\s*(?=\S)")
# "**The Harbour Review:** When did you…?": a publication asking in mixed case (in capitals
# "THE TIMES:" is a label anywhere; in mixed case only where it asks again and again).
_PUBLICATION_LABEL = re.compile(r"^(?P<name>The(?:\s+[A-Z][\w'’&.-]*){1,4}):\s+(?=\S)")
# "kai: honestly by accident": a chat interview typed all in lower case (a label only
# where two or more such names take turns again and again)
_LOWER_LABEL = re.compile(
    # "10:42 PM kai:" as chat logs are copied ("PM kai:" once the time is taken out)
    r"^(?:[\[(]?\d{1,2}:\d{2}(?::\d{2})?(?:\s?[AaPp]\.?[Mm]\.?)?[\])]?\s+|[AP]\.?M\.?\s+)?"
    r"(?P<name>[a-z][\w.'’-]{0,24}(?: [a-z][\w'’-]{0,24})?):\s+(?=\S)"
)
OTHER_LABEL_SHAPES = {
    "bracket": _BRACKET_LABEL,
    "dash": _DASH_LABEL,
    "publication": _PUBLICATION_LABEL,
    "lowercase": _LOWER_LABEL,
}


def shaped_label(text: str, shape: str) -> Label | None:
    """The label of `shape` ("bracket", "dash") opening `text`, if shaped like a speaker."""
    match = OTHER_LABEL_SHAPES[shape].match(text)
    if not match:
        return None
    name = " ".join(match.group("name").split())
    if shape == "lowercase":
        if any(word.rstrip(".") in _NOT_NAMES for word in name.split()):
            return None  # "note: …", "ps: …", "edit: …"
    elif shape != "publication" and not _speaker_shaped(name):
        return None
    return Label(name, None, text[match.end() :].strip())


class Names:
    """Resolves written labels ("Baker", "SEAN BAKER", "JT") to one canonical name each."""

    def __init__(
        self,
        labels: Iterable[tuple[int, str]],
        known: Iterable[str],
        aliases: Mapping[str, str],
        stated: Iterable[str] = (),
    ) -> None:
        """`stated` names (the sidecar's) always count; `known` ones (found in the file)
        only when they are full names."""
        self.display: dict[str, str] = {}  # key -> canonical display form
        self.first_seen: dict[str, int] = {}
        self.aliases = {name_key(k): clean_name(v) for k, v in aliases.items()}
        for name in [*stated, *self.aliases.values()]:
            name = strip_honorific(clean_name(name))
            if name:
                self._add(name, -1, preferred=True)
        for name in known:
            name = strip_honorific(clean_name(name))
            if len(name.split()) >= 2:  # a lone "Baker" from the intro names nobody new
                self._add(name, -1, preferred=True)
        self.single_counts: Counter[str] = Counter()
        labels = list(labels)
        # a chat's handles ("mossgrove:") are labels in lower case: once one recurs, a
        # handle that speaks once ("pixelbard:") is a participant too
        lower = Counter(label for _, label in labels if label[:1].islower())
        self.chatting = any(n >= 2 for n in lower.values())
        for index, label in labels:
            if label in QA_MARKERS or name_key(label) in self.aliases or is_unnamed(label):
                continue
            bare = _bare(clean_name(label))
            if len(bare.split()) >= 2:
                self._add(bare, index, preferred=False)
            else:
                self.single_counts[name_key(bare)] += 1
        self.by_handle: dict[str, list[str]] = {}
        self.by_initials: dict[str, list[str]] = {}
        for key in sorted(self.first_seen, key=self.first_seen.__getitem__):
            for handle in _handles(self.display[key]):
                if key not in self.by_handle.setdefault(handle, []):
                    self.by_handle[handle].append(key)
            if len(self.display[key].split()) >= 2:
                for letters in {initials(self.display[key]), initials(self.display[key], True)}:
                    self.by_initials.setdefault(letters, []).append(key)

    def _add(self, name: str, index: int, *, preferred: bool) -> None:
        key = name_key(name)
        if key not in self.display:
            self.display[key] = name
            self.first_seen[key] = index
        elif not preferred and self.display[key].isupper() and not name.isupper():
            self.display[key] = name  # prefer "Sean Baker" over "SEAN BAKER"

    def known_full_names(self) -> list[str]:
        return [n for n in self.display.values() if len(n.split()) >= 2]

    def resolve(self, label: str, index: int) -> str | None:
        """Canonical name for `label` at paragraph `index`, or None if it is no speaker."""
        alias = self.aliases.get(name_key(label))
        if alias is not None:
            return self.resolve(alias, index) if name_key(alias) != name_key(label) else alias
        if is_unnamed(label) or _CODE_LABEL.match(label) or _USER_HANDLE.match(label):
            return clean_name(label)  # "P3" once in a focus group is still P3, "u/x" is x
        written = clean_name(label)
        name = _bare(written)
        key = name_key(name)
        if key in self.display:
            return self.display[key]
        if _INITIALS_LABEL.match(label):
            found = self.by_initials.get(label.replace(".", ""), [])
            if len(found) == 1:
                return self.display[found[0]]
            if key not in self.by_handle:  # "OLA" may be Ola Bankole's first name
                return label if self.single_counts[key] >= 2 else None
        if len(name.split()) >= 2:
            return None
        candidates = self.by_handle.get(key, [])
        if candidates:
            earlier = [c for c in candidates if self.first_seen[c] <= index]
            return self.display[earlier[-1] if earlier else candidates[0]]
        if key in INTERVIEWER_WORDS or key in INTERVIEWEE_WORDS:
            return name
        if written != name or asking_title(written):
            return written  # "Mr. Lutz", "Senator Park": a title makes a name, even once
        if self.single_counts[key] >= 2 or (self.chatting and written[:1].islower()):
            return name
        return None


def _handles(name: str) -> list[str]:
    """The single-word forms a full name may be shortened to: first and last name."""
    words = [
        w
        for i, w in enumerate(name.split())
        if w.casefold() not in _SUFFIXES
        and w.casefold() not in HONORIFICS
        and w.casefold() not in ASKING_TITLES
        and not _INITIALS.fullmatch(w)
        and (i == 0 or w.casefold() not in _PARTICLES)  # "Della Fairweather" is "Della"
    ]
    if len(name.split()) < 2 or not words:
        return []
    return list(dict.fromkeys([name_key(words[0]), name_key(words[-1])]))
