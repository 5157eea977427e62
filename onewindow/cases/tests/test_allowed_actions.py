"""One source for what may be done to a case now (issue 14): for a grid of case states × personas
the case page offers exactly cases.services.allowed_actions (and the API's case detail lists the
same), every offered action succeeds when performed, and every action not offered is refused by
its service — each tried on the same state inside a savepoint that is rolled back."""

import datetime as dt
import re

import pytest
from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import Role, Staff, User
from onewindow.cases import commitment_checks, services
from onewindow.cases.allowed import CASE_PAGE_ACTIONS
from onewindow.cases.models import Case, CaseMaterial, Channel
from onewindow.errors import DomainError
from onewindow.personas import all_required, published_item

pytestmark = pytest.mark.django_db


def _agent(world) -> User:
    user = User.objects.create_user(username="agent", password="x", display_name="郑强")
    Staff.objects.create(user=user, name="郑强", role=Role.AGENT, hall=world.hall)
    return user


def _submit(world, food, handed, by=None):
    return services.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                           channel=Channel.WINDOW, by=by or world.clerk, handed_in=handed)  # fmt: skip


def _materials(food, *orders):
    return [m.pk for m in food.current.materials.order_by("order") if m.order in orders]


def _accepted(world, food):
    return services.accept(_submit(world, food, all_required(food.current)), by=world.clerk)


def _reviewed(world, food):
    return services.review(_accepted(world, food), by=world.reviewer_a, opinion="材料齐全")


def _tolerated(world, food):
    case = _submit(world, food, _materials(food, 1, 2))  # 3 (tolerable) missing
    return services.accept_tolerantly(case, by=world.clerk, supply_by=clock.today() + dt.timedelta(days=5))


def _other_item(world, code, **flags):
    item = published_item(world, code=code, name=f"测试事项{code}", **flags)
    return item.current


def _commitment_case(world):
    version = _other_item(world, "T-GGWS-0001", commitment_approval=True)
    return services.submit(version=version, applicant=world.alice_applicant, hall=world.hall,
                           channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(version))  # fmt: skip


def _on_the_spot(world):
    version = _other_item(
        world,
        "T-JB-0001",
        on_the_spot=True,
        promised_limit_days=0,
        steps=[
            {"name": "审查", "role": "reviewer", "days": 0},
            {"name": "决定", "role": "department_head", "days": 0},
        ],
    )
    case = services.submit(version=version, applicant=world.alice_applicant, hall=world.hall,
                           channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(version))  # fmt: skip
    return services.accept(case, by=world.clerk)


# The states: each builds a fresh case (name → builder(world, food, agent)).
STATES = {
    "submitted_complete": lambda w, f, a: _submit(w, f, all_required(f.current)),
    "submitted_tolerable_missing": lambda w, f, a: _submit(w, f, _materials(f, 1, 2)),
    "submitted_key_missing": lambda w, f, a: _submit(w, f, []),
    # 材料审核 (issue 15): a material marked 需补正 holds 受理 back; the notice may be given
    "submitted_marked_for_correction": lambda w, f, a: services.mark_material(
        _submit(w, f, all_required(f.current)), by=w.clerk, material=_materials(f, 1)[0], mark="needs_correction",
        note="申请书未签字"),
    "filed_by_agent": lambda w, f, a: _submit(w, f, all_required(f.current), by=a),
    "supplement_requested": lambda w, f, a: services.request_supplement(
        _submit(w, f, _materials(f, 1, 2)), by=w.clerk, items=[{"material": _materials(f, 3)[0], "note": "补交"}]),
    "in_review": lambda w, f, a: _accepted(w, f),
    "reviewed": lambda w, f, a: _reviewed(w, f),
    "tolerated_reviewed": lambda w, f, a: services.review(_tolerated(w, f), by=w.reviewer_a, opinion="可"),
    "suspended": lambda w, f, a: services.suspend(_accepted(w, f), by=w.reviewer_a, kind="hearing", reason="听证"),
    "correction_requested": lambda w, f, a: services.return_for_correction(
        _accepted(w, f), by=w.reviewer_a, items=[{"material": _materials(f, 1)[0], "note": "签字不全"}]),
    "extended": lambda w, f, a: services.extend(_accepted(w, f), by=w.head_a, days=2, reason="复杂"),
    "closed": lambda w, f, a: services.decide(_reviewed(w, f), by=w.head_a, approve=True),
    "commitment_item_submitted": lambda w, f, a: _commitment_case(w),
    "approved_by_commitment": lambda w, f, a: services.approve_by_commitment(_commitment_case(w), by=w.clerk,
                                                                           commitment="承诺"),
    "on_the_spot_accepted_today": lambda w, f, a: _on_the_spot(w),
}  # fmt: skip
PERSONAS = ["clerk", "reviewer_a", "head_a", "reviewer_b", "supervisor", "agent", "alice"]


def _pending(case, *states):
    return [m.material_id for m in CaseMaterial.objects.filter(case=case, state__in=states)] or [
        CaseMaterial.objects.filter(case=case).order_by("pk").first().material_id
    ]


