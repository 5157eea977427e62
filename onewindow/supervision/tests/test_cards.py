"""Acceptance line 2 (issue 16): cards follow RULES.md exactly — first upheld violation → yellow
card; another while a card is open → red card; a third → reported to the city government;
clearing closes the card. Property-based over random sequences."""

from hypothesis import given
from hypothesis import strategies as st

from onewindow.supervision import cards

events = st.lists(st.sampled_from([cards.UPHELD, cards.CLEARED]), max_size=40)


def test_the_rule_by_example():
    U, C = cards.UPHELD, cards.CLEARED
    assert cards.cards([U, U, U, U]) == ["yellow", "red", "reported", "reported"]
    assert cards.cards([U, C, U, U, C]) == ["yellow", "none", "yellow", "red", "none"]
    assert cards.current([]) == "none"


@given(events)
def test_the_card_is_the_count_of_upheld_since_the_last_clearing(sequence):
    for i, card in enumerate(cards.cards(sequence)):
        prefix = sequence[: i + 1]
        since = (
            prefix[len(prefix) - prefix[::-1].index(cards.CLEARED) :] if cards.CLEARED in prefix else prefix
        )
        assert card == ["none", "yellow", "red", "reported"][min(len(since), 3)]


@given(events, events)
def test_clearing_forgets_everything_before_it(before, after):
    assert cards.cards([*before, cards.CLEARED, *after])[-1:] == (cards.cards(after)[-1:] or ["none"])


@given(events)
def test_a_card_never_goes_down_without_clearing(sequence):
    order = ["none", "yellow", "red", "reported"]
    found = cards.cards(sequence)
    for i in range(1, len(sequence)):
        event, a, b = sequence[i], found[i - 1], found[i]
        if event == cards.UPHELD:
            assert order.index(b) >= order.index(a) and b != "none"
