"""Issue 13 rules 6 and 7: a date counted into a year whose holiday schedule is not yet published
is told as 暂定 wherever a person reads it; when hall management enters the official schedule,
every dated thing counted across the changed days moves — cases, project stages and the
opinions they owe, deliveries — and each applicant whose date moved is told once by SMS.

The story: on Monday 2026-12-28 (2027 is provisional: only 01-01 off) a 5-day case is accepted,
due Tuesday 2027-01-05 (暂定). On Wednesday 12-30 a project stage (5 working days) is accepted,
due 2027-01-07, its co-reviewers' opinions (3 days) due 2027-01-05; a license decided on 12-28
is delivered on 12-30 (art. 44: ten working days, due 2027-01-12). On Thursday 12-31 the
State Council's schedule is entered: 01-01~01-03 元旦 and 01-04~01-08 a holiday week. Then the
case is due 01-12, the stage 01-14, the opinions 01-12, the delivery 01-19, and 暂定 is gone."""

import datetime as dt

import pytest
from django.utils.html import strip_tags

from onewindow import clock
from onewindow.cases import services as cases
from onewindow.cases.models import Case, Channel, CommitmentCheck
from onewindow.catalog.models import ServiceItem
from onewindow.documents import notices
from onewindow.documents.tests.pdfs import text_of
from onewindow.licenses import services as licenses
from onewindow.licenses.models import Delivery, LateDelivery
from onewindow.notify.models import Message
from onewindow.personas import all_required, published_item
from onewindow.projects import services as projects
from onewindow.projects.models import Opinion, Stage
from onewindow.projects.tests.conftest import cast, register  # noqa: F401 - the project cast fixture
from onewindow.web import calendar_changes
from onewindow.workdays import calendar

pytestmark = pytest.mark.django_db
D = dt.date
HOLIDAYS = ["2027-01-01~2027-01-03 元旦", "2027-01-04~2027-01-08 元旦"]
DEFERRED = "（暂定）"


def _accepted_case(world, item, day):
    with clock.frozen(day):
        case = cases.submit(version=item.current, applicant=world.alice_applicant, hall=world.hall,
                            channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(item.current))  # fmt: skip
        return cases.accept(case, by=world.clerk)


def _delivered(world, item):
    with clock.frozen(D(2026, 12, 28)):
        case = cases.submit(version=item.current, applicant=world.alice_applicant, hall=world.hall,
                            channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(item.current))  # fmt: skip
        cases.accept(case, by=world.clerk)
        cases.review(case, by=world.reviewer_a, opinion="经审查，符合条件")
        case = cases.decide(case, by=world.head_a, approve=True, reason="")
    with clock.frozen(D(2026, 12, 29)):
        licenses.issue_license(case, by=world.reviewer_a)
    with clock.frozen(D(2026, 12, 30)):
        return licenses.deliver_license(
            case, by=world.clerk, method="pickup", signed_by="艾丽", id_checked=True
        )


def _text(response) -> str:
    """A page's text as a person reads it (tags and white space gone)."""
    return "".join(strip_tags(response.content.decode()).split())


def _moved_messages(phone=None):
    found = Message.objects.filter(event="deadline_moved").order_by("pk")
    return [m for m in found if m.phone == phone] if phone else list(found)  # phones are sealed (decision 47)


