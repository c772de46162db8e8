"""Who is who: interviewee (quoted), interviewer/host (asks) or other (neither).

The strongest word wins: the sidecar, then the front matter, then what the file says of
its speakers ("hosted by", "joined by", "a conversation with", "STATEMENT OF", a label
such as "Q:", "Host:" or "Senator Park:"), and last what their turns look like (who asks,
who speaks briefly, who talks most).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from bot.models import SpeakerRole
from bot.transcript.names import (
    HONORIFICS,
    INTERVIEWEE_WORDS,
    INTERVIEWER_WORDS,
    PARTICLES,
    asking_title,
    clean_name,
    is_unnamed,
    looks_like_name,
    name_key,
    strip_honorific,
    strip_office,
)

__all__ = [
    "Cue",
    "SpeakerStats",
    "assign_roles",
    "find_aliases",
    "find_cues",
    "find_names_after",
    "headline_name",
    "lede_name",
    "note_role",
    "role_word",
]

_ER = (
    r"co-?hosts?|hosts?|hosted\s+by|presented\s+by|interviewers?|interview(?:ed)?\s+by|"
    r"conducted\s+by|moderators?|moderated\s+by|questions\s+by|propos\s+recueillis\s+par"
)
_EE = (
    r"guests?|interviewees?|narrators?|witness(?:es)?|respondents?|panelists?|joined\s+by|"
    r"featuring|featured(?:\s+(?:speaker|guest)s?)?|"
    r"(?:today|tonight|this\s+(?:week|hour|episode|time))\s+we\s+have|"
    r"(?:conversation|interview|q\s?&\s?a|chat|talk(?:ing|s|ed)?|speak(?:ing|s)?|spoke|"
    r"sat\s+down|sits\s+down|here|catch(?:ing)?\s+up|visit(?:ing)?|meet(?:ing)?)\s+with|"
    r"with\s+me(?:\s+(?:today|tonight|now|here))?|statement\s+of|testimony\s+of|deposition\s+of|"
    r"joining\s+(?:me|us)(?:\s+(?:today|tonight|now|here|on\s+the\s+call))?|"
    # "Five questions for Greta Lindholm", "Answers by": a written Q&A's answerer
    r"questions\s+for(?!\s+the\b)|answers\s+(?:by|from)|"
    # "Entrevista con", "Entretien avec", "Interview mit", "Gespräch mit", "Intervista a"
    r"(?:entrevista|conversación)\s+con|entrevista\s+a|(?:entrevista|conversa)\s+com|entretien\s+avec|"
    r"(?:interview|gespräch)\s+mit|intervista\s+(?:a|con)|interview\s+met"
)
_CUE = re.compile(
    rf"(?i)\b(?:(?P<er>{_ER})|(?P<ee>{_EE}))\b|^\W*(?P<by>by|(?-i:Por(?=\s+[A-ZÁÉÍÓÚÑ])))\b"
)
_SKIPPABLE = frozenset(
    """is are was were be today tonight this week year the a an our my by me us to of as
    and also now here again once more two both their his her is: are: - – — : ,""".split()
)
_ALIAS = re.compile(r"([A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3})\s+\(([A-Z]{2,3})\)")
_MAX_CUE_TEXT = 2000
# "We spoke with X" introduces a guest, but in a third-person intro about the guest ("He
# spoke with Priya Natarajan.", "Boone talked with ...") X is the journalist who asked.
_THIRD_PERSON_SPOKE = re.compile(
    r"(?:\b(?:[Hh]e|[Ss]he|[Tt]hey)|(?<![.!?:]\s)(?<!^)\b[A-Z][a-z'’-]+)\s+"
    r"(?:spoke|talked|speaks|talks|sat\s+down|sits\s+down)\s+with$"
)
_PUNCT = ",.;:!?)\"'”’"
# Notes on a label that make its speaker a voice from the floor ("CARL (Caller):")
_FROM_THE_FLOOR = frozenset({"caller", "listener", "audience member", "audience"})
# "I'm Dennis Harlow", "And I'm Eric Mennel": a host naming themself at a sentence's start
_SELF_INTRO = re.compile(r"(?:^|[.!?]\s+)(?:(?:And|Hey|Hi|Hello),?\s+)?I(?:'|’| a)m\s+(?=[A-Z])")


@dataclass(frozen=True, slots=True)
class Cue:
    role: SpeakerRole
    name: str
    speaker: str | None = None  # who said it, when it was said in a turn


@dataclass(slots=True)
class SpeakerStats:
    turns: int = 0
    words: int = 0
    asking: int = 0  # turns with a question mark
    first: int = 0  # index of their first turn
    after_q: int = 0  # turns right after someone else's asking turn or a "Q" (answers)
    answered: int = 0  # asking turns the next turn, someone else's, follows
    texts: list[str] = field(default_factory=list)


def find_names_after(text: str) -> list[str]:
    """The names listed at the start of `text`: "the astronomer Dr. Kwame Mensah" -> [...]."""
    tokens = text[:300].split()
    names: list[str] = []
    i = 0
    skipped = 0
    shouting = not any(ch.islower() for ch in text[:120])
    while i < len(tokens) and len(names) < 4:
        token = tokens[i]
        bare = token.strip(_PUNCT + "(“‘\"'")
        if not bare:
            i += 1
            continue
        if not bare[0].isupper() or bare.casefold() in HONORIFICS or bare.casefold() in ("the",):
            if bare.casefold() in HONORIFICS or bare.casefold() in _SKIPPABLE:
                i += 1
                continue
            if names or skipped >= 4 or not bare[0].isalpha():
                break
            skipped += 1
            i += 1
            continue
        words: list[str] = []
        while i < len(tokens):
            word = tokens[i].strip("(“‘\"'")
            core = word.rstrip(_PUNCT)
            if not core or not (core[0].isupper() or (words and core in PARTICLES)):
                break
            initial = len(word) == 2 and word[1] == "." and bool(words)  # "MARGARET A."
            words.append(word if initial else core)
            i += 1
            if (core != word and not initial) or len(words) == 4:
                break
        candidate = clean_name(" ".join(words))
        if looks_like_name(candidate):
            names.append(strip_office(strip_honorific(candidate)))
        if shouting:
            break
        ended = tokens[i - 1][-1:] if i else ""
        if i < len(tokens) and tokens[i].casefold() in ("and", "&"):
            i += 1
            continue
        if ended == "," and i < len(tokens) and tokens[i][:1].isupper():
            continue
        break
    return names


# "Ruth Oyelowo, welcome." / "Welcome, Ruth." / "Thanks for joining us, Ruth.": said in a
# turn, the one welcomed is a guest (and `_cue_roles` makes who welcomes a host).
# "Dana Ruiz, welcome" / "Welcome to the show, Dana Ruiz." / "Thanks for joining us, Dana."
WELCOMED = re.compile(
    r"(?:^|[.!?]\s+|,\s+)(?P<before>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3}),\s+welcome\b"
    r"|\b(?:[Ww]elcome(?: back)?(?: to the (?:show|program|programme|podcast|studio))?"
    r"|[Tt]hanks? (?:you )?for (?:joining|coming(?: on)?|being here)(?: us| me)?"
    r"(?: today| tonight)?),\s+(?P<after>[A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){0,3})[.!]"
)


def find_cues(text: str, speaker: str | None = None) -> list[Cue]:
    """Roles the text gives people: "hosted by X", "joined by Y and Z", "Guest: W"."""
    cues: list[Cue] = []
    text = text[:_MAX_CUE_TEXT]
    for match in WELCOMED.finditer(text) if speaker is not None else ():
        name = strip_office(strip_honorific(match.group("before") or match.group("after")))
        if looks_like_name(name) and name_key(name) != name_key(speaker or ""):
            cues.append(Cue("interviewee", name, speaker))
    for match in _SELF_INTRO.finditer(text) if speaker is None else ():
        # "This is TALK OF THE NATION. I'm Dennis Harlow, in Washington.": a broadcast's
        # unlabelled opening is its host's voice (a full name only: "I'm Sure" is no one)
        names = find_names_after(text[match.end() : match.end() + 80])[:1]
        if names and len(names[0].split()) >= 2 and text[match.end() :].startswith(names[0]):
            cues.append(Cue("interviewer", names[0]))
    for match in _CUE.finditer(text):
        role: SpeakerRole = "interviewee" if match.group("ee") else "interviewer"
        if role == "interviewee" and _THIRD_PERSON_SPOKE.search(text[: match.end()]):
            role = "interviewer"  # "He spoke with Priya Natarajan": the one who asked
        for name in find_names_after(text[match.end() :]):
            if speaker is None or name_key(name) != name_key(speaker):
                cues.append(Cue(role, name, speaker))
    return cues


_FULL_NAME = re.compile(
    r"\b[A-Z][\w'’-]+(?:\s+(?:de|van|von|del|la|da|di|le|bin|al)?\s*[A-Z][\w'’-]+){1,2}"
)


def headline_name(titles: Iterable[str], intro: str, exclude: set[str]) -> str | None:
    """The person a headline is about ("Novelist Teresa Quaye on her night-shift novel"):
    a full name in the title that the intro mentions again (so "New York" rarely wins)."""
    folded = intro.casefold()
    for title in titles:
        for match in _FULL_NAME.finditer(title[:300]):
            words = match.group().split()
            while len(words) > 2 and words[0].casefold() not in folded:
                words = words[1:]  # "Novelist Teresa Quaye" -> "Teresa Quaye"
            name = " ".join(words)
            if (
                looks_like_name(name)
                and name_key(name) not in exclude
                and words[-1].casefold() in folded
            ):
                return name
    return None


_SAID_OF = re.compile(r"(?:,\s*\d{1,3},)?\s+(?:has|had|is|was|runs|ran|spent|keeps|kept)\b")
_PERSONAL = re.compile(r"(?i)\b(?:she|he|her|him|his|they|them|their)\b")


def lede_name(lines: Sequence[str], exclude: set[str]) -> str | None:
    """The person a lede opens with when no headline names them: "Mei Tanaka has
    inspected 900 bridges. We asked her..." A full name must start one of the first
    lines, and the lede must go on about a person (he, she, they), so "New York has..."
    names nobody (unless the name is followed by what the person has done)."""
    lede = [line for line in lines[:4] if not line.rstrip().endswith("?")]
    for i, line in enumerate(lede):
        match = _FULL_NAME.match(line)
        if not match or not looks_like_name(match.group()):
            continue
        name = strip_honorific(match.group())
        rest = " ".join([line[match.end() :], *lede[i + 1 : i + 2]])
        said = _SAID_OF.match(line[match.end() :])  # "Grace Adeyemi has piloted", "…, 81, has"
        if name_key(name) not in exclude and (_PERSONAL.search(rest) or said):
            return name
    return None


# A transcript's key to its speaker codes: "S1 = Interviewer (Hana Lee)", "P2 = Omar Haddad"
_KEY_ALIAS = re.compile(
    r"(?<!\w)([A-Z]{1,3}\d{0,3})\s*=\s*(?:[A-Za-z][\w-]*\s+)?\(?"
    r"([A-Z][\w'’.-]+(?:\s+[A-Z][\w'’.-]+){1,3})"
)


def find_aliases(text: str) -> dict[str, str]:
    """Initials given in the intro: "Joan Birch (JB)" -> {"JB": "Joan Birch"}; a key's
    codes: "S1 = Interviewer (Hana Lee)" -> {"S1": "Hana Lee"}."""
    text = text[:_MAX_CUE_TEXT]
    found = {m.group(2): m.group(1) for m in _ALIAS.finditer(text)}
    for m in _KEY_ALIAS.finditer(text):
        name = m.group(2).rstrip(".")
        if looks_like_name(name):
            found.setdefault(m.group(1), name)
    return found


# What a note after a name says of its job: "MARISOL REYES, ANCHOR:", "LAURENT (voice-over)".
_ASKING_JOBS = frozenset(
    "host co-host cohost anchor correspondent reporter interviewer moderator presenter".split()
)
_NOTE_WORD = re.compile(r"[\w-]+")


def note_role(note: str | None) -> SpeakerRole | None:
    """The role a label's note states: its own word ("host", "guest") or a job that asks
    ("CNN CORRESPONDENT", "anchor"); None for anything else ("through translator")."""
    hinted = role_word(note)
    if hinted or not note:
        return hinted
    if name_key(note) in _FROM_THE_FLOOR:
        return "other"  # "CARL (Caller):": a caller to a phone-in puts questions, is no guest
    words = _NOTE_WORD.findall(note.casefold())
    return "interviewer" if _ASKING_JOBS.intersection(words) and len(words) <= 4 else None


def role_word(label: str | None) -> SpeakerRole | None:
    """The role a generic label states: "Host"/"Q" ask, "Guest"/"A"/"Narrator" answer."""
    key = name_key(label or "")
    if key in INTERVIEWER_WORDS:
        return "interviewer"
    if key in INTERVIEWEE_WORDS:
        return "interviewee"
    return None


def assign_roles(
    stats: Mapping[str, SpeakerStats],
    stated: Sequence[tuple[str, Iterable[str], Iterable[str]]],
    cues: Iterable[tuple[str, SpeakerRole]],
    label_roles: Mapping[str, SpeakerRole],
    titled: Iterable[str] = (),
) -> dict[str, tuple[SpeakerRole, str]]:
    """Role and its source for every speaker in `stats`.

    `stated` lists (source, interviewees, interviewers) in order of authority (sidecar,
    front matter), each already resolved to speakers; `cues` are what the intro says;
    `label_roles` what the labels themselves say ("Host", "Q", "(guest)"); `titled` the
    speakers whose label led with an asking office though they are named in full.
    """
    offices = set(titled)

    def office(name: str) -> bool:
        return asking_title(name) or name in offices

    roles: dict[str, tuple[SpeakerRole, str]] = {}
    authoritative = False
    for source, interviewees, interviewers in stated:
        for name in interviewers:
            if name in stats and name not in roles:
                roles[name] = ("interviewer", source)
        for name in interviewees:
            if name in stats and name not in roles:
                roles[name] = ("interviewee", source)
                authoritative = True
    for name, role in label_roles.items():
        if name in stats and name not in roles:
            roles[name] = (role, "label")
    for name, role in sorted(cues, key=lambda c: c[1] != "interviewer"):
        if name in stats and name not in roles:
            if role == "interviewee" and (office(name) or is_unnamed(name)):
                continue
            roles[name] = (role, "intro")
    for name in stats:
        if name not in roles and (office(name) or is_unnamed(name)):
            # "Senator Park" asks as an interviewer; a bare "Senator:" is other, though
            # what they ask still shows as the question. An official who answers the
            # "Q"s of a briefing or a town hall's questions and asks nothing is interviewed.
            s = stats[name]
            if s.asking > 0 and not is_unnamed(name):
                roles[name] = ("interviewer", "title")
            elif s.after_q and not is_unnamed(name):
                roles[name] = ("interviewee", "title")
            else:
                roles[name] = ("other", "title")
    rest = [name for name in stats if name not in roles]
    if not rest:
        return _ensure_interviewee(roles, stats)
    known_ee = any(role == "interviewee" for role, _ in roles.values())
    stated_hosts = any(
        role == "interviewer" and source in ("sidecar", "front matter")
        for role, source in roles.values()
    )
    if stated_hosts and not known_ee:
        # The hosts are named: whoever else talks is a guest (a rare word makes one other).
        most = max(stats[n].words for n in rest)
        for name in rest:
            guest = stats[name].words * 7 >= most
            roles[name] = ("interviewee" if guest else "other", "text")
        return _ensure_interviewee(roles, stats)
    if authoritative or (known_ee and not _has_long_talker(rest, stats, roles)):
        for name in rest:
            s = stats[name]
            asks = s.asking > 0 and s.asking * 5 >= s.turns
            roles[name] = ("interviewer" if asks else "other", "text")
        return _ensure_interviewee(roles, stats)
    for name, role in _by_statistics(rest, stats, roles).items():
        roles[name] = (role, "text")
    return _ensure_interviewee(roles, stats)


def _mean(s: SpeakerStats) -> float:
    return s.words / s.turns if s.turns else 0.0


def _has_long_talker(
    rest: list[str], stats: Mapping[str, SpeakerStats], roles: Mapping[str, tuple[SpeakerRole, str]]
) -> bool:
    """A speaker the intro did not name who talks like an interviewee (a second guest)."""
    named = [stats[n] for n, (r, _) in roles.items() if r == "interviewee"]
    top = max((s.words for s in named), default=0)
    return any(stats[n].words * 3 >= top and stats[n].asking * 4 < stats[n].turns for n in rest)


def _by_statistics(
    names: list[str],
    stats: Mapping[str, SpeakerStats],
    roles: Mapping[str, tuple[SpeakerRole, str]],
) -> dict[str, SpeakerRole]:
    """Interviewers ask and speak briefly; interviewees talk most; the rest are other."""
    everyone = list(stats)
    longest = max((_mean(stats[n]) for n in everyone), default=0.0)
    most = max((stats[n].words for n in everyone), default=0)
    result: dict[str, SpeakerRole] = {}
    for name in names:
        s = stats[name]
        share = s.asking / s.turns if s.turns else 0.0
        mean = _mean(s)
        if (share >= 0.4 and mean <= 0.6 * longest) or (share >= 0.25 and mean <= 0.35 * longest):
            result[name] = "interviewer"
        elif s.turns and s.asking == s.turns and s.answered == s.turns:
            # a committee member whose every turn is a question someone else takes up
            # asks, however long the preamble ("Thank you, Chair. Ms. Thibodeau, how…?")
            result[name] = "interviewer"
        elif s.words * 7 >= most:
            result[name] = "interviewee"
        else:
            result[name] = "other"
    if "interviewer" not in result.values() and len(everyone) >= 2:
        # One clear asker among otherwise answering speakers (the old heuristic).
        first = min(everyone, key=lambda n: stats[n].first)
        means = sorted((_mean(stats[n]), n) for n in everyone)[:2]  # the two shortest

        def score(n: str) -> float:
            return _score(n, stats, first, means)

        scored = sorted(((score(n), n) for n in names), reverse=True)
        if scored:
            best_score, best = scored[0]
            runner_up = max(score(n) for n in everyone if n != best)
            if best_score - runner_up >= 0.25 and (
                best_score >= 0.75 or (len(everyone) == 2 and _asks_twice_as_often(best, stats))
            ):
                result[best] = "interviewer"
    return result


def _asks_twice_as_often(name: str, stats: Mapping[str, SpeakerStats]) -> bool:
    """In a conversation of two, one of them is nearly always the host: the one who asks
    at least twice as often (and in at least one turn in ten) is taken for it."""
    s = stats[name]
    share = s.asking / s.turns if s.turns else 0.0
    other = max(
        (o.asking / o.turns for n, o in stats.items() if n != name and o.turns), default=0.0
    )
    return share >= 0.1 and share >= 2 * other


def _score(
    name: str,
    stats: Mapping[str, SpeakerStats],
    first: str,
    shortest: list[tuple[float, str]],
) -> float:
    """`shortest`: the two lowest (mean words a turn, speaker), so the shortest of the
    others is found in constant time (a hearing of 1,500 speakers was quadratic)."""
    s = stats[name]
    asked = s.asking / s.turns if s.turns else 0.0
    others = [mean for mean, other in shortest if other != name][:1]
    shorter = bool(others) and _mean(s) * 2 <= others[0]
    return asked + 0.25 * (name == first) + 0.25 * shorter


def _ensure_interviewee(
    roles: dict[str, tuple[SpeakerRole, str]], stats: Mapping[str, SpeakerStats]
) -> dict[str, tuple[SpeakerRole, str]]:
    """A file with speakers but no interviewee quotes whoever talks most (not a title)."""
    if any(role == "interviewee" for role, _ in roles.values()):
        return roles
    candidates = [
        n
        for n in stats
        if roles.get(n, ("other", ""))[1] not in ("sidecar", "front matter")
        and not asking_title(n)
        and not is_unnamed(n)
    ] or [n for n in stats if roles.get(n, ("other", ""))[1] not in ("sidecar", "front matter")]
    if candidates:
        best = max(
            candidates, key=lambda n: (stats[n].words - 5 * stats[n].asking, -stats[n].first)
        )
        if roles.get(best, ("", ""))[1] != "label":
            roles[best] = ("interviewee", "text")
    return roles
