"""The contract page: the owner, the selected agency and hall management see it (anyone else a
404, as if it did not exist); each sees the deadline with its light; the buttons are the ones
allowed_actions gives, and a refused step shows the page again with its message."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.market import contracts
from onewindow.market.models import Evaluation, Purchase
from onewindow.market.tests import contracting
from onewindow.market.tests.contracting import at, on

selected = contracting.selected  # the fixture
pytestmark = pytest.mark.django_db
D = dt.date


def url(purchase, action: str = "") -> str:
    return f"/market/purchases/{purchase.number}/contract/" + (f"{action}/" if action else "")


def test_who_sees_the_contract_page(world, market, new_agency, selected, as_user):
    agency, other = new_agency(1), new_agency(2)
    purchase = selected(agency)
    with clock.frozen(at(D(2026, 10, 12))):
        for user in (market.owner, agency.user, world.supervisor, world.hall_admin):
            assert as_user(user).get(url(purchase)).status_code == 200, user
        for user in (other.user, world.alice, world.clerk, world.head_a):
            assert as_user(user).get(url(purchase)).status_code == 404, user
        assert as_user(None).get(url(purchase)).status_code == 302  # to the login
        assert as_user(other.user).post(url(purchase, "sign")).status_code == 404
    # a purchase still on the board has no contract page
    posted = Purchase.objects.filter(pk=purchase.pk)
    posted.update(status=Purchase.Status.POSTED)
    assert as_user(market.owner).get(url(purchase)).status_code == 404


def test_the_owner_and_the_agency_walk_the_contract_on_the_page(world, market, new_agency, selected, as_user):
    agency = new_agency(1)
    purchase = selected(agency, offer_days=5)
    owner, office = as_user(market.owner), as_user(agency.user)
    with clock.frozen(at(D(2026, 9, 30))):
        page = office.get(url(purchase)).content.decode()
        assert 'data-testid="form-sign"' not in page  # the agency does not sign
        assert 'data-testid="form-sign"' in owner.get(url(purchase)).content.decode()
        assert owner.post(url(purchase, "sign")).status_code == 302
    with clock.frozen(at(D(2026, 10, 14))):
        page = office.get(url(purchase)).content.decode()
        assert "2026-10-13" in page and "红灯" in page and "已超期1个工作日" in page
        refused = office.post(url(purchase, "deliver"), {"note": " "})
        assert refused.status_code == 400 and "请填写交付说明" in refused.content.decode()
        assert office.post(url(purchase, "deliver"), {"note": "地形图成果"}).status_code == 302
        assert "逾期交付" in owner.get(url(purchase)).content.decode()
        assert office.post(url(purchase, "accept")).status_code == 403  # the owner's step
        assert owner.post(url(purchase, "accept")).status_code == 302
        assert owner.post(url(purchase, "evaluate"), {"quality": "4", "timeliness": "2", "conduct": "5",
                                                      "comment": "质量可以，交付晚了一天。"}).status_code == 302  # fmt: skip
        assert (
            owner.post(
                url(purchase, "evaluate"), {"quality": "4", "timeliness": "2", "conduct": "5"}
            ).status_code
            == 409
        )
        assert owner.post(url(purchase, "nonsense")).status_code == 404
        page = office.get(url(purchase)).content.decode()
    assert "质量可以，交付晚了一天。" in page and 'data-testid="form-evaluate"' in page
    assert Evaluation.objects.get().timeliness == 2
    assert on(D(2026, 10, 15), contracts.allowed_actions, Purchase.objects.get(), agency.user) == ["evaluate"]
