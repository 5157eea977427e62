"""The pages: the paused light wherever the case light is shown (the issue's bug: 特别程序 showed
「绿灯 · 正常」), the supervisor's list across departments, the register and its decisions."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import services as cases
from onewindow.conftest import client_for
from onewindow.supervision import services
from onewindow.supervision.models import Violation

pytestmark = pytest.mark.django_db
D = dt.date


def _suspended(world, accept):
    case = accept(D(2026, 11, 2))
    with clock.frozen(D(2026, 11, 6)):  # yellow when 特别程序 starts
        return cases.suspend(case, by=world.reviewer_a, kind="expert_review", reason="专家评审")


@pytest.mark.parametrize("page", ["inbox", "case", "supervision"])
def test_a_suspended_case_shows_paused_with_the_light_it_keeps(world, accept, page):
    case = _suspended(world, accept)
    url, user = {"inbox": ("/staff/inbox/", world.reviewer_a), "case": (f"/staff/cases/{case.number}/", world.reviewer_a),
                 "supervision": ("/staff/supervision/?light=all", world.supervisor)}[page]  # fmt: skip
    with clock.frozen(D(2026, 11, 20)):
        html = client_for(user).get(url).content.decode()
    assert "暂停 · 黄灯" in html
    assert "绿灯 · 正常" not in html and "黄灯 · 临近期限" not in html
    assert "计时暂停，恢复后顺延" in html


def _overdue(world, accept):
    case = accept(D(2026, 11, 2))
    with clock.frozen(D(2026, 11, 4)):  # the reviewer handles it: the violation counts against them
        case = cases.review(case, by=world.reviewer_a, opinion="符合条件")
    with clock.frozen(D(2026, 11, 10)):
        services.sweep()
    return case, Violation.objects.get(case=case)


def test_the_supervisor_sees_the_overdue_cases_of_every_department(world, accept):
    case, _ = _overdue(world, accept)
    with clock.frozen(D(2026, 11, 10)):
        html = client_for(world.supervisor).get("/staff/supervision/").content.decode()
        assert case.number in html and "红灯 · 已超期" in html and world.dept_a.name in html
        other = client_for(world.supervisor).get(f"/staff/supervision/?department={world.dept_b.pk}")
        assert case.number not in other.content.decode()


def test_only_hall_management_sees_supervision(world, accept):
    for user in (world.reviewer_a, world.head_a, world.clerk):
        assert client_for(user).get("/staff/supervision/violations/").status_code == 403
    for user in (world.reviewer_a, world.clerk):
        assert client_for(user).get("/staff/supervision/").status_code == 403
    # A department head watches their own department's lights (issue 16 item 1), nothing more.
    assert client_for(world.head_a).get("/staff/supervision/").status_code == 200


def test_the_supervisor_decides_a_violation_with_a_reason(world, accept):
    case, violation = _overdue(world, accept)
    client = client_for(world.supervisor)
    listing = client.get("/staff/supervision/violations/?status=open").content.decode()
    assert case.number in listing and "超期办理" in listing
    url = f"/staff/supervision/violations/{violation.pk}/"
    page = client.get(url).content.decode()
    assert f"#event-{violation.event_seq}" in page and 'value="upheld"' in page
    refused = client.post(url, {"to": "upheld", "reason": " "}, follow=True).content.decode()
    assert "请写明认定理由" in refused
    violation.refresh_from_db()
    assert violation.status == "open"
    with clock.frozen(D(2026, 11, 11)):
        client.post(url, {"to": "upheld", "reason": "无正当理由超期"})
    violation.refresh_from_db()
    assert (violation.status, violation.decided_by, violation.decision_reason) == (
        "upheld", world.supervisor, "无正当理由超期")  # fmt: skip
    after = client.get(url).content.decode()
    assert 'value="dismissed"' not in after  # decided: nothing more is offered (DECISIONS)
    assert violation.officer == world.reviewer_a
    assert "黄牌" in after  # the officer's first upheld violation


def test_a_decision_not_offered_is_refused_and_a_stale_one_conflicts(world, accept):
    from onewindow.errors import Conflict, DomainError

    _, violation = _overdue(world, accept)
    stale = Violation.objects.get(pk=violation.pk)
    services.decide(violation, to="dismissed", reason="系统故障导致", by=world.supervisor)
    with pytest.raises(Conflict):
        services.decide(stale, to="upheld", reason="认定", by=world.supervisor)
    fresh = Violation.objects.get(pk=violation.pk)
    with pytest.raises(DomainError) as refused:
        services.decide(fresh, to="upheld", reason="认定", by=world.supervisor)
    assert refused.value.code == "supervision.decision_not_allowed"
