"""The fourth colour (预警) where people see it: the department inbox, the supervisor's list and the
dashboard — one rule (cases.queries.with_risk): green by the clock, probability ≥ the setting,
a fresh score."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import queries, services
from onewindow.cases.models import AT_RISK, CaseRisk, Channel
from onewindow.personas import all_required, published_item

pytestmark = pytest.mark.django_db
D = dt.date
MONDAY = D(2026, 11, 2)
REASONS = [
    {"key": "behind", "text": "「审查」环节已用 3 个工作日，剩余 2 个工作日"},
    {"key": "per_reviewer", "text": "本科室在办 38 件（人均 12.7 件）"},
]


@pytest.fixture
def cases(world):
    item = published_item(world)
    out = []
    with clock.frozen(MONDAY):
        for _ in range(3):
            case = services.submit(version=item.current, applicant=world.alice_applicant, hall=world.hall,
                                   channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(item.current))  # fmt: skip
            out.append(services.accept(case, by=world.clerk))
    return out


def risk(case, p, on=MONDAY):
    CaseRisk.objects.create(case=case, department_id=case.department_id, probability=p, reasons=REASONS,
                            model_version=1, scored_on=on)  # fmt: skip


def test_a_likely_late_green_case_is_at_risk_with_its_reasons_in_the_inbox(world, cases, as_user, settings):
    settings.ONEWINDOW_AT_RISK_PERCENT = 40
    likely, unlikely, _unscored = cases
    risk(likely, 0.62)
    risk(unlikely, 0.39)  # below the setting: stays green
    with clock.frozen(MONDAY + dt.timedelta(days=1)):
        assert queries.light_counts(world.dept_a.pk) == {"red": 0, "yellow": 0, AT_RISK: 1, "green": 2}
        page = as_user(world.reviewer_a).get("/staff/inbox/")
        html = page.content.decode()
        assert html.count("预警 · 可能逾期") == 1 and html.count("绿灯 · 正常") == 2
        assert "逾期概率 62%" in html and REASONS[0]["text"] in html and REASONS[1]["text"] in html
        only = as_user(world.reviewer_a).get("/staff/inbox/?light=at_risk")
        assert [c.number for c in only.context["cases"]] == [likely.number]
        greens = as_user(world.reviewer_a).get("/staff/inbox/?light=green")
        assert (
            likely.number not in {c.number for c in greens.context["cases"]}
            and len(greens.context["cases"]) == 2
        )
    # the threshold is a setting: raised above 62%, nothing is at risk
    settings.ONEWINDOW_AT_RISK_PERCENT = 70
    with clock.frozen(MONDAY):
        assert queries.light_counts(world.dept_a.pk)[AT_RISK] == 0


def test_yellow_red_and_stale_scores_keep_their_own_colour(world, cases, as_user):
    case, _, _ = cases
    risk(case, 0.95)
    # on the deadline's eve the clock says yellow: the law's light wins over the forecast
    with clock.frozen(D(2026, 11, 6)):
        assert queries.light_counts(world.dept_a.pk)["yellow"] == 3
        assert queries.light_counts(world.dept_a.pk)[AT_RISK] == 0
    # a score the worker has not renewed for more than RISK_FRESH_DAYS is not shown
    with clock.frozen(MONDAY + dt.timedelta(days=queries.RISK_FRESH_DAYS + 1)):
        assert queries.light_counts(world.dept_a.pk)[AT_RISK] == 0


def test_the_supervisor_lists_the_at_risk_cases_most_likely_first_and_the_dashboard_counts_them(
    world, cases, as_user
):
    first, second, _ = cases
    risk(first, 0.55)
    risk(second, 0.81)
    with clock.frozen(MONDAY):
        page = as_user(world.supervisor).get("/staff/supervision/?kind=cases&light=at_risk")
        assert [c.number for c in page.context["cases"]] == [second.number, first.number]
        assert "逾期概率 81%" in page.content.decode()
        dashboard = as_user(world.supervisor).get("/staff/stats/")
        assert dashboard.context["lights"] == {"red": 0, "yellow": 0, "at_risk": 2, "green": 1}
        assert 'data-testid="lights-at-risk">2<' in dashboard.content.decode()


def test_the_case_page_shows_the_forecast_to_staff_and_never_to_the_applicant(world, cases, as_user):
    case, _, _ = cases
    risk(case, 0.71)
    with clock.frozen(MONDAY):
        staff_page = as_user(world.reviewer_a).get(f"/staff/cases/{case.number}/").content.decode()
        assert (
            "预警 · 可能逾期" in staff_page
            and "逾期概率 71%" in staff_page
            and REASONS[1]["text"] in staff_page
        )
        mine = as_user(world.alice).get(f"/my/cases/{case.number}/").content.decode()
        assert "逾期概率" not in mine and "预警" not in mine


def test_the_api_gives_staff_the_forecast_and_the_at_risk_filter_never_the_applicant(world, cases, as_user):
    likely, other, _ = cases
    risk(likely, 0.66)
    with clock.frozen(MONDAY):
        reviewer = as_user(world.reviewer_a)
        answer = reviewer.get(f"/api/v1/cases/{likely.number}/risk")
        assert answer.status_code == 200
        body = answer.json()
        assert body["probability"] == 0.66 and body["at_risk"] is True and body["reasons"] == REASONS
        assert reviewer.get(f"/api/v1/cases/{other.number}/risk").json()["code"] == "case.no_risk"
        listed = reviewer.get("/api/v1/cases?light=at_risk").json()
        rows = listed["results"]
        assert [r["number"] for r in rows] == [likely.number] and rows[0]["at_risk"] is True
        greens = reviewer.get("/api/v1/cases?light=green").json()["results"]
        assert likely.number not in {r["number"] for r in greens} and len(greens) == 2
        bad = reviewer.get("/api/v1/cases?light=purple")
        assert bad.status_code == 400 and bad.json()["code"] == "case.light_filter"
        # the applicant: no forecast, no filter by it, no field
        alice = as_user(world.alice)
        refused = alice.get(f"/api/v1/cases/{likely.number}/risk")
        assert refused.status_code == 403 and refused.json()["code"] == "case.risk_staff_only"
        assert alice.get("/api/v1/cases?light=at_risk").json()["code"] == "case.light_filter"
        assert all(r["at_risk"] is None for r in alice.get("/api/v1/cases").json()["results"])
