"""Issue 16 item 1: the ONE light (cases.clock_rules) over every watched clock, set-based —
cases, online pre-review, project stages and co-reviews, tolerant-acceptance promises,
commitment checks and deliveries — each at green, yellow and red with the clock moved; the
scope (同城通办: receiving OR deciding hall; a department head: their department); the
120-working-day target of a project (国办发〔2018〕33号)."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.cases import pre_review
from onewindow.cases import services as cases
from onewindow.cases.models import Channel, SupervisionSettings
from onewindow.conftest import client_for
from onewindow.payments.tests.fixtures import decided, free  # noqa: F401
from onewindow.personas import FOOD_PERMIT, all_required, new_staff, published_item
from onewindow.projects import services as projects
from onewindow.projects.models import Project, Stage
from onewindow.projects.tests.conftest import cast, register  # noqa: F401
from onewindow.supervision import watches
from onewindow.workdays import calendar

pytestmark = pytest.mark.django_db
D = dt.date
MONDAY = D(2026, 11, 2)  # a plain working week follows; 11-07/08 and 11-14/15 are weekends
ALL = ("red", "yellow", "green")


def lights(world, kind: str, today: dt.date, user=None) -> dict[str, set[str]]:
    """{number: {light, …}} of a kind as `user` (the supervisor) sees it on `today`."""
    scope = watches.scope_for(user or world.supervisor)
    found: dict[str, set[str]] = {}
    for row in watches.items(watches.BY_KEY[kind], scope, today, lights=ALL):
        found.setdefault(row["w_number"], set()).add(row["light"])
    return found


def counts(world, kind, today, user=None):
    return watches.counts(watches.BY_KEY[kind], watches.scope_for(user or world.supervisor), today)


def window_case(world, version, hall=None, clerk=None):
    return cases.submit(version=version, applicant=world.alice_applicant, hall=hall or world.hall,
                        channel=Channel.WINDOW, by=clerk or world.clerk, handed_in=all_required(version))  # fmt: skip


def story(world, kind, number, expected):
    """The light of `number` on each (day, light) of `expected`; the counts agree."""
    for today, light in expected:
        assert lights(world, kind, today).get(number) == {light}, (kind, today)
        assert counts(world, kind, today)[light] >= 1


def test_a_case_goes_green_yellow_red(world, accept):
    case = accept(MONDAY)  # 5 promised working days: due Mon 11-09, yellow at ≤ 1 day left
    story(world, "cases", case.number, [(D(2026, 11, 5), "green"), (D(2026, 11, 6), "yellow"),
                                        (D(2026, 11, 9), "yellow"), (D(2026, 11, 10), "red")])  # fmt: skip


def test_an_online_submission_goes_green_yellow_red_by_art_32(world):
    version = published_item(world).current
    with clock.frozen(MONDAY):
        case = cases.submit(version=version, applicant=world.alice_applicant, hall=world.hall,
                            channel=Channel.PORTAL, by=world.alice)  # fmt: skip
    # 5 working days from intake_from: the answer is due Mon 11-09 — red that day, as on the
    # clerk's 网上预审 page (cases.pre_review.with_light); the day after, art. 32 deems it accepted.
    story(world, "pre_review", case.number, [(D(2026, 11, 5), "green"), (D(2026, 11, 6), "yellow"),
                                             (D(2026, 11, 9), "red")])  # fmt: skip
    with clock.frozen(D(2026, 11, 9)):
        assert {c.number: c.light for c in pre_review.queue(world.clerk)}[case.number] == "red"
    with clock.frozen(D(2026, 11, 10)):
        cases.refuse(
            case, by=world.clerk, reason="不属于本机关职权范围", where_to_turn="请向县级市场监管部门申请"
        )
    assert case.number not in lights(world, "pre_review", D(2026, 11, 10))  # answered: no clock


@pytest.fixture
def accepted_stage(world, cast):  # noqa: F811
    with clock.frozen(MONDAY):
        project = register(world, cast)
        projects.accept_stage(project, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
    return project


def test_a_stage_and_its_co_reviews_go_green_yellow_red(world, accepted_stage):
    code = accepted_stage.code
    # Stage 1: 5 working days (due 11-09); co-reviews B and D: 3 (due Thu 11-05), yellow at ≤ 1.
    story(
        world,
        "stages",
        code,
        [(D(2026, 11, 5), "green"), (D(2026, 11, 6), "yellow"), (D(2026, 11, 10), "red")],
    )
    story(
        world,
        "opinions",
        code,
        [(D(2026, 11, 3), "green"), (D(2026, 11, 4), "yellow"), (D(2026, 11, 6), "red")],
    )
    assert counts(world, "opinions", D(2026, 11, 6))["red"] == 2
    rows = watches.items(watches.BY_KEY["opinions"], watches.scope_for(world.supervisor), D(2026, 11, 9))
    assert {(r["w_department"], r["days_over"], r["w_due_on"]) for r in rows} == {
        (world.dept_b.name, 2, D(2026, 11, 5)), ("测试消防救援支队", 2, D(2026, 11, 5))}  # fmt: skip


def test_the_halls_own_threshold_lights_every_kind(world, accepted_stage):
    # A 3-day co-review is green two days before its limit at the default (max(1, 20%))…
    assert lights(world, "opinions", D(2026, 11, 3)) == {accepted_stage.code: {"green"}}
    # …and yellow once the hall asks for 2 days' warning (clock_rules' threshold, in SQL).
    SupervisionSettings.objects.create(hall=world.hall, yellow_percent=20, yellow_min_days=2)
    assert lights(world, "opinions", D(2026, 11, 3)) == {accepted_stage.code: {"yellow"}}


@pytest.fixture
def tolerated(world):
    item = published_item(
        world, materials=[m for m in FOOD_PERMIT["materials"] if m["source"] == "applicant"]
    )
    version = item.current
    key = version.materials.get(name="食品经营许可申请书")
    with clock.frozen(MONDAY):
        case = cases.submit(version=version, applicant=world.alice_applicant, hall=world.hall,
                            channel=Channel.WINDOW, by=world.clerk, handed_in=[key.pk])  # fmt: skip
        return cases.accept_tolerantly(case, by=world.clerk, supply_by=D(2026, 11, 6))


def test_a_promise_compares_working_day_ordinals(world, tolerated):
    number = tolerated.number
    # Promised Fri 11-06 (4 working days after acceptance): the Saturday after counts as the
    # Friday (the same ordinal, still the applicant's day), Monday is overdue.
    story(world, "tolerance", number, [(D(2026, 11, 4), "green"), (D(2026, 11, 5), "yellow"),
                                       (D(2026, 11, 7), "yellow"), (D(2026, 11, 9), "red")])  # fmt: skip


def test_a_commitment_check_goes_green_yellow_red(world, settings):
    settings.ONEWINDOW_COMMITMENT_CHECK_DAYS = 10  # yellow at ≤ 2 working days left
    item = published_item(world, code="T-GGWS-0001", name="公共场所卫生许可", commitment_approval=True,
                          materials=[m for m in FOOD_PERMIT["materials"] if m["source"] == "applicant"])  # fmt: skip
    with clock.frozen(MONDAY):
        case = cases.submit(version=item.current, applicant=world.alice_applicant, hall=world.hall,
                            channel=Channel.WINDOW, by=world.clerk,
                            handed_in=[m.pk for m in item.current.materials.all()])  # fmt: skip
        case = cases.approve_by_commitment(case, by=world.clerk, commitment="本人承诺经营场所符合卫生要求")
    # due Mon 11-16: Wed 11-11 has 3 days left, Thu 11-12 2, Tue 11-17 is past.
    story(world, "checks", case.number, [(D(2026, 11, 11), "green"), (D(2026, 11, 12), "yellow"),
                                         (D(2026, 11, 17), "red")])  # fmt: skip


def test_a_delivery_goes_green_yellow_red_by_art_44(world, free):  # noqa: F811
    case = decided(world, free, on=MONDAY)
    # Ten working days after Mon 11-02: due Mon 11-16; yellow at ≤ 2 days left (20% of 10).
    story(world, "deliveries", case.number, [(D(2026, 11, 11), "green"), (D(2026, 11, 12), "yellow"),
                                             (D(2026, 11, 17), "red")])  # fmt: skip
    row = watches.items(watches.BY_KEY["deliveries"], watches.scope_for(world.supervisor), D(2026, 11, 18))[0]
    assert (row["w_due_on"], row["days_over"]) == (D(2026, 11, 16), 2)
    from onewindow.licenses import services as licenses

    with clock.frozen(D(2026, 11, 17)):
        licenses.issue_license(case, by=world.reviewer_a)
        licenses.deliver_license(case, by=world.clerk, method="pickup", signed_by="艾丽", id_checked=True)
    assert case.number not in lights(world, "deliveries", D(2026, 11, 18))  # delivered: no clock


def test_the_deliveries_tab_watches_twenty_working_days_then_the_late_register_has_it(world, free):  # noqa: F811
    from onewindow.licenses.queries import late_deliveries

    case = decided(world, free, on=MONDAY)  # decided Mon 11-02, never delivered
    last = calendar.add_workdays(MONDAY, watches.DELIVERY_WATCH_DAYS)
    assert lights(world, "deliveries", last).get(case.number) == {"red"}
    after = calendar.add_workdays(last, 1)
    assert case.number not in lights(world, "deliveries", after)
    assert case in late_deliveries(after)  # 逾期送达: licenses' register keeps it


# ---- scope -------------------------------------------------------------------------------------


@pytest.fixture
def district(world):
    """The district hall's supervisor and clerk; department C decides at the district hall."""
    return {
        "supervisor": new_staff("supervisor_dc", "苏迪", Role.SUPERVISOR, world.other_hall, phone="13800000011"),
        "clerk": new_staff("clerk_dc", "邓城", Role.CLERK, world.other_hall, phone="13800000012"),
        "head_c": new_staff("head_c", "何晨", Role.DEPARTMENT_HEAD, world.other_hall, world.dept_c, phone="13800000013"),
    }  # fmt: skip


