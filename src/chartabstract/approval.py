"""Access steps before a drug is given: approval, authorisation, an order, the drug's arrival.

Salvage antibodies are often obtained through a committee, an insurer, a compassionate-use
programme, a ministry or a court ruling ("amparo"), and the chart dates each step: "the board
approved blinatumomab (10/2021)", "InO authorised 08/06, vials arrived 09/06", "InO C1D1 ordered
for today". None of these is the first dose, and many such drugs are never given. A line whose
only event word for the drug is such a step is no start evidence; a start resting only on an
order or an approval line is flagged for review.
"""

from __future__ import annotations

import re

_ACCESS_STEP = re.compile(
    r"\b(?:approv(?:ed|al)|authori[sz](?:ed|ation)|ordered|prescribed|requested|arrived|delivered|dispensed"
    r"|vials?\s+received|orders?\s+(?:received|placed|verified|entered|sent)|shipped|courier\w*|referrals?\s+(?:for|to|sent)"
    r"|court|ruling|amparo|ministry|compassionate)\b",
    re.IGNORECASE,
)
# a word that says the drug was given, which outranks the access step on the same line
_GIVEN = re.compile(
    r"\b(?:given|administered|infused|received\s+(?:\d|her|his|the\s+first|c1|cycle|dose)|started|initiated|began|begun|commenced"
    r"|completed|cycles?\s*\d|C\d\s*D\d|x\s?\d|tolerated)\b",
    re.IGNORECASE,
)
ORDER_LINE = re.compile(r"\b(?:ordered|order\s+(?:placed|signed|written)|approv(?:ed|al)|authori[sz](?:ed|ation))\b", re.IGNORECASE)


def only_approved(snippet: str) -> bool:
    """Whether a line names an access step for a drug and no administration of it."""
    return bool(_ACCESS_STEP.search(snippet)) and not _GIVEN.search(snippet)


# "MAF paperwork for blinatumomab started", "funding application for InO initiated": the start verb's
# subject is the paperwork, not the drug
_PAPERWORK_STARTED = re.compile(
    r"\b(?:paperwork|applications?|forms?|funding|authori[sz]ations?|prior\s+auth\w*|approvals?|process|requests?|referrals?"
    r"|insurance|claims?|counsel+ing)\b[^.;\n]{0,50}?\b(?:started|initiated|begun|commenced|submitted|sent)\b",
    re.IGNORECASE,
)
_DOSE_WORDS = re.compile(r"\b(?:given|administered|infused|infusion|C\d{1,2}\s*D\d{1,2}|mcg|mg|bag)\b", re.IGNORECASE)


def paperwork_started(snippet: str) -> bool:
    """Whether a line's start verb belongs to an access step's paperwork, with no dose on the line."""
    return bool(_PAPERWORK_STARTED.search(snippet)) and not _DOSE_WORDS.search(snippet)