def _perform(action: str, case: Case, by: User):
    outstanding = _pending(case, CaseMaterial.State.MISSING, CaseMaterial.State.DEFECTIVE)
    notice = [{"material": m, "note": "请补正"} for m in outstanding]
    run = {
        "receive": lambda: services.receive(case, by=by, materials=outstanding),
        "mark_material": lambda: services.mark_material(
            case, by=by, material=_pending(case, CaseMaterial.State.RECEIVED)[0], mark="passed"
        ),
        "accept": lambda: services.accept(case, by=by),
        "request_supplement": lambda: services.request_supplement(case, by=by, items=notice),
        "accept_tolerantly": lambda: services.accept_tolerantly(
            case, by=by, supply_by=clock.today() + dt.timedelta(days=3)
        ),
        "approve_by_commitment": lambda: services.approve_by_commitment(case, by=by, commitment="承诺"),
        "supplement": lambda: services.supplement(case, by=by, materials=outstanding),
        "supply_tolerated": lambda: services.supply_tolerated(
            case, by=by, materials=_pending(case, CaseMaterial.State.TOLERATED)
        ),
        "review": lambda: services.review(case, by=by, opinion="同意"),
        "decide": lambda: services.decide(case, by=by, approve=True),
        "return_for_correction": lambda: services.return_for_correction(case, by=by, items=notice),
        "suspend": lambda: services.suspend(case, by=by, kind="hearing", reason="听证"),
        "resume": lambda: services.resume(case, by=by),
        "extend": lambda: services.extend(case, by=by, days=1, reason="复杂"),
        "commitment_check": lambda: commitment_checks.record(case, by=by, passed=True),
        "refuse": lambda: services.refuse(case, by=by, reason="不属于本机关职权", where_to_turn="区民政局"),
        "withdraw": lambda: services.withdraw(case, by=by, reason="不再申请"),
    }[action]
    run()


class _RolledBack(Exception):
    pass


def _succeeds(action: str, number: str, by: User) -> bool:
    """Performs the action on a fresh copy of the case in a savepoint, then rolls it back."""
    try:
        with transaction.atomic():
            _perform(action, Case.objects.get(number=number), by)
            raise _RolledBack
    except _RolledBack:
        return True
    except DomainError:
        return False


def _offered(page) -> set[str]:
    if page.status_code != 200:
        return set()
    return {m.replace("-", "_") for m in re.findall(r'data-testid="form-([a-z-]+)"', page.content.decode())}


@pytest.mark.parametrize("state", list(STATES))
def test_page_api_and_services_agree(world, food, as_user, api, state):
    agent = _agent(world)
    people = {name: agent if name == "agent" else getattr(world, name) for name in PERSONAS}
    number = STATES[state](world, food, agent).number
    offered_somewhere = set()
    for name, user in people.items():
        case = Case.objects.select_related("applicant").get(number=number)
        allowed = services.allowed_actions(case, user)
        offered_somewhere |= set(allowed)
        if name != "alice":  # the applicant's case page is their own view (no staff forms)
            assert _offered(as_user(user).get(f"/staff/cases/{number}/")) == set(allowed), (state, name)
        detail = api(user).get(f"/cases/{number}")
        assert (detail.json()["allowed_actions"] if detail.status_code == 200 else []) == allowed, (
            state,
            name,
        )
        for action in CASE_PAGE_ACTIONS:
            assert _succeeds(action, number, user) == (action in allowed), (state, name, action)
    # every state but the closed one offers someone something: the grid tests a choice
    assert bool(offered_somewhere) == (state != "closed"), state


def test_the_grid_covers_the_rules(world, food):
    """The states above reach each kind of refusal the page must know: status, role, scope,
    the agent's authorisation and the case's state."""
    agent = _agent(world)
    missing = STATES["submitted_key_missing"](world, food, agent)
    assert "accept" not in services.allowed_actions(missing, world.clerk)  # a required material missing
    assert "accept_tolerantly" not in services.allowed_actions(missing, world.clerk)  # the key one at that
    assert "request_supplement" in services.allowed_actions(missing, world.clerk)
    marked = STATES["submitted_marked_for_correction"](world, food, agent)
    assert "accept" not in services.allowed_actions(marked, world.clerk)  # marked 需补正: the notice first
    assert "request_supplement" in services.allowed_actions(marked, world.clerk)
    complete = STATES["submitted_complete"](world, food, agent)
    assert services.allowed_actions(complete, agent) == []  # not filed by the agent
    assert "accept" in services.allowed_actions(STATES["filed_by_agent"](world, food, agent), agent)
    in_review = STATES["in_review"](world, food, agent)
    assert "decide" not in services.allowed_actions(in_review, world.head_a)  # review pending
    assert services.allowed_actions(in_review, world.reviewer_b) == []  # another department
    assert "decide" in services.allowed_actions(STATES["reviewed"](world, food, agent), world.head_a)
    assert "decide" not in services.allowed_actions(STATES["reviewed"](world, food, agent), world.reviewer_a)
    assert "decide" in services.allowed_actions(_on_the_spot(world), world.clerk)  # 即办件, accepted today
    approved = STATES["approved_by_commitment"](world, food, agent)
    assert services.allowed_actions(approved, world.reviewer_a) == ["commitment_check"]
