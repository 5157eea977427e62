"""The post the applicant chose online (不见面审批, issue 15 item 3) is read at 制证 and 送达: the
desk shows it (the recipient's phone masked), preselects it, and the post is recorded with the
courier and the tracking number only — the hall never asks for the address again."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import delivery_choice
from onewindow.errors import DomainError
from onewindow.licenses import services
from onewindow.licenses.models import Delivery
from onewindow.payments.tests.fixtures import DECIDED, decided

pytestmark = pytest.mark.django_db
ADDRESS = "德州市德城区东风中路1号"


@pytest.fixture
def case(world, free):
    case = decided(world, free)
    choice = delivery_choice.check(
        free.current, method="post", recipient="艾丽", phone="13912345678", address=ADDRESS
    )
    delivery_choice.record(case, choice)
    return case


def test_the_desk_shows_the_choice_masked_and_preselected(world, case, as_user):
    page = as_user(world.reviewer_a).get(f"/staff/licenses/cases/{case.number}/").content.decode()
    assert "申请人选择" in page and "139****5678" in page and "13912345678" not in page and ADDRESS in page
    assert '<option value="post" selected>' in page


def test_the_post_is_recorded_with_the_tracking_number_only(world, case, as_user):
    with clock.frozen(DECIDED + dt.timedelta(days=1)):
        services.issue_license(case, by=world.reviewer_a, delivery="post")
        desk = as_user(world.clerk)
        page = desk.get(f"/staff/licenses/cases/{case.number}/").content.decode()
        assert "寄往申请人填写的地址" in page and 'name="address"' not in page
        answer = desk.post(f"/staff/licenses/cases/{case.number}/deliver/",
                           {"method": "post", "courier": "中国邮政EMS", "tracking_number": "1180000000001"})  # fmt: skip
    assert answer.status_code == 302, answer.content.decode()
    delivery = Delivery.objects.get(case=case)
    assert (delivery.method, delivery.address, delivery.tracking_number) == (
        "post", f"{ADDRESS}（艾丽 收）", "1180000000001")  # fmt: skip


def test_without_a_choice_the_post_still_needs_an_address(world, free):
    case = decided(world, free)
    with clock.frozen(DECIDED + dt.timedelta(days=1)):
        services.issue_license(case, by=world.reviewer_a, delivery="post")
        with pytest.raises(DomainError) as refused:
            services.deliver_license(case, by=world.clerk, method="post", courier="EMS", tracking_number="1")
    assert refused.value.code == "case.delivery_post_details"
