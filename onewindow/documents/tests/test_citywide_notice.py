"""同城通办 on paper (issue 15 item 5): a notice of a case received at one hall and decided by a
department of another names both — the 收件单位 and the 办理单位 with its hall; a case received
where it is decided names only its 办理部门, as before."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.cases import services
from onewindow.cases.models import Channel
from onewindow.documents import notices
from onewindow.documents.tests.pdfs import text_of
from onewindow.personas import all_required, new_staff

pytestmark = pytest.mark.django_db


def _accepted_at(world, food, hall, clerk):
    version = food.current
    with clock.frozen(dt.date(2026, 9, 30)):
        case = services.submit(version=version, applicant=world.alice_applicant, hall=hall, channel=Channel.WINDOW,
                               by=clerk, handed_in=all_required(version))  # fmt: skip
        return services.accept(case, by=clerk)


def test_a_notice_of_a_case_received_elsewhere_names_both_halls(world, food):
    clerk = new_staff("clerk_dc", "邓城", Role.CLERK, world.other_hall)
    case = _accepted_at(world, food, world.other_hall, clerk)
    text = text_of(notices.render(notices.case_for(case.number), "acceptance"))
    assert "收件单位：测试区政务服务中心（同城通办·异地收件）" in text
    assert "办理单位：测试市场监管局（测试市政务服务中心）" in text
    assert "办理单位所在中心：测试市政务服务中心" in text


def test_a_notice_of_a_case_received_where_it_is_decided_names_one(world, food):
    case = _accepted_at(world, food, world.hall, world.clerk)
    text = text_of(notices.render(notices.case_for(case.number), "acceptance"))
    assert "办理部门：测试市场监管局" in text and "受理中心：测试市政务服务中心" in text
    assert "收件单位" not in text and "同城通办" not in text
