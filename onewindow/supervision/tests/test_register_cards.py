"""Cards from the register: an officer's upheld violations and clearances, in time order, through
supervision.cards; 销牌 only with an open card; the report to the city government (PDF) only
after the third."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import services as cases
from onewindow.conftest import client_for
from onewindow.errors import Conflict, DomainError
from onewindow.supervision import queries, services
from onewindow.supervision.holders import OFFICER
from onewindow.supervision.models import Violation

pytestmark = pytest.mark.django_db
D = dt.date


def _violation(world, accept, day):
    """A case accepted `day`, handled by reviewer_a, overdue and swept: its violation."""
    case = accept(day)
    with clock.frozen(day + dt.timedelta(days=1)):
        cases.review(case, by=world.reviewer_a, opinion="符合条件")
    with clock.frozen(day + dt.timedelta(days=30)):
        services.sweep()
    return Violation.objects.get(case=case)


def _uphold(world, violation, day):
    with clock.frozen(day):
        services.decide(violation, to="upheld", reason="超期", by=world.supervisor)


def test_yellow_red_reported_and_cleared(world, accept):
    officer = world.reviewer_a
    found = [_violation(world, accept, D(2026, 11, 2)) for _ in range(4)]
    assert queries.card(OFFICER, officer.pk) == "none"  # open violations count for nothing yet
    with pytest.raises(Conflict):
        services.clear_card(OFFICER, officer, reason="无", by=world.supervisor)
    _uphold(world, found[0], D(2026, 12, 7))
    assert queries.card(OFFICER, officer.pk) == "yellow"
    _uphold(world, found[1], D(2026, 12, 8))
    assert queries.card(OFFICER, officer.pk) == "red"
    with clock.frozen(D(2026, 12, 9)):
        with pytest.raises(DomainError):
            services.clear_card(OFFICER, officer, reason=" ", by=world.supervisor)
        services.clear_card(OFFICER, officer, reason="已整改并通过考核", by=world.supervisor)
    assert queries.card(OFFICER, officer.pk) == "none"
    _uphold(world, found[2], D(2026, 12, 10))
    assert queries.card(OFFICER, officer.pk) == "yellow"  # counted again from the clearance
    services.decide(found[3], to="dismissed", reason="系统故障", by=world.supervisor)
    assert queries.card(OFFICER, officer.pk) == "yellow"  # a dismissed violation is no card


def test_the_third_upheld_is_reported_with_a_pdf(world, accept):
    found = [_violation(world, accept, D(2026, 11, 2)) for _ in range(3)]
    client = client_for(world.supervisor)
    url = f"/staff/supervision/cards/{world.reviewer_a.pk}/"
    for i, v in enumerate(found[:2]):
        _uphold(world, v, D(2026, 12, 7 + i))
    assert client.get(url + "report.pdf").status_code == 400
    assert "报告市政府（PDF）" not in client.get(url).content.decode()
    _uphold(world, found[2], D(2026, 12, 9))
    page = client.get(url).content.decode()
    assert "报告市政府" in page and "report.pdf" in page
    assert "罗布" in client.get("/staff/supervision/cards/").content.decode()
    response = client.get(url + "report.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_the_officer_page_clears_a_card(world, accept):
    v = _violation(world, accept, D(2026, 11, 2))
    _uphold(world, v, D(2026, 12, 7))
    client = client_for(world.supervisor)
    url = f"/staff/supervision/cards/{world.reviewer_a.pk}/"
    assert 'data-testid="clear"' in client.get(url).content.decode()
    with clock.frozen(D(2026, 12, 8)):
        client.post(url, {"reason": "已整改"})
    assert queries.card(OFFICER, world.reviewer_a.pk) == "none"
    assert 'data-testid="clear"' not in client.get(url).content.decode()


def test_an_officer_without_violations_here_is_not_found(world):
    assert client_for(world.supervisor).get(f"/staff/supervision/cards/{world.clerk.pk}/").status_code == 404
