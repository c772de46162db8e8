"""Word folding for search: inflections, British/American spelling and number words.

A member remembers "she runs" for "I ran", "color" for "colour", "40 to 50" for "forty to
fifty".  Each vocabulary word gets a *fold key*: irregular forms mapped to their base
("ran" -> "run"), British spellings to American ("colour" -> "color", "theatre" ->
"theater", "organise" -> "organize", "catalogue" -> "catalog", "travelled" ->
"traveled"), then the Snowball (Porter2) English stemmer ("running" -> "run").  Words
sharing a key are variants of each other.  The rules are applied to both sides, so a rule
that also fires on a word that is the same in both spellings ("bruise" -> "bruize") costs
nothing unless two different real words collapse, which the word lists below avoid.

Numbers: a number word maps to its digits and back ("twelve" <-> "12", "third" <-> "3rd"),
and a run of number words to the number it spells ("forty five" -> "45", "eleven
thousand" -> "11000", "twenty nineteen" -> "2019").

Pure functions over normalised words (lower case ASCII or folded Unicode), no index state.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterable, Sequence
from functools import lru_cache

import Stemmer

_STEMMER = Stemmer.Stemmer("english")

# Irregular forms -> base form (the stemmer cannot see these).
_IRREGULAR_TABLE = """
ran run; went gone go; saw seen see; ate eaten eat; wrote written write; took taken take;
gave given give; came come; began begun begin; sang sung sing; knew known know;
grew grown grow; threw thrown throw; flew flown fly; drove driven drive; rode ridden ride;
spoke spoken speak; broke broken break; chose chosen choose; froze frozen freeze;
fell fallen fall; felt feel; kept keep; left leave; lost lose; made make; met meet;
paid pay; said say; sold sell; sent send; slept sleep; spent spend; stood stand;
taught teach; thought think; told tell; understood understand; wore worn wear;
brought bring; bought buy; caught catch; fought fight; found find; heard hear; held hold;
built build; meant mean; led lead; fed feed; swam swum swim; drank drunk drink;
rang rung ring; shook shaken shake; stole stolen steal; forgot forgotten forget;
hid hidden hide; bit bitten bite; sat sit; dug dig; hung hang; struck strike;
woke woken wake; tore torn tear; sank sunk sink; shot shoot; slid slide; spun spin;
stuck stick; swept sweep; wept weep; won win; wound wind; got gotten get;
children child; men man; women woman; mice mouse; feet foot; teeth tooth; people person;
learnt learn; spelt spell; dreamt dream; burnt burn; spilt spill; leapt leap; knelt kneel
"""
IRREGULAR: dict[str, str] = {
    form: group.split()[-1]
    for group in _IRREGULAR_TABLE.replace("\n", " ").split(";")
    if group.strip()
    for form in group.split()[:-1]
}

# British -> American spellings no rule below covers.
_SPELLINGS = """
grey gray; greys grays; programme program; programmes programs; tyre tire; tyres tires;
plough plow; cheque check; cheques checks; aluminium aluminum; mum mom; mums moms;
sceptic skeptic; sceptical skeptical; jewellery jewelry; kerb curb; draught draft;
pyjamas pajamas; storey story; storeys stories; aeroplane airplane; aeroplanes airplanes;
whilst while; amongst among; defence defense; offence offense; licence license;
pretence pretense; paediatric pediatric; anaemia anemia; encyclopaedia encyclopedia;
oestrogen estrogen; manoeuvre maneuver; manoeuvres maneuvers; moustache mustache;
doughnut donut; doughnuts donuts; ageing aging; judgement judgment; artefact artifact;
artefacts artifacts; mould mold; smoulder smolder; cosy cozy; sulphur sulfur; axe ax;
enrol enroll; fulfil fulfill; skilful skillful; wilful willful; practise practice;
kilometre kilometer; kilometres kilometers; metre meter; metres meters; litre liter;
litres liters; centre center; centres centers; centred centered; maths math
"""
SPELLINGS: dict[str, str] = dict(
    pair.split() for pair in _SPELLINGS.replace("\n", " ").split(";") if pair.strip()
)

_OUR = re.compile(r"(?<=[a-z]{2})our(?=(?:s|ed|ing|ite|ites|able|ably|ful|er|ers|less)?$)")
_TRE = re.compile(r"(?<=[a-z]{2}[bt])re(s?)$")
_ISE = re.compile(
    r"(?<=[a-z]{2})([iy])s(e|es|ed|ing|er|ers|ation|ations|able)$"
)  # organise, analyse
_OGUE = re.compile(r"(?<=[a-z]{2})ogue(s?)$")
_LL = re.compile(r"(?<=[aeiou][^aeiou\W\d])(e)ll(ed|er|ers|ing)$")  # travelled, modelling
_ISE_TAILS = ("e", "es", "ed", "ing", "er", "ers", "ation", "ations", "able")
_ISE_ENDS = tuple(v + "s" + t for v in "iy" for t in _ISE_TAILS)
_OUR_ENDS = tuple(
    "our" + t
    for t in ("", "s", "ed", "ing", "ite", "ites", "able", "ably", "ful", "er", "ers", "less")
)
_OUR_KEEP = frozenset({"your", "yours", "four", "fours", "hour", "hours", "pour", "tour", "tours"})


def americanise(word: str) -> str:
    """The American spelling of `word` by list and rule ("colour" -> "color")."""
    if word in SPELLINGS:
        return SPELLINGS[word]
    if len(word) < 5 or not word.isascii():
        return word
    # Cheap substring tests first: most words meet no rule, and a regex each costs 5x more.
    if word.endswith(_OUR_ENDS) and word not in _OUR_KEEP:
        word = _OUR.sub("or", word)
    if word.endswith(("re", "res")):
        word = _TRE.sub(r"er\1", word)
    if word.endswith(_ISE_ENDS):
        word = _ISE.sub(r"\1z\2", word)
    if word.endswith(("ogue", "ogues")):
        word = _OGUE.sub(r"og\1", word)
    if word.endswith(("lled", "ller", "llers", "lling")):
        word = _LL.sub(r"\1l\2", word)
    return word


@lru_cache(maxsize=65536)
def fold_key(word: str) -> str:
    """The key a word shares with its inflections and spelling variants."""
    return fold_keys([word])[0]


def fold_keys(words: Sequence[str]) -> list[str]:
    """:func:`fold_key` for many words at once (one call into the C stemmer)."""
    based = [IRREGULAR.get(w, w) for w in words]
    spelt = [americanise(w) if len(w) > 3 and not w.isdigit() else w for w in based]
    stems: list[str] = _STEMMER.stemWords(spelt)
    return [IRREGULAR.get(s, s) for s in stems]


# --- numbers ------------------------------------------------------------------------------

_UNITS = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_ORDINAL_UNITS = (
    "zeroth first second third fourth fifth sixth seventh eighth ninth tenth eleventh "
    "twelfth thirteenth fourteenth fifteenth sixteenth seventeenth eighteenth nineteenth"
).split()
_ORDINAL_TENS = "twentieth thirtieth fortieth fiftieth sixtieth seventieth eightieth ninetieth"
NUMBER_WORDS: dict[str, int] = {w: i for i, w in enumerate(_UNITS)}
NUMBER_WORDS.update({w: 20 + 10 * i for i, w in enumerate(_TENS)})
ORDINAL_WORDS: dict[str, int] = {w: i for i, w in enumerate(_ORDINAL_UNITS)}
ORDINAL_WORDS.update({w: 20 + 10 * i for i, w in enumerate(_ORDINAL_TENS.split())})
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000, "billion": 1_000_000_000}
_DIGIT_WORD = {i: w for w, i in NUMBER_WORDS.items()}
_DIGIT_ORDINAL = {i: w for w, i in ORDINAL_WORDS.items()}
_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _ordinal_suffix(n: int) -> str:
    return "th" if 10 <= n % 100 <= 20 else _SUFFIX.get(n % 10, "th")


def is_number(word: str) -> bool:
    """Whether `word` is a number in digits or in words ("12", "3rd", "twelve", "third")."""
    return bool(
        word.isdigit()
        or word in NUMBER_WORDS
        or word in ORDINAL_WORDS
        or word in _SCALES
        or re.fullmatch(r"\d+(st|nd|rd|th)", word)
    )


def number_variants(word: str) -> tuple[str, ...]:
    """Other ways to write the number `word` is: "twelve" -> "12", "3rd" -> "third"."""
    if word in NUMBER_WORDS:
        return (str(NUMBER_WORDS[word]),)
    if word in ORDINAL_WORDS:
        n = ORDINAL_WORDS[word]
        return (f"{n}{_ordinal_suffix(n)}",)
    if word.isdigit() and len(word) <= 3:
        n = int(word)
        return (_DIGIT_WORD[n],) if n in _DIGIT_WORD else ()
    found = re.fullmatch(r"(\d{1,3})(st|nd|rd|th)", word)
    if found:
        n = int(found.group(1))
        return (_DIGIT_ORDINAL[n],) if n in _DIGIT_ORDINAL else ()
    return ()


def number_runs(tokens: Sequence[str]) -> list[tuple[int, int, str]]:
    """Runs of two or more number words and the digits they spell: (start, end, digits).

    "forty five" -> 45, "eleven thousand" -> 11000, "two hundred" -> 200, and a year said
    as two numbers, "twenty nineteen" -> 2019.  "and" inside a run is skipped ("one
    hundred and ten").
    """
    runs: list[tuple[int, int, str]] = []
    numeric = [t in NUMBER_WORDS or t in _SCALES or t in ("and", "oh") for t in tokens]
    i = 0
    while i < len(tokens):
        stop = i
        while stop < len(tokens) and numeric[stop]:
            stop += 1
        for j in range(stop, i + 1, -1):  # the longest run from i that spells a number
            words = [t for t in tokens[i:j] if t != "and"]
            if tokens[i] in ("and", "oh") or tokens[j - 1] in ("and", "oh") or len(words) < 2:
                continue
            value = _year_value(words)
            if value is None and "oh" not in words:
                value = _spell_value(words)
            if value is not None:
                runs.append((i, j, str(value)))
                i = j - 1
                break
        i += 1
    return runs


def _below_hundred_value(words: Sequence[str]) -> int | None:
    """10..99 in one or two words ("twelve", "sixty", "sixty two"), else None."""
    values = [NUMBER_WORDS.get(w, -1) for w in words]
    if len(values) == 1 and 10 <= values[0] <= 99:
        return values[0]
    if len(values) == 2 and values[0] in range(20, 100, 10) and values[1] in range(1, 10):
        return values[0] + values[1]
    return None


def _year_value(words: Sequence[str]) -> int | None:
    """A year said in two parts: "nineteen sixty two" 1962, "eighteen oh five" 1805,
    "twenty twenty one" 2021 (the first part eleven to twenty), else None."""
    head = NUMBER_WORDS.get(words[0]) if words else None
    if head is None or not 11 <= head <= 20 or len(words) < 2:
        return None
    tail = list(words[1:])
    if tail[0] == "oh" and len(tail) == 2 and NUMBER_WORDS.get(tail[1], 0) in range(1, 10):
        return head * 100 + NUMBER_WORDS[tail[1]]
    rest = _below_hundred_value(tail)
    return None if rest is None or len(words) < 3 else head * 100 + rest


def _spell_value(words: Iterable[str]) -> int | None:
    listed = list(words)
    if (
        len(listed) == 2
        and listed[0] in NUMBER_WORDS
        and listed[1] in NUMBER_WORDS
        and 10 <= NUMBER_WORDS[listed[0]] <= 99
        and 10 <= NUMBER_WORDS[listed[1]] <= 99
    ):
        return NUMBER_WORDS[listed[0]] * 100 + NUMBER_WORDS[listed[1]]  # "twenty nineteen"
    total = current = 0
    last_small = 100
    for word in listed:
        if word in NUMBER_WORDS:
            value = NUMBER_WORDS[word]
            if value >= last_small or (value >= 10 and current % 100):
                return None  # "five five", "twenty thirty"
            current += value
            last_small = value if value < 10 else 10
        else:
            scale = _SCALES[word]
            current = max(current, 1) * scale
            if scale >= 1000:
                total += current
                current = 0
            last_small = 100
    return total + current


def spelled_words(digits: str) -> tuple[str, ...]:
    """The number words that spell `digits` (up to 999,999), "11000" -> eleven thousand.

    A four-digit number from 1100 to 2099 also yields its year reading ("2019" -> twenty
    nineteen).  Used as the variants of a digit query word, so text that spells the number
    out still answers it.
    """
    if not digits.isdigit() or len(digits) > 6 or (len(digits) > 1 and digits[0] == "0"):
        return ()
    n = int(digits)
    words = _below_million(n)
    if 1100 <= n <= 2099 and n % 100 >= 10:
        words += [_DIGIT_WORD[n // 100], *_below_hundred(n % 100)]
    return tuple(dict.fromkeys(words))


def _below_hundred(n: int) -> list[str]:
    if n in _DIGIT_WORD:
        return [_DIGIT_WORD[n]]
    return [_DIGIT_WORD[n - n % 10], _DIGIT_WORD[n % 10]]


def _below_million(n: int) -> list[str]:
    words: list[str] = []
    if n >= 1000:
        words += [*_below_million(n // 1000), "thousand"]
        n %= 1000
    if n >= 100:
        words += [_DIGIT_WORD[n // 100], "hundred"]
        n %= 100
    if n or not words:
        words += _below_hundred(n)
    return words


# --- forms of one word, generated (no vocabulary-wide pass) --------------------------------

_FORMS_OF: dict[str, list[str]] = {}
for _form, _base in IRREGULAR.items():
    _FORMS_OF.setdefault(_base, []).append(_form)
_BRITISH: dict[str, list[str]] = {}
for _uk, _us in SPELLINGS.items():
    _BRITISH.setdefault(_us, []).append(_uk)
_ENDINGS = ("", "s", "es", "ed", "d", "ing", "er", "ers", "ly")
_STRIP = ("ing", "ers", "ies", "ied", "ed", "es", "er", "ly", "s", "d")


def _stems(word: str) -> set[str]:
    """Plausible bare stems of `word`: suffixes stripped, a doubled consonant undone."""
    out = {word}
    for end in _STRIP:
        if word.endswith(end) and len(word) - len(end) >= 2:
            stem = word[: -len(end)]
            out.add(stem)
            out.add(stem + "e")  # served -> serve
            if end in ("ies", "ied"):
                out.add(stem + "y")
            if len(stem) >= 3 and stem[-1] == stem[-2]:
                out.add(stem[:-1])  # running -> run
    return out


def _spelling_twins(word: str) -> set[str]:
    """`word` in the other spelling: American for British, and British for American."""
    out = {americanise(word)}
    out.update(_BRITISH.get(word, ()))
    if len(word) >= 5:
        if word.endswith(("or", "ors", "ored", "oring", "orite", "orites", "orful")):
            at = word.rfind("or")
            out.add(word[:at] + "our" + word[at + 2 :])
        if word.endswith(("ter", "ters", "ber", "bers")):
            at = word.rfind("er")
            out.add(word[:at] + "re" + word[at + 2 :])
        for z, s in (("ize", "ise"), ("yze", "yse"), ("iz", "is")):
            if z in word[2:]:
                out.add(word[:2] + word[2:].replace(z, s))
        if word.endswith(("og", "ogs")):
            out.add(word.replace("og", "ogue"))
        for tail in ("ed", "er", "ing"):
            if word.endswith("el" + tail):
                out.add(word[: -len(tail)] + "l" + tail)
    return out


def word_forms(word: str, known: Container[str] | None = None) -> frozenset[str]:
    """Inflections and spelling variants of `word` that share its fold key (not itself).

    Generated from the word alone (suffixes stripped and added back, irregular forms,
    the other spelling), narrowed to the words in `known` (a vocabulary) when given, and
    kept only when :func:`fold_key` agrees, so a search checks a few dozen strings
    against its vocabulary instead of folding the whole vocabulary.
    """
    candidates = form_candidates(word)
    if known is not None:
        candidates = frozenset(f for f in candidates if f in known)
    key = fold_key(word)
    return frozenset(f for f in candidates if fold_key(f) == key)


@lru_cache(maxsize=16384)
def form_candidates(word: str) -> frozenset[str]:
    """Strings that may be another form of `word` (most are not words at all)."""
    if len(word) < 3 or word.isdigit() or not word.isascii():
        return frozenset()
    base = IRREGULAR.get(word, word)
    seeds = {word, base, *_FORMS_OF.get(base, ())}
    for seed in list(seeds):
        seeds |= _spelling_twins(seed)
    stems: set[str] = set()
    for seed in seeds:
        stems |= _stems(seed)
    forms: set[str] = set(seeds)
    for stem in stems:
        forms.update(stem + end for end in _ENDINGS)
        if stem.endswith("e"):
            forms.update((stem[:-1] + "ing", stem + "d"))
        if stem.endswith("y"):
            forms.update((stem[:-1] + "ies", stem[:-1] + "ied"))
        if len(stem) >= 3 and stem[-1] not in "aeiouwxy" and stem[-2] in "aeiou":
            forms.update((stem + stem[-1] + "ing", stem + stem[-1] + "ed"))
        forms.update(_FORMS_OF.get(stem, ()))
    for form in list(forms):
        forms |= _spelling_twins(form)
    forms.discard(word)
    return frozenset(f for f in forms if len(f) >= 2)
