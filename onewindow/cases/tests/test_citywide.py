"""同城通办 (issue 15 item 5): any hall of the city receives any item of any district of the city
(异地收件) and the item's department decides it (属地办理). The world's city hall stations
departments A and B (city bureaus); its district hall (`other_hall`, 德城区) stations department
C (a district bureau). Both directions, both halls' lists, the city boundary, the figures."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow import clock
from onewindow.accounts.models import Department, Hall, Region, Role
from onewindow.cases import pre_review, queries, services
from onewindow.cases.models import Case, Channel
from onewindow.errors import Forbidden
from onewindow.personas import all_required, new_staff, published_item

pytestmark = pytest.mark.django_db
DAY = dt.date(2026, 9, 30)


@pytest.fixture
def district(world):
    """The district hall's clerk, and department C's reviewer and head there."""

    class District:
        clerk = new_staff("clerk_dc", "邓城", Role.CLERK, world.other_hall)
        reviewer = new_staff("reviewer_c", "瑞晨", Role.REVIEWER, world.other_hall, world.dept_c)
        head = new_staff("head_c", "何晨", Role.DEPARTMENT_HEAD, world.other_hall, world.dept_c)

    return District


@pytest.fixture
def city_item(world):
    return published_item(world)  # 食品经营许可 of department A (a city bureau)


@pytest.fixture
def district_item(world):
    return published_item(world, code="T-DC-0001", name="临时占用城市道路许可", department=world.dept_c.code)


def file_at_window(item, by, hall, applicant):
    version = item.current
    return services.submit(version=version, applicant=applicant, hall=hall, channel=Channel.WINDOW, by=by,
                           handed_in=all_required(version))  # fmt: skip


def decide(case, reviewer, head):
    services.review(case, by=reviewer, opinion="符合条件")
    return services.decide(case, by=head, approve=True)


def test_a_district_hall_receives_a_city_item_and_the_city_department_decides_it(world, district, city_item):
    with clock.frozen(DAY):
        case = file_at_window(city_item, district.clerk, world.other_hall, world.alice_applicant)
        services.accept(case, by=district.clerk)  # the receiving hall gives the written answer
    # received by the district hall, decided by the city bureau, which sits at the city hall
    assert (case.hall, case.department) == (world.other_hall, world.dept_a)
    assert services.deciding_hall(world.dept_a.pk) == world.hall
    assert services.decided_elsewhere(case) == world.hall
    # both lists show it: the department's inbox, the receiving hall's clerks' list
    assert [c.number for c in queries.inbox(world.dept_a.pk)] == [case.number]
    assert [c.number for c in queries.received_here(district.clerk)] == [case.number]
    assert queries.received_here(district.clerk)[0].deciding_hall == world.hall
    assert queries.received_here(world.clerk) == []  # the city hall's clerks did not receive it
    with clock.frozen(DAY + dt.timedelta(days=1)):
        decide(case, world.reviewer_a, world.head_a)
    case.refresh_from_db()
    assert case.outcome == "approved"


def test_a_city_hall_receives_a_district_item_and_the_district_department_decides_it(
    world, district, district_item, api
):
    with clock.frozen(DAY):
        case = file_at_window(district_item, world.clerk, world.hall, world.alice_applicant)
        services.accept(case, by=world.clerk)
    assert (case.hall, case.department) == (world.hall, world.dept_c)
    assert services.decided_elsewhere(case) == world.other_hall
    assert [c.number for c in queries.inbox(world.dept_c.pk)] == [case.number]
    assert [c.number for c in queries.received_here(world.clerk)] == [case.number]
    for user in (world.clerk, district.reviewer):  # the API names both halls to both sides
        body = api(user).get(f"/cases/{case.number}").json()
        assert (body["receiving_hall"], body["deciding_hall"]) == ("T-HALL", "T-OTHER")
    with clock.frozen(DAY + dt.timedelta(days=1)):
        decide(case, district.reviewer, district.head)
    case.refresh_from_db()
    assert case.outcome == "approved"


def test_a_case_received_and_decided_at_one_hall_names_no_other(world, city_item):
    with clock.frozen(DAY):
        case = file_at_window(city_item, world.clerk, world.hall, world.alice_applicant)
    assert services.decided_elsewhere(case) is None
    assert queries.received_here(world.clerk)[0].deciding_hall is None


@pytest.fixture
def other_city(world):
    """聊城市 with its own hall and clerk: not a hall of 德州市."""
    province = world.city.parent
    city = Region.objects.create(code="371500000000", name="聊城市", level=Region.Level.CITY, parent=province)
    hall = Hall.objects.create(code="T-LC", name="测试聊城市政务服务中心", kind=Hall.Kind.CITY, region=city)
    return hall, new_staff("clerk_lc", "聊城窗口", Role.CLERK, hall)


def test_a_hall_of_another_city_is_refused_and_nothing_is_filed(world, city_item, other_city):
    hall, clerk = other_city
    with clock.frozen(DAY), pytest.raises(Forbidden) as refused:
        file_at_window(city_item, clerk, hall, world.alice_applicant)
    assert refused.value.code == "case.other_city"
    assert "同城通办" in refused.value.message and world.dept_a.name in refused.value.message
    assert not Case.objects.exists()


def test_the_api_refuses_another_citys_hall_online_too(world, city_item, other_city, api):
    with clock.frozen(DAY):
        answer = api(world.alice).post(
            "/cases", {"item": city_item.code, "hall": "T-LC", "channel": "portal"}
        )
    assert answer.status_code == 403
    assert answer.json()["code"] == "case.other_city"
    assert not Case.objects.exists()


def test_a_town_hall_under_a_district_is_of_the_same_city(world, city_item):
    town = Region.objects.create(
        code="371402001000", name="新湖街道", level=Region.Level.TOWN, parent=world.district
    )
    hall = Hall.objects.create(
        code="T-TOWN", name="测试新湖街道便民服务中心", kind=Hall.Kind.TOWN, region=town
    )
    clerk = new_staff("clerk_town", "街道窗口", Role.CLERK, hall)
    with clock.frozen(DAY):
        case = file_at_window(city_item, clerk, hall, world.alice_applicant)
    assert case.hall == hall and services.decided_elsewhere(case) == world.hall


def test_online_the_applicant_may_choose_the_receiving_hall(world, district, city_item, api):
    # named: the district hall receives it — its pre-review queue has it, the city hall's not
    with clock.frozen(DAY):
        answer = api(world.alice).post(
            "/cases", {"item": city_item.code, "hall": "T-OTHER", "channel": "portal"}
        )
        assert answer.status_code == 201
        number = answer.json()["number"]
        assert Case.objects.get(number=number).hall == world.other_hall
        assert [c.number for c in pre_review.queue(district.clerk)] == [number]
        assert pre_review.queue(world.clerk) == []
        # the deciding department sees it too (it pre-reviews its own items)
        assert [c.number for c in pre_review.queue(world.reviewer_a)] == [number]
        # not named: the deciding hall receives it
        default = api(world.alice).post("/cases", {"item": city_item.code, "channel": "portal"})
        assert Case.objects.get(number=default.json()["number"]).hall == world.hall


def test_the_deciding_hall_is_the_one_of_the_departments_own_region(world):
    # department C stationed also at the city hall still decides at its district's hall
    world.hall.departments.add(world.dept_c)
    assert services.deciding_hall(world.dept_c.pk) == world.other_hall
    # a department stationed outside its region only: the highest-level hall stationing it
    roaming = Department.objects.create(code="T-R", name="测试派驻机构", region=world.city)
    world.other_hall.departments.add(roaming)
    assert services.deciding_hall(roaming.pk) == world.other_hall
    unstationed = Department.objects.create(code="T-N", name="测试未进驻部门", region=world.city)
    assert services.deciding_hall(unstationed.pk) is None
    # the halls the portal offers: every hall of the city, the deciding hall first
    assert [h.code for h in services.receiving_halls(world.dept_c)] == ["T-OTHER", "T-HALL"]
    assert [h.code for h in services.receiving_halls(world.dept_a)] == ["T-HALL", "T-OTHER"]


def test_the_figures_count_a_case_at_both_halls(world, district, city_item, district_item):
    with clock.frozen(DAY):
        here = file_at_window(city_item, district.clerk, world.other_hall, world.alice_applicant)
        there = file_at_window(district_item, world.clerk, world.hall, world.alice_applicant)
        home = file_at_window(city_item, world.clerk, world.hall, world.alice_applicant)
        for case, by in ((here, district.clerk), (there, world.clerk), (home, world.clerk)):
            services.accept(case, by=by)
    with clock.frozen(DAY + dt.timedelta(days=1)):
        decide(here, world.reviewer_a, world.head_a)
        decide(there, district.reviewer, district.head)
    figures = {row["hall"].code: row for row in queries.hall_figures(DAY, DAY + dt.timedelta(days=7))}
    # the city hall received two (one for the district), decided one (received in the district)
    assert {k: v for k, v in figures["T-HALL"].items() if k != "hall"} == {
        "received": 2, "received_for_others": 1, "decided": 1, "decided_received_elsewhere": 1,
    }  # fmt: skip
    assert {k: v for k, v in figures["T-OTHER"].items() if k != "hall"} == {
        "received": 1, "received_for_others": 1, "decided": 1, "decided_received_elsewhere": 1,
    }  # fmt: skip
    assert queries.decided_by_department(DAY, DAY + dt.timedelta(days=7)) == {
        world.dept_a.pk: 1,
        world.dept_c.pk: 1,
    }


def test_the_api_gives_a_supervisor_their_halls_figures(world, district, city_item, api):
    with clock.frozen(DAY):
        case = file_at_window(city_item, district.clerk, world.other_hall, world.alice_applicant)
        services.accept(case, by=district.clerk)
    with clock.frozen(DAY + dt.timedelta(days=1)):
        decide(case, world.reviewer_a, world.head_a)
    period = {"since": "2026-09-01", "until": "2026-10-31"}
    rows = api(world.supervisor).get("/cases/figures/halls", period).json()
    assert rows == [{"hall": "T-HALL", "hall_name": "测试市政务服务中心", "received": 0, "received_for_others": 0,
                     "decided": 1, "decided_received_elsewhere": 1}]  # fmt: skip
    assert api(world.clerk).get("/cases/figures/halls", period).status_code == 403
    wrong = api(world.supervisor).get("/cases/figures/halls", {"since": "2026-10-31", "until": "2026-09-01"})
    assert wrong.json()["code"] == "case.figures_period"


def test_the_pages_name_both_halls(world, district, city_item, as_user):
    with clock.frozen(DAY):
        case = file_at_window(city_item, district.clerk, world.other_hall, world.alice_applicant)
        services.accept(case, by=district.clerk)
        inbox = as_user(world.reviewer_a).get("/staff/inbox/").content.decode()
        page = as_user(district.clerk).get(f"/staff/cases/{case.number}/").content.decode()
        workbench = as_user(district.clerk).get("/staff/workbench/").content.decode()
        city_page = as_user(world.reviewer_a).get(f"/staff/cases/{case.number}/")
    assert case.number in inbox and "同城通办 · 测试区政务服务中心收件" in inbox
    assert 'data-testid="received-by">测试区政务服务中心' in page
    assert "测试市场监管局（测试市政务服务中心）" in page
    assert case.number in workbench and 'data-testid="decided-elsewhere"' in workbench
    assert city_page.status_code == 200


def test_the_workbench_tells_the_clerk_before_filing(world, district, city_item, other_city, as_user):
    ref = world.alice_applicant.ref
    page = as_user(district.clerk).get(f"/staff/workbench/?applicant={ref}&item={city_item.code}")
    assert 'data-testid="citywide-note"' in page.content.decode()
    _, clerk = other_city
    refused = as_user(clerk).get(f"/staff/workbench/?applicant={ref}&item={city_item.code}").content.decode()
    assert 'data-testid="citywide-refusal"' in refused and "同城通办" in refused


def test_the_portal_offers_the_citys_halls_and_files_at_the_one_chosen(world, district, city_item, as_user):
    client = as_user(world.alice)
    page = client.get(f"/items/{city_item.code}/apply/").content.decode()
    assert 'data-testid="receiving-hall"' in page and 'value="T-OTHER"' in page
    version = city_item.current
    first = version.materials.order_by("order").first()
    upload = SimpleUploadedFile("申请书.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    with clock.frozen(DAY):
        answer = client.post(
            f"/items/{city_item.code}/apply/", {"hall": "T-OTHER", f"material_{first.pk}": upload}
        )
    assert answer.status_code == 302
    case = Case.objects.get()
    assert case.hall == world.other_hall and case.channel == Channel.PORTAL
    assert [c.number for c in pre_review.queue(district.clerk)] == [case.number]