def test_scope_is_the_receiving_or_the_deciding_hall(world, district):
    city_item = published_item(world)  # department A: decides at the city hall
    district_item = published_item(
        world, code="T-DC-0001", name="临时占用城市道路许可", department=world.dept_c.code
    )
    # Department C is also stationed at the city hall; its deciding hall stays the district's.
    world.hall.departments.add(world.dept_c)
    with clock.frozen(MONDAY):
        at_district_for_city = cases.accept(window_case(world, city_item.current, world.other_hall, district["clerk"]),
                                            by=district["clerk"])  # fmt: skip
        at_city_for_district = cases.accept(window_case(world, district_item.current), by=world.clerk)
        at_district_for_district = cases.accept(
            window_case(world, district_item.current, world.other_hall, district["clerk"]),
            by=district["clerk"],
        )
    today = D(2026, 11, 10)
    city = set(lights(world, "cases", today))
    here = set(lights(world, "cases", today, district["supervisor"]))
    head_c = set(lights(world, "cases", today, district["head_c"]))
    head_a = set(lights(world, "cases", today, world.head_a))
    assert city == {at_district_for_city.number, at_city_for_district.number}
    assert here == {at_district_for_city.number, at_city_for_district.number, at_district_for_district.number}
    assert head_c == {at_city_for_district.number, at_district_for_district.number}
    assert head_a == {at_district_for_city.number}
    # The list (queries.watched) reads the same scope; a case received elsewhere is listed
    # without a link (its page is the receiving hall's).
    with clock.frozen(today):
        html = client_for(world.supervisor).get("/staff/supervision/").content.decode()
        assert at_district_for_city.number in html and at_district_for_district.number not in html
        assert f'href="/staff/cases/{at_city_for_district.number}/"' in html
        assert f'href="/staff/cases/{at_district_for_city.number}/"' not in html
        assert "同城通办" in html
        head_page = client_for(district["head_c"]).get("/staff/supervision/").content.decode()
    assert at_district_for_district.number in head_page and at_district_for_city.number not in head_page
    assert "违规记录" not in head_page  # the register stays hall management's