def test_provisional_dates_are_told_as_such_and_publishing_moves_every_dated_thing(world, cast, as_user, api):  # noqa: F811
    item = ServiceItem.objects.select_related("current").get(code="T-SPJY-0001")
    case = _accepted_case(world, item, D(2026, 12, 28))
    assert case.due_on == D(2027, 1, 5)
    untouched = _accepted_case(world, item, D(2026, 12, 1))  # due in 2026: no change, no message
    delivery = _delivered(world, item)
    assert delivery.due_on == D(2027, 1, 12) and delivery.on_time
    with clock.frozen(D(2026, 12, 28)):
        project = register(world, cast)
    with clock.frozen(D(2026, 12, 30)):
        stage = projects.accept_stage(project, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
    assert stage.due_on == D(2027, 1, 7)
    assert set(Opinion.objects.filter(stage=stage).values_list("due_on", flat=True)) == {D(2027, 1, 5)}

    with clock.frozen(D(2026, 12, 31)):
        # 暂定 wherever the applicant or the staff read the date: API, pages, notice, SMS
        answer = api(world.clerk).get(f"/cases/{case.number}").json()
        assert (answer["due_on"], answer["due_on_provisional"]) == ("2027-01-05", True)
        assert api(world.clerk).get(f"/cases/{untouched.number}").json()["due_on_provisional"] is False
        assert DEFERRED in as_user(world.clerk).get(f"/staff/cases/{case.number}/").content.decode()
        assert DEFERRED in as_user(world.alice).get(f"/my/cases/{case.number}/").content.decode()
        progress = as_user(None).post("/progress/", {"number": case.number, "phone_last4": "5678"})
        assert "2027-01-05" in progress.content.decode() and DEFERRED in progress.content.decode()
        assert "2027年1月5日（暂定）" in text_of(notices.render(case, "acceptance"))
        accepted_sms = Message.objects.get(subject_key=case.number, event="accepted").text
        assert "2027年1月5日（暂定）前办结" in accepted_sms
        assert DEFERRED not in Message.objects.get(subject_key=untouched.number, event="accepted").text
        stage_page = _text(as_user(world.reviewer_a).get(f"/projects/{project.code}/"))
        assert "期限2027-01-07（暂定）" in stage_page and "2027-01-05（暂定）（3个工作日）" in stage_page

        # when hall management enters the official 2027 schedule
        moved = calendar_changes.publish_official_year(2027, holidays=HOLIDAYS, adjusted_workdays=[],
                                                       by=world.hall_admin)  # fmt: skip

    # then every dated thing moved
    assert moved.cases and case.number in moved.cases and untouched.number not in moved.cases
    case.refresh_from_db()
    assert (case.due_on, case.due_seq) == (D(2027, 1, 12), calendar.seq(D(2027, 1, 12)))
    stage.refresh_from_db()
    assert (stage.due_on, stage.due_seq) == (D(2027, 1, 14), calendar.seq(D(2027, 1, 14)))
    assert set(Opinion.objects.filter(stage=stage).values_list("due_on", flat=True)) == {D(2027, 1, 12)}
    assert Delivery.objects.get(pk=delivery.pk).due_on == D(2027, 1, 19)
    # its own cases of the project moved too (recorded on each case, told once for the stage)
    for child in Case.objects.filter(project_code=project.code):
        assert child.due_on == D(2027, 1, 14)
        assert child.events.filter(action="recompute_deadline").count() == 1
    event = case.events.order_by("-seq").first()
    assert (event.action, event.actor_id) == ("recompute_deadline", world.hall_admin.pk)
    assert event.payload == {"from": "2027-01-05", "to": "2027-01-12"}
    assert Stage.objects.get(pk=stage.pk).due_on == D(2027, 1, 14)

    # and each applicant whose date moved is told once: Alice for her case, the project's owner
    # and agent-less company for the stage (its cases send none); nobody else
    alice = _moved_messages(world.alice_applicant.phone)
    assert [m.subject_key for m in alice] == [case.number]
    assert "由2027年1月5日调整为2027年1月12日" in alice[0].text and DEFERRED not in alice[0].text
    owner = _moved_messages(cast.company.phone)
    assert len(owner) == 1 and "2027年1月14日" in owner[0].text
    assert len(_moved_messages()) == 2

    with clock.frozen(D(2026, 12, 31)):
        # 暂定 is gone
        answer = api(world.clerk).get(f"/cases/{case.number}").json()
        assert (answer["due_on"], answer["due_on_provisional"]) == ("2027-01-12", False)
        assert DEFERRED not in as_user(world.clerk).get(f"/staff/cases/{case.number}/").content.decode()
        assert DEFERRED not in as_user(world.alice).get(f"/my/cases/{case.number}/").content.decode()
        stage_page = _text(as_user(world.reviewer_a).get(f"/projects/{project.code}/"))
        assert "期限2027-01-14，" in stage_page and DEFERRED not in stage_page
        # the acceptance notice, read again, still says what it told then
        assert "2027年1月5日（暂定）" in text_of(notices.render(case, "acceptance"))

        # entering the same schedule again moves nothing and sends nothing twice
        again = calendar_changes.publish_official_year(2027, holidays=HOLIDAYS, adjusted_workdays=[],
                                                       by=world.hall_admin)  # fmt: skip
    assert again.dates == [] and len(_moved_messages()) == 2


def test_a_delivery_late_on_the_provisional_calendar_is_on_time_on_the_official_one(world):
    """Decided 2026-12-28: due 2027-01-12 on the provisional calendar, 01-19 on the official one.
    Delivered on 01-14 it was recorded late; once the schedule is entered it is on time and its
    supervision record is withdrawn. An undelivered one found late on 01-13 is no longer late."""
    item = published_item(world)
    with clock.frozen(D(2026, 12, 28)):
        decided = []
        for _ in range(2):
            case = cases.submit(version=item.current, applicant=world.alice_applicant, hall=world.hall,
                                channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(item.current))  # fmt: skip
            cases.accept(case, by=world.clerk)
            cases.review(case, by=world.reviewer_a, opinion="经审查，符合条件")
            decided.append(cases.decide(case, by=world.head_a, approve=True, reason=""))
    delivered, waiting = decided
    with clock.frozen(D(2026, 12, 29)):
        for case in decided:
            licenses.issue_license(case, by=world.reviewer_a)
    with clock.frozen(D(2027, 1, 13)):
        LateDelivery.objects.create(case=waiting, department=waiting.department, due_on=D(2027, 1, 12),
                                    found_at=clock.now())  # fmt: skip
    with clock.frozen(D(2027, 1, 14)):
        delivery = licenses.deliver_license(delivered, by=world.clerk, method="pickup", signed_by="艾丽")
        assert (delivery.due_on, delivery.on_time) == (D(2027, 1, 12), False)
        assert LateDelivery.objects.count() == 2
        calendar_changes.publish_official_year(
            2027, holidays=HOLIDAYS, adjusted_workdays=[], by=world.hall_admin
        )
    delivery = Delivery.objects.get(pk=delivery.pk)
    assert (delivery.due_on, delivery.on_time) == (D(2027, 1, 19), True)
    assert not LateDelivery.objects.exists()


def test_a_commitment_check_due_in_a_provisional_year_moves_with_the_official_schedule(world):
    """告知承诺 approved Mon 2026-12-28: the check (20 working days) is due Tue 2027-01-26 on the
    provisional calendar (only 01-01 off). With 01-01~01-08 off it is due Tue 2027-02-02; a check
    already done keeps the date it was held to."""
    item = published_item(world, code="T-GGWS-0001", name="公共场所卫生许可", commitment_approval=True,
                          materials=[], license_type="公共场所卫生许可证")  # fmt: skip
    with clock.frozen(D(2026, 12, 28)):
        pending, done = (
            cases.approve_by_commitment(
                cases.submit(
                    version=item.current,
                    applicant=world.alice_applicant,
                    hall=world.hall,
                    channel=Channel.WINDOW,
                    by=world.clerk,
                    handed_in=[],
                ),  # fmt: skip
                by=world.clerk,
                commitment="本人承诺经营场所符合卫生要求",
            )
            for _ in range(2)
        )
    with clock.frozen(D(2026, 12, 30)):
        licenses.record_commitment_check(done, by=world.reviewer_a, passed=True)
    assert {c.due_on for c in CommitmentCheck.objects.all()} == {D(2027, 1, 26)}
    with clock.frozen(D(2026, 12, 31)):
        moved = calendar_changes.publish_official_year(
            2027, holidays=HOLIDAYS, adjusted_workdays=[], by=world.hall_admin
        )
    assert moved.checks == 1
    assert CommitmentCheck.objects.get(case=pending).due_on == D(2027, 2, 2)
    assert CommitmentCheck.objects.get(case=pending).due_seq == calendar.seq(D(2027, 2, 2))
    assert CommitmentCheck.objects.get(case=done).due_on == D(2027, 1, 26)
