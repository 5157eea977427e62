"""Issue 13 rule 8 (e), 否决报备 (Shan county): a refusal or a denial of a project's case is filed
to hall management with its legal basis, and recorded, before its notice goes out."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, Channel, Outcome, VetoFiling
from onewindow.documents import notices
from onewindow.documents.tests.pdfs import text_of
from onewindow.errors import DomainError, NotFound
from onewindow.notify.models import Event, Message
from onewindow.personas import FOOD_PERMIT, published_item

pytestmark = pytest.mark.django_db
MONDAY = dt.date(2026, 11, 2)
PROJECT = "2026-371400-47-01-000001"
BASIS = "《中华人民共和国城乡规划法》第四十条：建设项目不符合控制性详细规划的，不予核发建设工程规划许可证"
# Two materials the applicant hands in, none fetched by sharing: intake needs no shared license.
MATERIALS = [m for m in FOOD_PERMIT["materials"] if m["source"] == "applicant"]


@pytest.fixture
def permit(world):
    return published_item(world, code="T-JSGH-0001", name="建设工程规划许可证核发", materials=MATERIALS,
                          license_type="建设工程规划许可证")  # fmt: skip


@pytest.fixture
def submitted(world, permit):
    def make(project_code=PROJECT):
        version = permit.current
        with clock.frozen(MONDAY):
            return services.submit(version=version, applicant=world.alice_applicant, hall=world.hall,
                                   channel=Channel.WINDOW, by=world.clerk, project_code=project_code,
                                   handed_in=[m.pk for m in version.materials.all()])  # fmt: skip

    return make


def _refuse(world, case, **extra):
    with clock.frozen(MONDAY):
        return services.refuse(case, by=world.clerk, reason="项目用地不符合控制性详细规划",
                               where_to_turn="德州市自然资源和规划局", **extra)  # fmt: skip


def test_a_project_case_is_refused_only_with_its_legal_basis_filed_first(world, submitted):
    case = submitted()
    # when the clerk refuses the project's case without a legal basis, nothing changes
    with pytest.raises(DomainError) as refused:
        _refuse(world, case)
    assert refused.value.code == "case.veto_legal_basis_required"
    assert Case.objects.get(pk=case.pk).status == "submitted"
    assert not VetoFiling.objects.exists() and not Message.objects.filter(event=Event.REFUSED).exists()
    # with it: the refusal is filed to hall management, with the basis, before the notice
    _refuse(world, case, legal_basis=BASIS)
    filing = VetoFiling.objects.get(case=case)
    assert (filing.kind, filing.legal_basis, filing.project_code) == ("refusal", BASIS, PROJECT)
    assert (filing.hall_id, filing.department_id, filing.filed_by) == (
        world.hall.pk,
        world.dept_a.pk,
        world.clerk,
    )
    event = CaseEvent.objects.get(case=case, action="refuse")
    assert filing.pk and filing.filed_at <= event.at and event.payload["legal_basis"] == BASIS
    # and the notice (and the SMS, queued with the event) says the legal basis
    text = text_of(notices.render(notices.case_for(case.number), "refusal"))
    assert "法律依据：《中华人民共和国城乡规划法》第四十条" in text
    assert (
        Message.objects.filter(subject_kind="case", subject_key=case.number, event=Event.REFUSED).count() == 1
    )


def test_a_refusal_notice_of_a_project_case_is_not_given_without_its_filing(world, submitted):
    case = submitted()
    _refuse(world, case, legal_basis=BASIS)
    VetoFiling.objects.filter(case=case).delete()  # as a case refused before the rule existed
    found = notices.case_for(case.number)
    assert [n.kind.code for n in notices.issued(found)] == []
    with pytest.raises(NotFound):
        notices.issued_one(found, "refusal")


def test_a_denial_of_a_project_case_is_filed_with_its_legal_basis(world, submitted):
    case = submitted()
    with clock.frozen(MONDAY):
        services.accept(case, by=world.clerk)
        services.review(case, by=world.reviewer_a, opinion="不符合规划条件")
        with pytest.raises(DomainError) as refused:
            services.decide(case, by=world.head_a, approve=False, reason="建筑高度超出规划条件")
        assert refused.value.code == "case.veto_legal_basis_required"
        assert Case.objects.get(pk=case.pk).status == "in_review"
        services.decide(
            case, by=world.head_a, approve=False, reason="建筑高度超出规划条件", legal_basis=BASIS
        )
    filing = VetoFiling.objects.get(case=case)
    assert (filing.kind, filing.reason, filing.legal_basis) == ("denial", "建筑高度超出规划条件", BASIS)
    assert Case.objects.get(pk=case.pk).outcome == Outcome.DENIED
    text = text_of(notices.render(notices.case_for(case.number), "decision"))
    assert "不予行政许可决定书" in text and "法律依据：《中华人民共和国城乡规划法》" in text


def test_an_approval_and_a_case_outside_any_project_file_nothing(world, submitted):
    approved = submitted()
    with clock.frozen(MONDAY):
        services.accept(approved, by=world.clerk)
        services.review(approved, by=world.reviewer_a, opinion="符合条件")
        services.decide(approved, by=world.head_a, approve=True)
    _refuse(world, submitted(project_code=""))  # no legal basis needed
    assert not VetoFiling.objects.exists()


def test_hall_supervisors_read_the_filings_and_others_do_not(world, submitted, as_user):
    case = submitted()
    _refuse(world, case, legal_basis=BASIS)
    page = as_user(world.supervisor).get("/staff/veto-filings/")
    assert page.status_code == 200
    body = page.content.decode()
    assert case.number in body and PROJECT in body and BASIS in body and "不予受理" in body
    assert as_user(world.clerk).get("/staff/veto-filings/").status_code == 403
    assert "否决报备" in as_user(world.supervisor).get("/staff/").content.decode()


def test_the_case_page_asks_the_legal_basis_of_a_project_case(world, submitted, as_user):
    case = submitted()
    page = as_user(world.clerk).post(f"/staff/cases/{case.number}/refuse/", {
        "reason": "项目用地不符合控制性详细规划", "where_to_turn": "德州市自然资源和规划局"})  # fmt: skip
    assert page.status_code == 400 and "法律依据" in page.content.decode()
    with clock.frozen(MONDAY):
        done = as_user(world.clerk).post(f"/staff/cases/{case.number}/refuse/", {
            "reason": "项目用地不符合控制性详细规划", "where_to_turn": "德州市自然资源和规划局", "legal_basis": BASIS})  # fmt: skip
    assert done.status_code == 302 and VetoFiling.objects.filter(case=case).exists()
