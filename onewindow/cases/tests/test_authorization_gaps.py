"""Issue 14's authorization gaps, through the API and the pages: a 项目代办员 acts only on the
cases they filed (not on any case of the hall), and filing is limited to the filer's own hall
and, for department staff, their own department's items."""

import pytest

from onewindow.accounts.models import Role, Staff, User
from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, Channel, Status
from onewindow.personas import all_required

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(world) -> User:
    user = User.objects.create_user(username="agent", password="x", display_name="郑强")
    Staff.objects.create(user=user, name="郑强", role=Role.AGENT, hall=world.hall)
    return user


def _submit(world, food, by):
    return services.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                           channel=Channel.WINDOW, by=by, handed_in=all_required(food.current))  # fmt: skip


def test_an_agent_cannot_accept_a_case_another_filed_through_the_api(world, food, agent, api):
    case = _submit(world, food, world.clerk)
    answer = api(agent).post(f"/cases/{case.number}/accept")
    assert answer.status_code == 403 and answer.json()["code"] == "case.agent_not_authorised"
    case.refresh_from_db()
    assert case.status == Status.SUBMITTED and CaseEvent.objects.filter(case=case).count() == 1
    # the agent still sees it (hall-wide visibility is unchanged), but is offered nothing
    detail = api(agent).get(f"/cases/{case.number}")
    assert detail.status_code == 200 and detail.json()["allowed_actions"] == []


def test_an_agent_accepts_the_case_they_filed_through_the_api(world, food, agent, api):
    filed = api(agent).post("/cases", {"item": food.code, "applicant": world.alice_applicant.ref,
                                       "channel": "agent", "handed_in": [1, 2, 3]})  # fmt: skip
    assert filed.status_code == 201, filed.json()
    number = filed.json()["number"]
    assert api(agent).get(f"/cases/{number}").json()["allowed_actions"][:3] == [
        "mark_material",
        "accept",
        "request_supplement",
    ]
    answer = api(agent).post(f"/cases/{number}/accept")
    assert answer.status_code == 200 and answer.json()["status"] == Status.IN_REVIEW


def test_an_agent_is_refused_on_the_case_page_too(world, food, agent, as_user):
    case = _submit(world, food, world.clerk)
    page = as_user(agent).get(f"/staff/cases/{case.number}/")
    assert page.status_code == 200 and 'data-testid="form-accept"' not in page.content.decode()
    posted = as_user(agent).post(f"/staff/cases/{case.number}/accept/")
    assert posted.status_code == 403
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED
    mine = _submit(world, food, agent)
    assert 'data-testid="form-accept"' in as_user(agent).get(f"/staff/cases/{mine.number}/").content.decode()
    assert as_user(agent).post(f"/staff/cases/{mine.number}/accept/").status_code == 302
    assert Case.objects.get(pk=mine.pk).status == Status.IN_REVIEW


def test_a_reviewer_files_no_case_for_another_departments_item(world, food, api):
    refused = api(world.reviewer_b).post("/cases", {"item": food.code, "applicant": world.alice_applicant.ref,
                                                    "handed_in": [1, 2, 3]})  # fmt: skip
    assert refused.status_code == 403 and refused.json()["code"] == "case.intake_department"
    assert not Case.objects.exists()
    # the item's own department may file it
    filed = api(world.reviewer_a).post("/cases", {"item": food.code, "applicant": world.alice_applicant.ref,
                                                  "handed_in": [1, 2, 3]})  # fmt: skip
    assert filed.status_code == 201


def test_filing_is_limited_to_the_filers_own_hall(world, food, api):
    other = User.objects.create_user(username="clerk_other", password="x")
    Staff.objects.create(user=other, name="区中心窗口", role=Role.CLERK, hall=world.other_hall)
    refused = api(other).post("/cases", {"item": food.code, "applicant": world.alice_applicant.ref,
                                         "hall": world.hall.code, "handed_in": [1, 2, 3]})  # fmt: skip
    assert refused.status_code == 403 and refused.json()["code"] == "case.intake_role"
    assert not Case.objects.exists()


def test_the_workbench_files_only_as_window_staff(world, food, as_user):
    """The page: the workbench is the clerks' and agents' (a reviewer of another department is
    refused before any service), and what it files the service checks by the same rule."""
    body = {
        "applicant": world.alice_applicant.ref,
        "item": food.code,
        "handed_in": all_required(food.current),
    }
    assert as_user(world.reviewer_b).post("/staff/workbench/submit/", body).status_code == 403
    assert not Case.objects.exists()
    assert as_user(world.clerk).post("/staff/workbench/submit/", body).status_code == 302
    assert Case.objects.get().hall == world.hall
