"""Two-reviewer agreement: percent agreement and Cohen's kappa per field, and the disagreements.

Cohen's kappa is computed here (ten lines, tested against a published worked example) rather
than pulling in scikit-learn (about 30 MB) for one formula.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from itertools import combinations

from chartabstract.review.items import item_kind
from chartabstract.review.store import Decision, ReviewStore
from chartabstract.study import Study


@dataclass
class FieldAgreement:
    field: str
    reviewers: tuple[str, str]
    items: int
    agreed: int
    kappa: float | None

    @property
    def percent(self) -> float:
        return 100.0 * self.agreed / self.items if self.items else 0.0


def cohen_kappa(first: list[str], second: list[str]) -> float | None:
    """Cohen's kappa of two raters' labels for the same items (None when undefined)."""
    if len(first) != len(second) or not first:
        return None
    n = len(first)
    observed = sum(a == b for a, b in zip(first, second)) / n
    count_a, count_b = Counter(first), Counter(second)
    expected = sum(count_a[label] * count_b[label] for label in set(first) | set(second)) / (n * n)
    if expected == 1.0:
        return 1.0 if observed == 1.0 else None
    return (observed - expected) / (1.0 - expected)


def agreement(store: ReviewStore, study: Study) -> tuple[list[FieldAgreement], list[dict[str, str]]]:
    """Per kind of fact ("Bone marrow: blast %") and reviewer pair: items both decided, agreement,
    kappa; then each disagreement, naming its item."""
    items = {item.key: item for item in store.items(include_cleared=True)}
    latest: dict[tuple[str, str], dict[str, Decision]] = defaultdict(dict)
    for decision in store.decisions():
        item = items.get(f"{decision.patient_id}|{decision.field}")
        if decision.role != "reviewer" or item is None or decision.evidence_digest != item.evidence_digest:
            continue
        latest[(decision.patient_id, decision.field)][decision.reviewer] = decision
    reviewers = sorted({r for by in latest.values() for r in by})
    results: list[FieldAgreement] = []
    disagreements: list[dict[str, str]] = []
    for pair in combinations(reviewers, 2):
        per_field: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
        for (patient, field), by in sorted(latest.items()):
            if pair[0] in by and pair[1] in by:
                a, b = (_label(by[r]) for r in pair)
                per_field[item_kind(field, study)][0].append(a)
                per_field[item_kind(field, study)][1].append(b)
                if a != b:
                    disagreements.append({"patient_id": patient, "field": field, pair[0]: a, pair[1]: b,
                                          "reviewers": f"{pair[0]} vs {pair[1]}"})
        for field, (a, b) in sorted(per_field.items()):
            results.append(FieldAgreement(field, pair, len(a), sum(x == y for x, y in zip(a, b)), cohen_kappa(a, b)))
    return results, disagreements


def _label(decision: Decision) -> str:
    return "ND" if decision.choice == "not_determinable" else decision.value
