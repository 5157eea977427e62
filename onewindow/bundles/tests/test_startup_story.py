"""企业开办 (issue 6 acceptance): five items in five departments, accepted once at the
comprehensive window; five child cases run in parallel; each department reviews and decides its
own on a different day; the bundle closes with the last; the applicant got one acceptance message
and one completion message, none per item; the bundle took as long as its longest child."""

import datetime as dt
import re

import pytest

from onewindow import clock
from onewindow.bundles import queries, services
from onewindow.bundles.models import BundleApplication, Status
from onewindow.bundles.tests.conftest import MONDAY, apply
from onewindow.cases import services as cases
from onewindow.cases.models import Case
from onewindow.cases.models import Status as CaseStatus
from onewindow.notify.models import Message
from onewindow.workdays import calendar

pytestmark = pytest.mark.django_db


def status_of(application) -> BundleApplication:
    return queries.with_status(BundleApplication.objects.filter(pk=application.pk)).get()


def decide(startup, child: Case, department: str) -> None:
    cases.review(child, by=startup.reviewers[department], opinion="材料齐全，符合条件")
    cases.decide(child, by=startup.heads[department], approve=True)


def test_it_runs_five_departments_in_parallel_and_closes_with_the_last(world, startup):
    # given: 艾丽 hands in the merged form and one set of materials at window 01 on Monday
    with clock.frozen(MONDAY):
        application = apply(world, startup)
        children = {c.department.code: c for c in Case.objects.filter(bundle_number=application.number)}
        assert len(children) == 5 and len({c.department_id for c in children.values()}) == 5
        assert status_of(application).status == Status.SUBMITTED

        # when: the clerk accepts it once
        services.accept(application, by=world.clerk)

    # then: all five started the same day, each on its own clock, the bundle on its promised 3 days
    application = status_of(application)
    assert application.status == Status.IN_REVIEW and application.children_done == 0
    assert application.accepted_on == MONDAY and application.due_on == dt.date(2026, 11, 26)
    running = Case.objects.filter(bundle_number=application.number)
    assert {c.status for c in running} == {CaseStatus.IN_REVIEW}
    assert {c.accepted_on for c in running} == {MONDAY}

    # when: each department decides its own child, in its own order, over the week
    plan = [
        (MONDAY + dt.timedelta(days=1), "T-E"),  # 税务 on Tuesday
        (MONDAY + dt.timedelta(days=2), "T-G"),  # 公积金 and 公安 on Wednesday
        (MONDAY + dt.timedelta(days=2), "T-D"),
        (MONDAY + dt.timedelta(days=3), "T-A"),  # 市场监管 on Thursday …
        (MONDAY + dt.timedelta(days=3), "T-F"),  # … and 人社 last
    ]
    for done, (day, department) in enumerate(plan, start=1):
        with clock.frozen(dt.datetime.combine(day, dt.time(10, done), tzinfo=clock.hall_tz())):
            decide(startup, children[department], department)
            services.settle()  # the periodic job: it closes the application only with the last child
        current = status_of(application)
        assert current.children_done == done
        assert current.status == (Status.CLOSED if done == 5 else Status.IN_REVIEW), done
        assert (current.closed_on is None) == (done < 5)

    # then: the bundle closed the day the last child closed
    application = status_of(application)
    assert application.closed_on == dt.date(2026, 11, 26)
    finished = list(Case.objects.filter(bundle_number=application.number))
    assert application.closed_on == max(c.closed_on for c in finished)

    # and: its working days are the longest child's, not the sum
    days = queries.days_used(finished)
    each = sorted(c.closed_seq - calendar.seq(c.accepted_on) for c in finished)
    print(f"\n企业开办: longest child {days.longest} working days; sum of the five children {days.total}")
    assert each == [1, 2, 2, 3, 3]
    assert days.longest == 3 == calendar.workdays_between(application.accepted_on, application.closed_on)
    assert days.total == 11

    # and: one acceptance message and one completion message for the bundle, none per item
    messages = list(Message.objects.order_by("pk"))
    assert [m.key for m in messages] == [
        f"bundle:{application.number}:accepted",
        f"bundle:{application.number}:closed",
    ]
    assert [m.event for m in messages] == ["bundle_accepted", "bundle_closed"]
    assert all(m.phone == world.alice_applicant.phone and (m.subject_kind, m.subject_key) == ("bundle", application.number)
               for m in messages)  # fmt: skip
    assert application.number in messages[0].text and "2026年11月26日" in messages[0].text
    children = Case.objects.filter(bundle_number=application.number).values("number")
    assert not Message.objects.filter(subject_kind="case", subject_key__in=children).exists()


def test_it_gives_each_child_its_share_of_the_form_and_one_tick_serves_every_item(world, startup, applied):
    children = {
        c.item.code: c for c in Case.objects.filter(bundle_number=applied.number).select_related("item")
    }
    assert children["T-YZKZ"].form_data == {"enterprise_name": "德州示例科技有限公司", "legal_representative": "艾丽",
                                            "seal_kinds": "公章、财务专用章"}  # fmt: skip
    assert children["T-SBDJ"].form_data == {"enterprise_name": "德州示例科技有限公司",
                                            "bank_account": "6222000011112222", "employees": "8"}  # fmt: skip
    proxies = [m for c in children.values() for m in c.materials.all() if m.name == "经办人授权委托书"]
    assert len(proxies) == 4 and {m.state for m in proxies} == {"received"}
    licenses = [m for c in children.values() for m in c.materials.all() if m.name == "营业执照"]
    # one paper copy (Alice holds no license to share) serves all four
    assert len(licenses) == 4 and {m.state for m in licenses} == {"received"}
    assert applied.handed_in == [
        "公司登记申请书", "公司章程", "经办人授权委托书", "印章刻制备案信息表", "涉税事项综合申请表", "银行开户信息",
        "社保单位参保登记表", "公积金缴存登记表", "股东身份证明", "营业执照",
    ]  # fmt: skip
    assert applied.number.startswith("YJS-371400-20261123-")


def test_numbers_follow_the_case_number_style_and_count_up(world, startup):
    with clock.frozen(MONDAY):
        first, second = apply(world, startup), apply(world, startup)
    assert re.fullmatch(r"YJS-371400-20261123-\d{6}", first.number)
    assert int(second.number[-6:]) == int(first.number[-6:]) + 1  # a PostgreSQL sequence never rolls back


def test_reading_the_application_settles_it_at_once(world, startup, api, as_user):
    """No periodic run needed for the reader: the page and the API record a close that the
    children made (bundles.services.settle for one application) before they show it."""
    with clock.frozen(MONDAY):
        application = apply(world, startup)
        services.accept(application, by=world.clerk)
    with clock.frozen(MONDAY + dt.timedelta(days=1)):
        for child in Case.objects.filter(bundle_number=application.number).select_related("department"):
            decide(startup, child, child.department.code)
    assert BundleApplication.objects.get(pk=application.pk).closed_on is None  # nobody asked yet
    detail = api(world.alice).get(f"/bundle-applications/{application.number}").json()
    assert detail["closed_on"] == (MONDAY + dt.timedelta(days=1)).isoformat()
    assert Message.objects.filter(key=f"bundle:{application.number}:closed").count() == 1
    # read again, on the page: nothing happens twice
    assert as_user(world.clerk).get(f"/staff/bundle-applications/{application.number}/").status_code == 200
    assert services.settle() == 0
    assert Message.objects.filter(event="bundle_closed").count() == 1
