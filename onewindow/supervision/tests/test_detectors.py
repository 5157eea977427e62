"""Issue 16 item 1: violations also from a decision without the item's steps, a fee not in the
item's fee list, a case touched outside the hall's system (imported records marked so) and
silent consent — each found by the periodic job, once, with its evidence."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases.models import Case, CaseEvent, CaseStep
from onewindow.conftest import client_for
from onewindow.ops import periodic
from onewindow.payments.models import NoticeState, PaymentNotice
from onewindow.payments.tests.fixtures import DECIDED, decided
from onewindow.projects import jobs as project_jobs
from onewindow.projects import services as projects
from onewindow.projects.models import SilentConsent
from onewindow.projects.tests.conftest import MONDAY, register
from onewindow.supervision import detectors, imports
from onewindow.supervision.models import Violation

pytestmark = pytest.mark.django_db
D = dt.date
NEXT_DAY = D(2026, 11, 3)  # the day after DECIDED: the job runs


def _detect(day=NEXT_DAY, **kwargs):
    with clock.frozen(day):
        return detectors.detect(**kwargs)


def _only(kind):
    return Violation.objects.filter(kind=kind)


def _decision_seq(case):
    return CaseEvent.objects.get(case=case, action="decide").seq


# ---- 未按流程办理 ---------------------------------------------------------------------------


def test_a_case_decided_through_its_steps_is_no_violation(world, charged):
    decided(world, charged)
    assert _detect() == 0
    assert not Violation.objects.exists()


@pytest.mark.parametrize("bypass", ["left_open", "completed_after", "never_created"])
def test_a_decision_without_the_review_step_is_out_of_process_once(world, charged, bypass):
    case = decided(world, charged)
    review = CaseStep.objects.filter(case=case, kind=CaseStep.Kind.REVIEW)
    if bypass == "left_open":  # data that bypassed cases.permits (which refuses the decision)
        review.update(done_at=None, done_by=None)
    elif bypass == "completed_after":  # the review filled in only after the decision
        review.update(done_at=Case.objects.get(pk=case.pk).decided_at + dt.timedelta(hours=2))
    else:
        CaseStep.objects.filter(case=case).delete()
    assert _detect() == 1
    assert _detect() == 0  # the job runs again: nothing twice
    v = _only("out_of_process").get()
    assert (v.case_id, v.event_seq, v.department_id, v.officer_id, v.status) == (
        case.pk, _decision_seq(case), world.dept_a.pk, world.head_a.pk, "open")  # fmt: skip
    assert ("审核" in v.detail) if bypass != "never_created" else ("未在办件中建立" in v.detail)
    assert v.found_on == NEXT_DAY


def test_only_recent_decisions_are_looked_at_unless_asked_for_all(world, charged):
    case = decided(world, charged)
    CaseStep.objects.filter(case=case, kind=CaseStep.Kind.REVIEW).update(done_at=None)
    later = DECIDED + detectors.LOOKBACK + dt.timedelta(days=1)
    assert _detect(later) == 0
    assert _detect(later, everything=True) == 1


# ---- 违规收费 -------------------------------------------------------------------------------


def test_a_notice_as_the_item_lists_it_is_no_violation(world, charged):
    case = decided(world, charged)
    notice = PaymentNotice.objects.get(case=case)
    assert (notice.amount_fen, notice.basis) == (4000, charged.current.fee_basis)
    assert _detect() == 0


def test_a_notice_of_another_amount_is_an_irregular_fee_once(world, charged):
    case = decided(world, charged)
    PaymentNotice.objects.filter(case=case).update(amount_fen=6000)  # bypassed payments' service
    assert _detect() == 1
    assert _detect() == 0
    v = _only("irregular_fee").get()
    notice = PaymentNotice.objects.get(case=case)
    assert (v.case_id, v.notice_id, v.department_id, v.officer_id) == (case.pk, notice.pk, world.dept_a.pk,
                                                                        notice.issued_by_id)  # fmt: skip
    assert "60.00元" in v.detail and "40.00元" in v.detail and notice.number in v.detail


def test_a_notice_on_another_basis_is_an_irregular_fee(world, charged):
    case = decided(world, charged)
    PaymentNotice.objects.filter(case=case).update(basis="办证服务费")
    assert _detect() == 1
    assert "办证服务费" in _only("irregular_fee").get().detail


def test_a_wrong_notice_cancelled_is_no_violation(world, charged):
    case = decided(world, charged)
    PaymentNotice.objects.filter(case=case).update(amount_fen=6000, state=NoticeState.CANCELLED)
    assert _detect() == 0


# ---- 体外循环 (and decisions recorded outside) ---------------------------------------------


def _records(case, *rows):
    """(line, row) as imports.parse gives them: (record_id, action, at, in_hall)."""
    return [
        (i, {"record_id": rid, "case_number": case.number, "action": action, "at": at, "actor": "王五",
             "in_hall_system": in_hall})
        for i, (rid, action, at, in_hall) in enumerate(rows, start=2)
    ]  # fmt: skip


def test_a_record_marked_outside_the_hall_system_is_a_violation_with_its_audit_event(world, charged):
    case = decided(world, charged)
    rows = _records(case, ("R1", "受理", "2026-11-02 09:10", "是"), ("R2", "审查", "2026-11-02 10:00", "否"))
    with clock.frozen(NEXT_DAY):
        result = imports.import_records(world.dept_a, rows)
    assert (result.imported, result.skipped, result.outside) == (2, 0, 1)
    events = list(CaseEvent.objects.filter(case=case, action="external_record").order_by("seq"))
    assert [e.payload["record_id"] for e in events] == ["R1", "R2"]
    assert "未在大厅系统内办理" in events[1].reason and events[1].to_status == "closed"
    assert _detect() == 1
    assert _detect() == 0
    v = _only("outside_system").get()
    assert (v.case_id, v.event_seq, v.department_id) == (case.pk, events[1].seq, world.dept_a.pk)


def test_a_decision_recorded_outside_while_the_review_is_open_is_out_of_process(world, accept):
    case = accept(D(2026, 11, 2))  # in review, its review step open
    with clock.frozen(NEXT_DAY):
        imports.import_records(world.dept_a, _records(case, ("R9", "决定", "2026-11-03 08:00", "否")))
    assert _detect() == 2  # 体外循环 and 未按流程办理, the same record their evidence
    seq = CaseEvent.objects.get(case=case, action="external_record").seq
    assert {(v.kind, v.event_seq) for v in Violation.objects.all()} == {
        ("outside_system", seq),
        ("out_of_process", seq),
    }
    assert Case.objects.get(pk=case.pk).status == "in_review"  # the import changes nothing of the case


def test_no_outside_record_no_violation(world, charged):
    case = decided(world, charged)
    with clock.frozen(NEXT_DAY):
        imports.import_records(world.dept_a, _records(case, ("R1", "决定", "2026-11-02 15:00", "是")))
    assert _detect() == 0


# ---- 超时默认 -------------------------------------------------------------------------------


def test_each_silent_consent_is_a_violation_against_its_department_once(world, cast):
    with clock.frozen(MONDAY):
        project = register(world, cast)
        projects.accept_stage(project, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
    with clock.frozen(D(2026, 11, 6)):  # B's and D's 3-day limits ended on Thursday
        assert project_jobs.apply_silent_consent() == 2
    assert _detect(D(2026, 11, 6)) == 2
    assert _detect(D(2026, 11, 9)) == 0
    consents = {c.pk: c for c in SilentConsent.objects.all()}
    found = list(_only("silent_consent"))
    assert {v.silent_consent_id for v in found} == set(consents)
    for v in found:
        assert (v.case_id, v.project_id, v.department_id) == (
            None,
            project.pk,
            consents[v.silent_consent_id].department_id,
        )
        assert "超时默认" in v.detail and v.officer_id is None


# ---- the job and the register ----------------------------------------------------------------


def test_the_periodic_job_list_runs_the_detectors(world, charged):
    case = decided(world, charged)
    PaymentNotice.objects.filter(case=case).update(amount_fen=1)
    with clock.frozen(NEXT_DAY):
        assert periodic.run_jobs()["violations"] == 1
        assert periodic.run_jobs()["violations"] == 0
        assert "电子监察违规发现：0 条" in periodic.summary(periodic.run_jobs())


def test_the_register_shows_each_kind_and_its_evidence_links(world, charged, cast):
    case = decided(world, charged)
    notice = PaymentNotice.objects.get(case=case)
    PaymentNotice.objects.filter(pk=notice.pk).update(amount_fen=5000)
    CaseStep.objects.filter(case=case, kind=CaseStep.Kind.REVIEW).update(done_at=None)
    with clock.frozen(NEXT_DAY):
        imports.import_records(world.dept_a, _records(case, ("R2", "审查", "2026-11-02 10:00", "否")))
    with clock.frozen(MONDAY):
        project = register(world, cast)
        projects.accept_stage(project, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
    with clock.frozen(D(2026, 11, 6)):
        project_jobs.apply_silent_consent()
        detectors.detect()
        html = client_for(world.supervisor).get("/staff/supervision/violations/").content.decode()
    for label in ("未按流程办理", "违规收费", "体外循环", "超时默认"):
        assert label in html
    outside = CaseEvent.objects.get(case=case, action="external_record").seq
    assert f"/staff/cases/{case.number}/#event-{_decision_seq(case)}" in html
    assert f"/staff/cases/{case.number}/#event-{outside}" in html
    assert f"/staff/payments/{notice.number}/" in html
    assert (
        f"/projects/{project.code}/" in html
        and f"/staff/projects/silent-consents/{world.dept_b.code}/" in html
    )
    for v in Violation.objects.all():
        with clock.frozen(D(2026, 11, 6)):
            page = client_for(world.supervisor).get(f"/staff/supervision/violations/{v.pk}/")
        assert page.status_code == 200 and v.get_kind_display() in page.content.decode()
        assert v.detail in page.content.decode()
    supervisor = client_for(world.supervisor)
    for link in (f"/staff/cases/{case.number}/", f"/staff/payments/{notice.number}/", f"/projects/{project.code}/",
                 f"/staff/projects/silent-consents/{world.dept_b.code}/"):  # fmt: skip
        with clock.frozen(D(2026, 11, 6)):
            assert supervisor.get(link).status_code == 200, link  # the evidence opens for the supervisor
    filtered = (
        client_for(world.supervisor)
        .get("/staff/supervision/violations/?kind=silent_consent")
        .content.decode()
    )
    assert "超时默认" in filtered and case.number not in filtered


def test_each_case_violation_names_the_window_the_case_was_answered_at(world, charged):
    """RULES.md "Supervision": cards count per window too, so every kind names the case's 受理窗口."""
    case = decided(world, charged)
    assert case.window_id == world.window_1.pk  # the clerk accepted at window 01
    PaymentNotice.objects.filter(case=case).update(amount_fen=6000)
    CaseStep.objects.filter(case=case).exclude(kind=CaseStep.Kind.AFTER).update(done_at=None)
    rows = _records(case, ("R9", "审查", "2026-11-02 10:00", "否"))
    with clock.frozen(NEXT_DAY):
        imports.import_records(world.dept_a, rows)
    assert _detect(everything=True) == 3
    kinds = dict(Violation.objects.filter(case=case).values_list("kind", "window_id"))
    assert kinds == {k: world.window_1.pk for k in ("irregular_fee", "out_of_process", "outside_system")}
