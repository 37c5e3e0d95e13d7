"""A transplant graft or CAR-T product named but not given that day: handled, or prepared for.

Every cellular-therapy program writes the product's logistics beside its name ("Product:
tisagenlecleucel, received 03/14", "Tecartus manufactured and shipped 5/27", "apheresis 2/1"),
and the steps that lead up to the infusion ("admitted today for lymphodepletion before
brexucabtagene"). The dates of such a clause belong to the handling or to the earlier step; the
infusion is another day.
"""

from __future__ import annotations

import re

from chartabstract.nlp.values import Hit

# Handling words that never describe giving the product to the patient.
_HANDLING = re.compile(
    r"\b(?:ship(?:ped|ping|ment)|manufactur\w*|released?|release\s+testing|(?:leuk[oa]?)?apheres[ie]s|"
    r"collect(?:ed|ion)|harvest(?:ed)?|cryopreserv\w*|vein[- ]to[- ]vein|out\s+of\s+spec\w*|"
    r"(?:arrived|stored|received|delivered)\s+(?:at|in|by|to)\s+(?:the\s+|our\s+)?(?:[\w-]+\s+){0,3}"
    r"(?:lab\w*|laborator\w*|pharmacy|facility|processing|cell\s+therapy))\b",
    re.IGNORECASE,
)
# "X, received 03/14" or "X received today": the product was received; "received X" is the patient's.
_RECEIVED_AFTER = re.compile(r"^[\s,:()\w-]{0,40}?\b(?:received|arrived|delivered)\b", re.IGNORECASE)
_GIVEN = re.compile(r"\binfus(?:ed|ion)\b|\bDay\s*0\b|\bgiven\b|\badministered\b", re.IGNORECASE)
_CLAUSE_BREAK = re.compile(r";|\.\s")


def is_product_logistics(hit: Hit) -> bool:
    """Whether the mention's clause handles the product rather than giving it.

    Args:
        hit: a transplant or cellular-therapy target with its sentence.

    Returns:
        True for "Product: Aucatzyl, received 03/14/2025", "Kymriah manufactured and shipped",
        "apheresis for tisagenlecleucel 1/12"; False for "Received Kymriah on 3/16 (Day 0)" or a
        clause that also says the product was infused.
    """
    start = hit.offset_in_sentence
    end = start + len(hit.text)
    before = _CLAUSE_BREAK.split(hit.sentence[:start])[-1]
    after = _CLAUSE_BREAK.split(hit.sentence[end:])[0]
    clause = before + hit.text + after
    if _GIVEN.search(clause):
        return False
    return bool(_HANDLING.search(clause) or _RECEIVED_AFTER.match(after))


# "lymphodepletion before Tecartus", "conditioning prior to the transplant", "bridging ahead of CAR-T"
_PREPARED_FOR = re.compile(
    r"\b(?:before|prior\s+to|ahead\s+of|in\s+preparation\s+for|in\s+advance\s+of|pre-?)\s*"
    r"(?:(?:the|her|his|their|planned|scheduled|upcoming)\s+){0,2}"
    r"(?:[\w-]+(?:\s+[\w-]+){0,2}\s*\(\s*)?$",  # or a brand in parentheses after the generic name
    re.IGNORECASE,
)


def is_prepared_for(hit: Hit, date_start: int | None) -> bool:
    """Whether the mention names the procedure as what an earlier step of its sentence comes before,
    and the date it was given stands with that step ("Admitted today for lymphodepleting chemotherapy
    before brexucabtagene autoleucel"). ``date_start``: where the date starts in the sentence
    (None: no date in it)."""
    if not _PREPARED_FOR.search(hit.before):
        return False
    return date_start is None or date_start < hit.offset_in_sentence
