"""Cards of windows (RULES.md "Supervision": first violation of a window or officer → yellow card
…): a violation counts against the case's 受理窗口 (Case.window, recorded at intake), and the
window's card follows supervision.cards over its own upheld violations and clearances — apart
from the officer's."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.services import assign_windows, take_window
from onewindow.cases.models import Case
from onewindow.conftest import client_for
from onewindow.errors import Conflict
from onewindow.supervision import queries, services
from onewindow.supervision.holders import OFFICER, WINDOW
from onewindow.supervision.models import CardClearance, Violation

pytestmark = pytest.mark.django_db
D = dt.date
NOV_2 = D(2026, 11, 2)


def _violation(world, accept, day=NOV_2):
    """A case accepted `day` (at the clerk's current window), overdue and swept: its violation."""
    case = accept(day)
    with clock.frozen(day + dt.timedelta(days=30)):
        services.sweep()
    return Violation.objects.get(case=case)


def _uphold(world, violation, day):
    with clock.frozen(day):
        services.decide(violation, to="upheld", reason="超期", by=world.supervisor)


def test_the_over_time_violation_names_the_cases_window(world, accept):
    first = _violation(world, accept)
    assert first.window_id == world.window_1.pk == Case.objects.get(pk=first.case_id).window_id
    assign_windows(world.clerk.staff, [world.window_1, world.window_a])
    take_window(world.clerk, world.window_a)
    second = _violation(world, accept)
    assert second.window_id == world.window_a.pk
    # A case with no window (online, art. 32) counts against no window.
    third_case = accept(D(2026, 11, 2))
    Case.objects.filter(pk=third_case.pk).update(window=None)
    with clock.frozen(D(2026, 12, 2)):
        services.sweep()
    assert Violation.objects.get(case=third_case).window_id is None


def test_window_card_sequence_apart_from_the_officers(world, accept):
    window = world.window_1
    found = [_violation(world, accept) for _ in range(4)]
    assert queries.card(WINDOW, window.pk) == "none"
    with pytest.raises(Conflict):
        services.clear_card(WINDOW, window, reason="无", by=world.supervisor)
    _uphold(world, found[0], D(2026, 12, 7))
    assert queries.card(WINDOW, window.pk) == "yellow"
    _uphold(world, found[1], D(2026, 12, 8))
    assert queries.card(WINDOW, window.pk) == "red"
    with clock.frozen(D(2026, 12, 9)):
        services.clear_card(WINDOW, window, reason="窗口已整改", by=world.supervisor)
    assert queries.card(WINDOW, window.pk) == "none"
    assert queries.card_events(WINDOW, window.pk) == ["upheld", "upheld", "cleared"]
    # The clearance was the window's: the officer's card (if any) is not cleared by it.
    officer = found[0].officer_id
    if officer is not None:
        assert queries.card_events(OFFICER, officer) == ["upheld", "upheld"]
    _uphold(world, found[2], D(2026, 12, 10))
    _uphold(world, found[3], D(2026, 12, 11))
    assert queries.card(WINDOW, window.pk) == "red"
    assert queries.card(WINDOW, world.window_a.pk) == "none"  # another window: nothing
    assert CardClearance.objects.get().officer_id is None


def test_the_cards_page_lists_windows_clears_and_reports(world, accept):
    found = [_violation(world, accept) for _ in range(3)]
    client = client_for(world.supervisor)
    url = f"/staff/supervision/cards/windows/{world.window_1.pk}/"
    for i, v in enumerate(found):
        _uphold(world, v, D(2026, 12, 7 + i))
    listing = client.get("/staff/supervision/cards/").content.decode()
    assert 'data-testid="carded-window"' in listing and "01号窗口" in listing
    page = client.get(url).content.decode()
    assert "报告市政府" in page and "report.pdf" in page
    response = client.get(url + "report.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    with clock.frozen(D(2026, 12, 10)):
        client.post(url, {"reason": "已整改"})
    assert queries.card(WINDOW, world.window_1.pk) == "none"
    assert client.get(url + "report.pdf").status_code == 400  # no longer reported
    assert client.get(f"/staff/supervision/cards/windows/{world.window_a.pk}/").status_code == 404
    assert client_for(world.clerk).get(url).status_code == 403
