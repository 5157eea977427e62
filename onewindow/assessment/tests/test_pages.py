"""Award confirmation's permissions and rules, and the pages (management, own, public, Excel)."""

import io

import pytest
from openpyxl import load_workbook

from onewindow import clock
from onewindow.accounts.models import Role
from onewindow.assessment import services
from onewindow.assessment.models import Award
from onewindow.assessment.tests.conftest import APRIL_2, MARCH
from onewindow.errors import DomainError
from onewindow.personas import new_staff


@pytest.fixture
def computed(world, dave, march):
    with clock.frozen(APRIL_2):
        services.compute(MARCH, world.hall)


def _proposed(world, kind):
    return services.proposals(world.hall, MARCH, kind)[0]


def test_only_the_halls_management_confirms_an_award(world, dave, computed):
    red = _proposed(world, Award.Kind.RED_FLAG)
    for user in (world.clerk, world.reviewer_a, world.head_a, dave):
        with pytest.raises(DomainError) as refused:
            services.confirm_award(world.hall, MARCH, Award.Kind.RED_FLAG, red.pk, by=user)
        assert refused.value.code == "assessment.award_forbidden"
    other_supervisor = new_staff("sup_c", "外中心监督", Role.SUPERVISOR, world.other_hall)
    with pytest.raises(DomainError):
        services.confirm_award(world.hall, MARCH, Award.Kind.RED_FLAG, red.pk, by=other_supervisor)
    assert not Award.objects.exists()

    with clock.frozen(APRIL_2):
        award = services.confirm_award(world.hall, MARCH, Award.Kind.RED_FLAG, red.pk, by=world.supervisor)
    assert (award.window, award.confirmed_by, award.score) == (world.window_1, world.supervisor, red.score)
    assert award.confirmed_at == APRIL_2
    with pytest.raises(DomainError) as twice:
        services.confirm_award(world.hall, MARCH, Award.Kind.RED_FLAG, red.pk, by=world.hall_admin)
    assert twice.value.code == "assessment.award_already_confirmed"


def test_only_a_proposed_score_can_be_confirmed(world, dave, computed):
    from onewindow.assessment.models import MonthlyScore

    carded = MonthlyScore.objects.get(month=MARCH, window=world.window_a)  # an upheld violation
    with pytest.raises(DomainError) as refused:
        services.confirm_award(world.hall, MARCH, Award.Kind.RED_FLAG, carded.pk, by=world.supervisor)
    assert refused.value.code == "assessment.not_proposed"
    carol = MonthlyScore.objects.get(month=MARCH, officer=world.clerk)
    with pytest.raises(DomainError):  # an officer is no red-flag window
        services.confirm_award(world.hall, MARCH, Award.Kind.RED_FLAG, carol.pk, by=world.supervisor)
    services.confirm_award(world.hall, MARCH, Award.Kind.SERVICE_STAR, carol.pk, by=world.hall_admin)


def test_confirmed_awards_survive_a_recompute(world, dave, computed):
    red = _proposed(world, Award.Kind.RED_FLAG)
    services.confirm_award(world.hall, MARCH, Award.Kind.RED_FLAG, red.pk, by=world.supervisor)
    with clock.frozen(APRIL_2):
        services.compute(MARCH, world.hall)
    assert Award.objects.get().name == "01号窗口 综合受理"


def test_the_pages(world, dave, computed, as_user):
    page = as_user(world.supervisor).get("/staff/assessment/", {"month": "2026-03"})
    assert page.status_code == 200
    text = page.content.decode()
    assert "第1名 · 11号窗口 市场监管窗口 · <strong>948.00</strong>" in text and "办结4件，按时3件" in text
    assert as_user(world.clerk).get("/staff/assessment/").status_code == 403
    post = as_user(world.supervisor).post("/staff/assessment/", {"month": "2026-03", "kind": "red_flag",
                                                                 "score": _proposed(world, "red_flag").pk})  # fmt: skip
    assert post.status_code == 302 and Award.objects.get().confirmed_by == world.supervisor

    mine = as_user(dave).get("/staff/assessment/mine/", {"month": "2026-03"}).content.decode()
    assert "戴夫（工作人员） · 948.00分" in mine and "认定违规1起" in mine and "柯萝" not in mine

    public = as_user(world.outsider).get("/assessment/", {"month": "2026-03"}).content.decode()
    assert "01号窗口 综合受理" in public and "859.00" in public
    assert "戴夫" not in public and "柯萝" not in public  # no officer's score; no star confirmed yet

    xlsx = as_user(world.hall_admin).get("/staff/assessment/ranking.xlsx", {"month": "2026-03"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert [c.value for c in sheet[1]][:5] == ["对象", "名次", "名称", "得分", "按时办结率"]
    assert [c.value for c in sheet[2]][:5] == ["窗口", 1, "11号窗口 市场监管窗口", 948, 0]
    assert sheet.max_row == 5
