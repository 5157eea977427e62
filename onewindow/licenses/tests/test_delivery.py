"""送达 (行政许可法 art. 44: within ten days of the decision, working days by art. 82): pickup with
a signature record or free post; once, after the issue; late delivery is a supervision event."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases.models import CaseEvent, CaseStep
from onewindow.errors import DomainError
from onewindow.licenses import jobs, queries, services
from onewindow.licenses.models import Delivery, LateDelivery
from onewindow.payments import services as payments
from onewindow.payments.models import PaymentNotice
from onewindow.payments.tests.fixtures import DECIDED, decided
from onewindow.workdays import calendar

pytestmark = pytest.mark.django_db
DAY = dt.timedelta(days=1)


def workdays(n: int) -> dt.date:
    """n working days after the decision (Mon 2026-11-02: the tenth is Mon 11-16)."""
    return calendar.add_workdays(DECIDED, n)


@pytest.fixture
def issued(world, free):
    case = decided(world, free)
    with clock.frozen(DECIDED + DAY):
        services.issue_license(case, by=world.reviewer_a)
    return case


@pytest.mark.parametrize(("days", "on_time"), [(10, True), (11, False)])
def test_pickup_on_the_tenth_working_day_is_on_time_on_the_eleventh_late(world, issued, days, on_time):
    with clock.frozen(workdays(days)):
        delivery = services.deliver_license(
            issued, by=world.clerk, method="pickup", signed_by="艾丽", id_checked=True
        )
    assert (delivery.on_time, delivery.due_on, delivery.signed_by, delivery.id_checked) == (
        on_time, dt.date(2026, 11, 16), "艾丽", True)  # fmt: skip
    event = CaseEvent.objects.get(case=issued, action="deliver")
    assert event.payload == {"method": "pickup", "signed_by": "艾丽", "id_checked": True,
                             "due_on": "2026-11-16", "on_time": on_time}  # fmt: skip
    assert LateDelivery.objects.filter(case=issued).exists() is not on_time


def test_post_records_address_courier_and_tracking_number(world, issued, as_user):
    path = f"/api/v1/cases/{issued.number}/deliver"
    incomplete = as_user(world.reviewer_a).post(
        path, {"method": "post", "courier": "EMS"}, content_type="application/json"
    )
    assert (incomplete.status_code, incomplete.json()["code"]) == (400, "case.delivery_post_details")
    body = {
        "method": "post",
        "courier": "中国邮政EMS",
        "tracking_number": "1190000000001",
        "address": "德州市德城区新湖南路18号",
    }
    with clock.frozen(DECIDED + 2 * DAY):
        answer = as_user(world.reviewer_a).post(path, body, content_type="application/json")
    assert answer.status_code == 200, answer.content
    delivery = Delivery.objects.get(case=issued)
    assert (delivery.method, delivery.courier, delivery.tracking_number, delivery.on_time) == (
        "post", "中国邮政EMS", "1190000000001", True)  # fmt: skip
    event = CaseEvent.objects.get(case=issued, action="deliver")
    assert {k: event.payload[k] for k in ("method", "courier", "tracking_number", "address")} == body


def test_delivery_comes_once_and_after_the_issue(world, free):
    case = decided(world, free)
    with pytest.raises(DomainError) as early:
        services.deliver_license(case, by=world.clerk, method="pickup", signed_by="艾丽")
    assert (early.value.status, early.value.code) == (409, "case.not_issued")
    services.issue_license(case, by=world.reviewer_a)
    with pytest.raises(DomainError) as unsigned:
        services.deliver_license(case, by=world.clerk, method="pickup", signed_by=" ")
    assert unsigned.value.code == "case.delivery_signature"
    services.deliver_license(case, by=world.clerk, method="pickup", signed_by="艾丽")
    with pytest.raises(DomainError) as again:
        services.deliver_license(
            case, by=world.clerk, method="post", courier="EMS", tracking_number="1", address="x"
        )
    assert (again.value.status, again.value.code) == (409, "case.already_delivered")
    assert Delivery.objects.count() == 1


def test_the_delivery_completes_the_delivery_step(world, charged, finance, bank_teller):
    case = decided(world, charged)
    notice = PaymentNotice.objects.get(case=case)
    payments.check_notice(notice, by=finance)
    payments.mark_paid(notice, by=bank_teller, bank_ref="W-1")
    services.issue_license(case, by=world.reviewer_a)
    services.deliver_license(case, by=world.clerk, method="pickup", signed_by="艾丽")
    assert not CaseStep.objects.filter(case=case, kind="after", done_at__isnull=True).exists()


def test_late_deliveries_lists_the_late_and_the_overdue_and_the_sweep_records_them_once(world, free):
    on_time, late, overdue, never_delivered = (decided(world, free) for _ in range(4))
    for case in (on_time, late, overdue, never_delivered):
        services.issue_license(case, by=world.reviewer_a)
    with clock.frozen(DECIDED + 3 * DAY):
        services.deliver_license(on_time, by=world.clerk, method="pickup", signed_by="艾丽")
    with clock.frozen(workdays(11)):
        services.deliver_license(late, by=world.clerk, method="pickup", signed_by="艾丽")
    recent = decided(world, free, on=DECIDED + 5 * DAY)  # its ten working days are not over
    with clock.frozen(workdays(12)):
        listed = set(queries.late_deliveries().values_list("number", flat=True))
        first, second = jobs.record_late_deliveries(), jobs.record_late_deliveries()
    assert listed == {late.number, overdue.number, never_delivered.number}
    assert recent.number not in listed
    assert (first, second) == (2, 0)  # `late` was recorded when it was delivered
    assert set(LateDelivery.objects.values_list("case__number", flat=True)) == listed
    with clock.frozen(DECIDED + 15 * DAY):
        services.deliver_license(overdue, by=world.clerk, method="pickup", signed_by="艾丽")
    assert LateDelivery.objects.get(case=overdue).delivered_at is not None


def test_the_supervisor_sees_late_deliveries_and_another_department_does_not(world, free, as_user):
    case = decided(world, free)
    with clock.frozen(DECIDED + 20 * DAY):
        mine = as_user(world.supervisor).get("/api/v1/licenses/late-deliveries").json()
        theirs = as_user(world.reviewer_b).get("/api/v1/licenses/late-deliveries").json()
    assert [r["case"] for r in mine["results"]] == [case.number] and mine["results"][0][
        "due_on"
    ] == "2026-11-16"
    assert theirs["count"] == 0


def test_another_department_cannot_deliver(world, issued, as_user):
    answer = as_user(world.reviewer_b).post(f"/api/v1/cases/{issued.number}/deliver",
                                            {"method": "pickup", "signed_by": "贝拉"}, content_type="application/json")  # fmt: skip
    assert (answer.status_code, answer.json()["code"]) == (404, "case.not_found")
    assert not Delivery.objects.exists()


def test_the_signature_record_is_cleaned_and_limited(world, issued, as_user):
    path = f"/api/v1/cases/{issued.number}/deliver"
    too_long = as_user(world.clerk).post(
        path, {"method": "pickup", "signed_by": "艾" * 51}, content_type="application/json"
    )
    assert (too_long.status_code, too_long.json()["code"]) == (400, "case.delivery_field_length")
    nul = as_user(world.clerk).post(
        path, {"method": "pickup", "signed_by": " 艾\u0000丽 "}, content_type="application/json"
    )  # issue 21: the API refuses control characters in any body before the service cleans
    assert (nul.status_code, nul.json()["code"]) == (400, "request.control_character")
    answer = as_user(world.clerk).post(
        path, {"method": "pickup", "signed_by": " 艾丽 "}, content_type="application/json"
    )
    assert answer.status_code == 200
    assert Delivery.objects.get(case=issued).signed_by == "艾丽"
    assert CaseEvent.objects.get(case=issued, action="deliver").payload["signed_by"] == "艾丽"


# ---- issue 13, rule 1: art. 44 counted in working days (art. 82) ------------------------------

SEP_28 = dt.date(2026, 9, 28)  # a Monday before National Day (10-01…10-07 off; 10-10, a Saturday, worked)


def test_art_44_counts_ten_working_days_over_national_day(world, free, as_user):
    # given a license decided on Mon 2026-09-28 and issued the next day
    case = decided(world, free, on=SEP_28)
    with clock.frozen(SEP_28 + DAY):
        services.issue_license(case, by=world.reviewer_a)
    # then every reader of art. 44 says the same last day: Fri 10-16, not Thu 10-08
    with clock.frozen(dt.date(2026, 10, 9)):
        page = as_user(world.clerk).get(f"/staff/licenses/cases/{case.number}/").content.decode()
        late = as_user(world.supervisor).get("/api/v1/licenses/late-deliveries").json()
        swept = jobs.record_late_deliveries()
    assert "2026-10-16" in page and "2026-10-08" not in page
    assert (late["count"], swept) == (0, 0)  # nothing late on 10-09, nor swept as late
    # when it is picked up on 10-09 it is on time, with no supervision event
    with clock.frozen(dt.date(2026, 10, 9)):
        delivery = services.deliver_license(case, by=world.clerk, method="pickup", signed_by="艾丽")
    assert (delivery.due_on, delivery.on_time) == (dt.date(2026, 10, 16), True)
    assert CaseEvent.objects.get(case=case, action="deliver").payload["on_time"] is True
    assert not LateDelivery.objects.exists()


def test_an_undelivered_license_is_late_the_working_day_after_the_tenth(world, free):
    case = decided(world, free, on=SEP_28)
    services.issue_license(case, by=world.reviewer_a)
    with clock.frozen(dt.date(2026, 10, 16)):
        assert not queries.late_deliveries().exists() and jobs.record_late_deliveries() == 0
    with clock.frozen(dt.date(2026, 10, 17)):  # Saturday: the tenth working day is over
        assert list(queries.late_deliveries()) == [case]
        assert jobs.record_late_deliveries() == 1
    assert LateDelivery.objects.get(case=case).due_on == dt.date(2026, 10, 16)
