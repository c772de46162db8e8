"""Header fields of oral histories and committee evidence are lines about the file, not
answers: a field of another kind ("Collection:", "Tape:", a committee's "I: Dr …") above or
between them does not end the header (bot/transcript/markers.py, layout.py)."""

from __future__ import annotations

from tests.transcript_helpers import parse, said

ORAL_HISTORY = """\
Marsh Villages Sound Archive
Collection: Reeds and Rushes
Narrator: Winifred Alderholt (née Caske), born 1935, Fenwick Staithe
Interviewer: Jory Pendellan
Date of interview: 3 May 2009

PENDELLAN: What did your father do?

ALDERHOLT: He cut reed on the marsh, winter through to spring, and thatched in the summer.

PENDELLAN: Did you help him?

ALDERHOLT: I tied the bundles from when I was seven. My hands were cut to ribbons every year.
"""


def test_a_narrator_line_under_another_field_is_no_answer() -> None:
    passages = said(parse(ORAL_HISTORY))
    assert [who for who, _, _ in passages] == ["Winifred Alderholt", "Winifred Alderholt"]
    assert all("born 1935" not in text for _, text, _ in passages)


def test_a_field_line_under_a_short_field_is_not_joined_to_it() -> None:
    """ "Date of recording:" (no label) under "Collection:" and "Location:" under the
    interviewee's line stay fields, so the header run goes on to "Interviewee:"."""
    text = """\
Collection: Kilns of the Upper Vale
Date of recording: 8 July 2001
Interviewee: Oswin Tregarthen, born 1929, Pollard Cross
Location: Pollard Cross village hall
Interviewer: Mabyn Stroud

STROUD: When did the kilns go cold?

TREGARTHEN: Nineteen fifty-eight. The last firing took four days and the whole village came.

STROUD: And after?

TREGARTHEN: I went on the buses. Thirty years of the number nine route.
"""
    passages = said(parse(text))
    assert [who for who, _, _ in passages] == ["Oswin Tregarthen", "Oswin Tregarthen"]
    assert all("born 1929" not in t and "village hall" not in t for _, t, _ in passages)


def test_a_committee_witness_line_under_a_numbered_witness_is_no_answer() -> None:
    text = """\
Energy Security Committee
Oral evidence: Tidal power, HC 118

Witness

I: Dr Hesketh Marrable, Head of Marine Engineering, Skerrow Tidal Trust.

Examination of witness

Witness: Dr Hesketh Marrable.

Q12 Chair: Dr Marrable, how much power does the lagoon make?

Dr Marrable: About forty megawatts at spring tides, a little over half that at neaps.

Q13 Chair: Is that enough to matter?

Dr Marrable: For the island, yes. It runs every house on it twice over.
"""
    passages = said(parse(text))
    assert [who for who, _, _ in passages] == ["Hesketh Marrable", "Hesketh Marrable"]
    assert all(not t.startswith("Dr Hesketh") for _, t, _ in passages)


def test_a_moderator_turn_below_a_keynote_field_stays_a_turn() -> None:
    """Past a field of another kind only a run of header lines or a bare name is more of
    the header: the moderator's one turn ends the speech above it."""
    text = """\
Keynote: Rosalind Ekwueme-Varga, Upland Water Forum 2025
Transcript prepared by the forum office

Good evening, and thank you for having me. I have spent ten years trying to keep one valley's water in the valley, and tonight I will tell you what worked.

Most of it was patience. The dams were the easy part; the meetings were the hard part.

MODERATOR: Thank you, Rosalind. We have time for a few questions.

DELEGATE: What would you tell a new council?

EKWUEME-VARGA: Start the meetings before you draw the dams.
"""
    passages = said(parse(text))
    assert passages[0][1].startswith("Good evening, and thank you")
    assert {who for who, _, _ in passages} == {"Rosalind Ekwueme-Varga"}
