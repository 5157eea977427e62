"""Issue 13 rule 8 (b): 容缺受理 — a missed promise date is recorded as an event (a supervision
event, RULES.md), once per case, by the periodic job."""

import datetime as dt

import pytest
from django.core.management import call_command

from onewindow import clock
from onewindow.cases import services, tolerance
from onewindow.cases.models import CaseEvent, Channel
from onewindow.personas import FOOD_PERMIT, published_item

pytestmark = pytest.mark.django_db
D = dt.date
MONDAY = D(2026, 11, 2)
PROMISED = D(2026, 11, 6)  # Friday
MATERIALS = [
    m for m in FOOD_PERMIT["materials"] if m["source"] == "applicant"
]  # 申请书, 管理制度 (tolerable)


@pytest.fixture
def tolerated(world):
    item = published_item(world, materials=MATERIALS)

    def make():
        version = item.current
        key = version.materials.get(name="食品经营许可申请书")
        with clock.frozen(MONDAY):
            case = services.submit(version=version, applicant=world.alice_applicant, hall=world.hall,
                                   channel=Channel.WINDOW, by=world.clerk, handed_in=[key.pk])  # fmt: skip
            return services.accept_tolerantly(case, by=world.clerk, supply_by=PROMISED)

    return make


def _recorded(case):
    return list(CaseEvent.objects.filter(case=case, action="tolerance_overdue"))


def test_a_missed_promise_is_recorded_once_on_the_case(world, tolerated, as_user, capsys):
    # given a case accepted tolerantly on Mon 2026-11-02, 食品安全管理制度 promised by Fri 11-06
    case = tolerated()
    # when the job runs on the promised day: the day still belongs to the applicant
    with clock.frozen(PROMISED):
        assert tolerance.record_missed_promises() == 0
    # then on Mon 11-09, still not supplied, the missed promise is recorded against the case
    with clock.frozen(D(2026, 11, 9)):
        call_command("periodic")
    assert "容缺材料逾期未补齐记录：1 件" in capsys.readouterr().out
    [event] = _recorded(case)
    assert event.actor is None and event.payload == {
        "supply_by": "2026-11-06",
        "materials": ["食品安全管理制度"],
    }
    assert "2026-11-06" in event.reason
    # and only once, however often the job runs
    with clock.frozen(D(2026, 11, 10)):
        assert tolerance.record_missed_promises() == 0
        call_command("periodic")
    assert len(_recorded(case)) == 1
    # and the case page shows it in the history
    page = as_user(world.clerk).get(f"/staff/cases/{case.number}/").content.decode()
    assert "容缺材料逾期未补齐" in page


def test_a_promise_kept_is_not_recorded(world, tolerated):
    case = tolerated()
    with clock.frozen(PROMISED):
        tolerated_material = case.materials.get(state="tolerated")
        services.supply_tolerated(case, by=world.clerk, materials=[tolerated_material.material_id])
    with clock.frozen(D(2026, 11, 9)):
        assert tolerance.record_missed_promises() == 0
    assert _recorded(case) == []


def test_the_selection_is_one_query(world, tolerated, django_assert_num_queries):
    tolerated()
    with clock.frozen(PROMISED), django_assert_num_queries(1):
        assert tolerance.record_missed_promises() == 0