def test_a_department_head_sees_only_their_departments_co_reviews(world, accepted_stage, cast):  # noqa: F811
    head_d = new_staff("head_d", "丁可", Role.DEPARTMENT_HEAD, world.hall, cast.dept_d, phone="13800000014")
    rows = watches.items(watches.BY_KEY["opinions"], watches.scope_for(head_d), D(2026, 11, 6))
    assert [r["w_department"] for r in rows] == [cast.dept_d.name]
    assert watches.counts(watches.BY_KEY["stages"], watches.scope_for(head_d), D(2026, 11, 10))["red"] == 0
    assert (
        watches.counts(watches.BY_KEY["stages"], watches.scope_for(world.head_a), D(2026, 11, 10))["red"] == 1
    )


def test_the_page_shows_each_kind_with_its_counts_and_filters_by_department(world, accepted_stage):
    with clock.frozen(D(2026, 11, 6)):
        client = client_for(world.supervisor)
        page = client.get("/staff/supervision/?kind=opinions").content.decode()
        assert 'data-testid="kind-opinions"' in page and 'data-testid="kind-deliveries"' in page
        assert page.count('data-testid="item-row"') == 2 and "红灯 · 已超期" in page
        assert f'href="/projects/{accepted_stage.code}/"' in page
        only_b = client.get(
            f"/staff/supervision/?kind=opinions&department={world.dept_b.pk}"
        ).content.decode()
        assert only_b.count('data-testid="item-row"') == 1 and world.dept_b.name in only_b
        green = client.get("/staff/supervision/?kind=stages&light=red").content.decode()
        assert 'data-testid="watched-empty"' in green  # the stage is yellow on 11-06, not red


