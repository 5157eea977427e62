"""Issue 13 rule 8 (c), 告知承诺: a commitment approval owes a check (核查) within a configurable
period of working days; its result is recorded (passed, or failed with the reason), and a failure
revokes the approval — and the license issued for it — with that reason."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import services as cases
from onewindow.cases.models import Case, CaseEvent, Channel, CommitmentCheck, Outcome
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.licenses import services
from onewindow.licenses.models import License
from onewindow.personas import FOOD_PERMIT, published_item

pytestmark = pytest.mark.django_db
D = dt.date
APPROVED = D(2026, 9, 28)  # a Monday before the National Day holiday (10-01 … 10-07; 10-10 worked)
MATERIALS = [m for m in FOOD_PERMIT["materials"] if m["source"] == "applicant"]
UNTRUE = "现场核查：经营场所面积不足承诺的60平方米，承诺不实"


@pytest.fixture
def item(world):
    return published_item(world, code="T-GGWS-0001", name="公共场所卫生许可", commitment_approval=True,
                          materials=MATERIALS, license_type="公共场所卫生许可证")  # fmt: skip


@pytest.fixture
def approved(world, item):
    def make():
        version = item.current
        with clock.frozen(APPROVED):
            case = cases.submit(version=version, applicant=world.alice_applicant, hall=world.hall,
                                channel=Channel.WINDOW, by=world.clerk,
                                handed_in=[m.pk for m in version.materials.all()])  # fmt: skip
            return cases.approve_by_commitment(
                case, by=world.clerk, commitment="本人承诺经营场所符合卫生要求"
            )

    return make


def test_the_check_is_due_in_working_days_and_a_failure_revokes_approval_and_license(
    world, approved, as_user
):
    # given a commitment approval on Mon 2026-09-28 and its license issued the next day
    case = approved()
    check = CommitmentCheck.objects.get(case=case)
    # then the check is due 20 working days later: the holiday not counted, Sat 10-10 counted
    assert (check.days, check.due_on, check.result) == (20, D(2026, 10, 30), "pending")
    assert (
        CaseEvent.objects.get(case=case, action="approve_by_commitment").payload["check_due_on"]
        == "2026-10-30"
    )
    with clock.frozen(D(2026, 9, 29)):
        license = services.issue_license(case, by=world.reviewer_a)
    # and the department sees it due: yellow on 10-29 (1 working day left), red (overdue) from Mon 11-02
    with clock.frozen(D(2026, 10, 29)):
        page = as_user(world.reviewer_a).get("/staff/commitment-checks/").content.decode()
    assert case.number in page and "2026-10-30" in page and "黄灯" in page and "已逾期" not in page
    with clock.frozen(D(2026, 11, 2)):
        page = as_user(world.reviewer_a).get("/staff/commitment-checks/").content.decode()
    assert "红灯" in page and "已逾期 1 件" in page
    # when the check finds the commitment untrue: only the head revokes, and only with a reason
    with clock.frozen(D(2026, 11, 3)):
        with pytest.raises(Forbidden):
            services.record_commitment_check(case, by=world.reviewer_a, passed=False, reason=UNTRUE)
        with pytest.raises(DomainError) as no_reason:
            services.record_commitment_check(case, by=world.head_a, passed=False, reason=" ")
        assert no_reason.value.code == "case.commitment_check_reason"
        services.record_commitment_check(case, by=world.head_a, passed=False, reason=UNTRUE)
    # then the approval is revoked with the reason, on the case and in its audit trail …
    check.refresh_from_db()
    assert (check.result, check.reason, check.checked_by) == ("failed", UNTRUE, world.head_a)
    assert Case.objects.get(pk=case.pk).outcome == Outcome.REVOKED
    event = CaseEvent.objects.get(case=case, action="revoke_commitment")
    assert event.reason == UNTRUE and event.payload == {
        "result": "failed",
        "due_on": "2026-10-30",
        "on_time": False,
    }
    # … and so is the license issued for it
    license = License.objects.get(pk=license.pk)
    assert license.revoked_at is not None and UNTRUE in license.revoke_reason
    # and a check is recorded once
    with pytest.raises(Conflict):
        services.record_commitment_check(case, by=world.head_a, passed=True)


def test_a_passed_check_keeps_the_approval_and_leaves_the_list(world, approved, as_user):
    case = approved()
    with clock.frozen(D(2026, 10, 20)):
        services.record_commitment_check(case, by=world.reviewer_a, passed=True, reason="现场核查属实")
    assert Case.objects.get(pk=case.pk).outcome == Outcome.APPROVED
    event = CaseEvent.objects.get(case=case, action="commitment_check")
    assert event.payload["on_time"] is True and event.payload["result"] == "passed"
    page = as_user(world.reviewer_a).get("/staff/commitment-checks/").content.decode()
    assert "暂无待核查" in page and "现场核查属实" in page


def test_the_period_is_a_setting(world, approved, settings):
    settings.ONEWINDOW_COMMITMENT_CHECK_DAYS = 5
    assert CommitmentCheck.objects.get(case=approved()).due_on == D(2026, 10, 10)  # the make-up Saturday


def test_the_case_page_shows_the_check_and_records_it(world, approved, as_user):
    case = approved()
    with clock.frozen(D(2026, 10, 12)):
        page = as_user(world.head_a).get(f"/staff/cases/{case.number}/").content.decode()
        assert 'data-testid="form-commitment-check"' in page and "2026-10-30" in page
        done = as_user(world.head_a).post(f"/staff/licenses/cases/{case.number}/commitment-check/",
                                          {"result": "failed", "reason": UNTRUE})  # fmt: skip
    assert done.status_code == 302
    assert Case.objects.get(pk=case.pk).outcome == Outcome.REVOKED
    page = as_user(world.head_a).get(f"/staff/cases/{case.number}/").content.decode()
    assert "承诺不实" in page and 'data-testid="form-commitment-check"' not in page
