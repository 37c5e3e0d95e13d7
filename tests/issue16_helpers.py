"""Small lookups the issue 16 test files share: the mentions of a concept, the one event of a kind."""

from __future__ import annotations


def of(mentions, concept):
    """The mentions of one concept."""
    return [m for m in mentions if m.concept == concept]


def one(events, kind):
    """The single event of a kind (fails when there is none or more than one)."""
    found = [e for e in events if e.kind == kind]
    assert len(found) == 1, found
    return found[0]


def start_of(events, drug):
    """The single start event of a drug."""
    return one(events, f"{drug}_start")


def details(event):
    """The details of an event's flags."""
    return [flag.detail for flag in event.flags]