# ---- the 120-working-day target ------------------------------------------------------------------


def test_a_project_past_120_working_days_is_flagged_on_both_pages(world, accepted_stage, cast):  # noqa: F811
    total = sum(Stage.objects.filter(project=accepted_stage).values_list("limit_days", flat=True))
    assert total <= 120
    scope = watches.scope_for(world.supervisor)
    assert list(watches.past_target(scope)) == []
    client = client_for(world.supervisor)
    assert 'data-testid="past-target"' not in client.get(f"/projects/{accepted_stage.code}/").content.decode()
    # A hall whose stage limits add up to 121 working days: flagged.
    Stage.objects.filter(project=accepted_stage, order=4).update(limit_days=121 - total + 5)
    flagged = list(watches.past_target(scope))
    assert [(p.code, p.stage_total) for p in flagged] == [(accepted_stage.code, 121)]
    assert watches.past_target(watches.scope_for(world.head_a)).count() == 1  # A leads stages of it
    assert watches.past_target(watches.scope_for(cast.reviewer_d)).count() == 0  # D leads no stage
    page = client.get(f"/projects/{accepted_stage.code}/").content.decode()
    assert 'data-testid="past-target"' in page and "121" in page
    listing = client.get("/staff/supervision/?kind=target").content.decode()
    assert listing.count('data-testid="target-row"') == 1 and accepted_stage.code in listing
    assert Project.objects.count() == 1


def test_calendar_ordinals_not_dates(world, accept):
    """A case due on a working day stays yellow over the weekend after its last-but-one day."""
    case = accept(D(2026, 11, 3))  # due Tue 11-10
    assert calendar.seq(D(2026, 11, 7)) == calendar.seq(D(2026, 11, 6))
    story(world, "cases", case.number, [(D(2026, 11, 6), "green"), (D(2026, 11, 8), "green"),
                                        (D(2026, 11, 9), "yellow"), (D(2026, 11, 11), "red")])  # fmt: skip
