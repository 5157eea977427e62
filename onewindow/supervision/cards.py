"""黄牌 / 红牌 (RULES.md "Supervision"), a pure function over the sequence of what happened to a
window or officer: the first upheld violation → yellow card; another while a card is open → red
card; a third → reported to the city government. Clearing (销牌) closes the open card; the count
starts again. The register keeps the facts (upheld violations, in decision order); the cards
are computed from them, never stored twice."""

from collections.abc import Iterable

UPHELD = "upheld"
CLEARED = "cleared"

NONE, YELLOW, RED, REPORTED = "none", "yellow", "red", "reported"
LABELS = {NONE: "无牌", YELLOW: "黄牌", RED: "红牌", REPORTED: "报告市政府"}


def step(card: str, event: str) -> str:
    """The card after one event."""
    if event == CLEARED:
        return NONE
    if event != UPHELD:
        raise ValueError(f"unknown card event {event!r}")
    return {NONE: YELLOW, YELLOW: RED, RED: REPORTED, REPORTED: REPORTED}[card]


def cards(events: Iterable[str]) -> list[str]:
    """The card after each event of the sequence (the last one is the current card)."""
    card, out = NONE, []
    for event in events:
        card = step(card, event)
        out.append(card)
    return out


def current(events: Iterable[str]) -> str:
    found = cards(events)
    return found[-1] if found else NONE
