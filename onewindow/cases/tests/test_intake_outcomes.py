"""The five written answers at the window (RULES.md "Acceptance outcomes"), through the API."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases.models import Case, CaseEvent
from onewindow.errors import DomainError

pytestmark = pytest.mark.django_db
D = dt.date


def _submit(api, world, handed_in=(1, 2, 3)):  # 2, the shared 营业执照, on paper (alice holds none)
    answer = api(world.clerk).post("/cases", {"item": "T-SPJY-0001", "applicant": world.alice_applicant.ref,
                                              "handed_in": list(handed_in)})  # fmt: skip
    assert answer.status_code == 201, answer.json()
    return answer.json()


def test_accept_starts_the_clock_and_numbers_the_case(world, food, api):
    with clock.frozen(D(2026, 9, 30)):
        case = _submit(api, world)
        assert case["number"].startswith("371400-20260930-")
        assert [m["state"] for m in case["materials"]] == ["received", "received", "received"]
        accepted = api(world.clerk).post(f"/cases/{case['number']}/accept").json()
    assert (accepted["status"], accepted["accepted_on"], accepted["due_on"]) == (
        "in_review",
        "2026-09-30",
        "2026-10-13",
    )
    events = api(world.clerk).get(f"/cases/{case['number']}/events").json()
    assert [(e["action"], e["action_display"]) for e in events] == [("submit", "接件"), ("accept", "受理")]


def test_the_answer_of_a_transition_is_the_case_as_get_answers_it(world, food, api):
    # Submit and the transitions write their answer with pydantic-core (cases/api.py `_answer`),
    # GET through ninja's renderer: the same document, byte for byte once parsed, datetimes included.
    case = _submit(api, world)
    client = api(world.clerk)
    got = client.get(f"/cases/{case['number']}").json()
    # GET adds what the viewer may do now (issue 14) and the receiving and deciding halls
    # (同城通办, decision 25); the rest is the transition's answer
    assert "accept" in got.pop("allowed_actions")
    assert (got.pop("receiving_hall"), got.pop("deciding_hall")) == ("T-HALL", "T-HALL")
    assert case == got
    assert case["received_at"].endswith("+08:00") and case["received_at"][19] == "."  # ms, the hall's offset
    accepted = client.post(f"/cases/{case['number']}/accept")
    assert accepted["Content-Type"] == "application/json; charset=utf-8"
    decided = api(world.reviewer_a).post(f"/cases/{case['number']}/review", {"opinion": "材料齐全"})
    assert decided.status_code == 200, decided.json()
    got = client.get(f"/cases/{case['number']}").json()
    assert got.pop("allowed_actions") == [
        "withdraw"
    ]  # in review the clerk may only withdraw it for the applicant
    assert (got.pop("receiving_hall"), got.pop("deciding_hall")) == ("T-HALL", "T-HALL")
    assert decided.json() == got
    done = [s for s in decided.json()["steps"] if s["done_at"]]
    assert len(done) == 1 and len(done[0]["done_at"]) == len(case["received_at"])


def test_one_time_notice_lists_every_missing_material_then_supplement_returns_to_intake(world, food, api):
    case = _submit(api, world, handed_in=[])
    number = case["number"]
    refused = api(world.clerk).post(f"/cases/{number}/accept")
    assert refused.status_code == 409 and refused.json()["code"] == "case.materials_incomplete"
    notice = api(world.clerk).post(f"/cases/{number}/request-supplement", {"materials": [
        {"no": 1, "note": "申请书未签字"}, {"no": 2, "note": "请提交营业执照复印件"},
        {"no": 3, "note": "缺少食品安全管理制度", "defective": False}]})  # fmt: skip
    assert notice.status_code == 200 and notice.json()["status"] == "supplement_requested"
    event = CaseEvent.objects.filter(case__number=number, action="request_supplement").get()
    assert [m["material"] for m in event.payload["materials"]] == [
        "食品经营许可申请书",
        "营业执照",
        "食品安全管理制度",
    ]
    assert notice.json()["due_on"] is None  # the clock has not started
    back = api(world.alice).post(f"/cases/{number}/supplement", {"materials": [1, 2, 3]})
    assert back.json()["status"] == "submitted"
    assert api(world.clerk).post(f"/cases/{number}/accept").json()["status"] == "in_review"


def test_a_notice_must_say_what_is_wrong(world, food, api):
    number = _submit(api, world)["number"]
    empty = api(world.clerk).post(f"/cases/{number}/request-supplement", {"materials": []})
    assert empty.status_code == 400 and empty.json()["code"] == "case.notice_empty"
    no_note = api(world.clerk).post(
        f"/cases/{number}/request-supplement", {"materials": [{"no": 1, "note": " "}]}
    )
    assert no_note.json()["code"] == "case.notice_note_required"
    too_long = api(world.clerk).post(
        f"/cases/{number}/request-supplement", {"materials": [{"no": 1, "note": "很" * 301}]}
    )
    assert too_long.status_code == 400 and too_long.json()["code"] == "case.notice_note_too_long"
    assert Case.objects.get(number=number).status == "submitted"


def test_refusal_needs_a_reason_and_where_to_turn(world, food, api):
    number = _submit(api, world)["number"]
    bad = api(world.clerk).post(
        f"/cases/{number}/refuse", {"reason": "不属于本机关职权", "where_to_turn": ""}
    )
    assert bad.status_code == 400 and bad.json()["code"] == "case.refusal_reason_required"
    ok = api(world.clerk).post(f"/cases/{number}/refuse", {"reason": "不属于本机关职权范围",
                                                            "where_to_turn": "德州市德城区市场监督管理局"})  # fmt: skip
    assert ok.json()["status"] == "refused" and ok.json()["outcome"] == "refused"
    again = api(world.clerk).post(f"/cases/{number}/accept")
    assert again.status_code == 409 and again.json()["code"] == "case.invalid_transition"


def test_tolerant_acceptance_only_for_tolerable_materials(world, food, api):
    key_missing = _submit(api, world, handed_in=[3])["number"]
    refused = api(world.clerk).post(f"/cases/{key_missing}/accept-tolerantly", {"supply_by": "2026-12-10"})
    assert refused.status_code == 400 and refused.json()["code"] == "case.material_not_tolerable"
    assert Case.objects.get(number=key_missing).status == "submitted"

    with clock.frozen(D(2026, 12, 1)):
        number = _submit(api, world, handed_in=[1, 2])["number"]
        accepted = (
            api(world.clerk).post(f"/cases/{number}/accept-tolerantly", {"supply_by": "2026-12-04"}).json()
        )
        assert accepted["status"] == "in_review" and accepted["tolerance_due_on"] == "2026-12-04"
        api(world.reviewer_a).post(f"/cases/{number}/review", {"opinion": "符合条件"})
        blocked = api(world.head_a).post(f"/cases/{number}/decide", {"approve": True})
        assert blocked.status_code == 409 and blocked.json()["code"] == "case.tolerated_materials_pending"
        api(world.alice).post(f"/cases/{number}/supply-tolerated", {"materials": [3]})
        decided = api(world.head_a).post(f"/cases/{number}/decide", {"approve": True}).json()
    assert decided["status"] == "closed" and decided["outcome"] == "approved"


def test_commitment_approval_only_for_items_so_marked(world, food, api):
    number = _submit(api, world)["number"]
    refused = api(world.clerk).post(
        f"/cases/{number}/approve-by-commitment", {"commitment": "本人承诺符合条件"}
    )
    assert refused.status_code == 400 and refused.json()["code"] == "case.commitment_not_allowed"
    from onewindow.personas import published_item

    published_item(world, code="T-GGWS-0001", name="公共场所卫生许可", commitment_approval=True)
    answer = api(world.clerk).post("/cases", {"item": "T-GGWS-0001", "applicant": world.alice_applicant.ref})
    decided = api(world.clerk).post(f"/cases/{answer.json()['number']}/approve-by-commitment",
                                    {"commitment": "本人承诺经营场所符合卫生要求，如有不实愿承担法律责任"}).json()  # fmt: skip
    assert (decided["status"], decided["outcome"], decided["on_time"]) == ("closed", "approved", True)


def test_an_on_the_spot_item_is_decided_at_the_window_the_same_day(world, api):
    from onewindow.personas import published_item

    published_item(world, code="T-GTDJ-0001", name="个体工商户登记", promised_limit_days=0, on_the_spot=True,
                   steps=[{"name": "受理审核", "role": "clerk", "days": 0}])  # fmt: skip
    with clock.frozen(D(2026, 11, 26)):
        number = api(world.clerk).post("/cases", {"item": "T-GTDJ-0001", "applicant": world.alice_applicant.ref,
                                                  "handed_in": [1, 2, 3]}).json()["number"]  # fmt: skip
        accepted = api(world.clerk).post(f"/cases/{number}/accept").json()
        assert accepted["due_on"] == "2026-11-26"
        decided = api(world.clerk).post(f"/cases/{number}/decide", {"approve": True}).json()
    assert (
        decided["outcome"] == "approved"
        and decided["closed_on"] == "2026-11-26"
        and decided["on_time"] is True
    )


def test_review_then_deny_needs_reasons(world, food, api):
    number = _submit(api, world)["number"]
    api(world.clerk).post(f"/cases/{number}/accept")
    early = api(world.head_a).post(f"/cases/{number}/decide", {"approve": True})
    assert early.status_code == 409 and early.json()["code"] == "case.review_pending"
    assert (
        api(world.reviewer_a).post(f"/cases/{number}/review", {"opinion": ""}).json()["code"]
        == "case.opinion_required"
    )
    api(world.reviewer_a).post(f"/cases/{number}/review", {"opinion": "现场不符合要求"})
    reviewer_decides = api(world.reviewer_a).post(
        f"/cases/{number}/decide", {"approve": False, "reason": "x"}
    )
    assert reviewer_decides.status_code == 403
    no_reason = api(world.head_a).post(f"/cases/{number}/decide", {"approve": False})
    assert no_reason.json()["code"] == "case.denial_reason_required"
    denied = (
        api(world.head_a)
        .post(f"/cases/{number}/decide", {"approve": False, "reason": "经营场所与申请不符"})
        .json()
    )
    assert denied["outcome"] == "denied"


def test_return_for_correction_stops_the_clock_until_the_supplement(world, food, api):
    with clock.frozen(D(2026, 11, 2)):
        number = _submit(api, world)["number"]
        assert api(world.clerk).post(f"/cases/{number}/accept").json()["due_on"] == "2026-11-09"
        returned = api(world.reviewer_a).post(f"/cases/{number}/return-for-correction",
                                              {"materials": [{"no": 3, "note": "制度缺少进货查验内容"}]}).json()  # fmt: skip
        assert returned["status"] == "correction_requested"
    with clock.frozen(D(2026, 11, 5)):  # three working days later
        resumed = api(world.alice).post(f"/cases/{number}/supplement", {"materials": [3]}).json()
    assert (resumed["status"], resumed["due_on"], resumed["extra_days"]) == ("in_review", "2026-11-12", 3)


def test_withdrawal_by_the_applicant_before_the_decision(world, food, api):
    number = _submit(api, world)["number"]
    api(world.clerk).post(f"/cases/{number}/accept")
    assert api(world.outsider).post(f"/cases/{number}/withdraw").status_code == 404
    done = api(world.alice).post(f"/cases/{number}/withdraw", {"reason": "不再经营"}).json()
    assert (done["status"], done["outcome"]) == ("closed", "withdrawn")
    assert api(world.alice).post(f"/cases/{number}/withdraw").status_code == 409


def test_art_32_accepts_an_unanswered_application_from_the_day_it_was_received(world, food, api):
    from onewindow.cases import jobs

    with clock.frozen(D(2026, 11, 2)):
        number = _submit(api, world)["number"]
    assert jobs.auto_accept_overdue_intake(D(2026, 11, 9)) == 0  # 5 working days: still in time
    assert jobs.auto_accept_overdue_intake(D(2026, 11, 10)) == 1
    case = Case.objects.get(number=number)
    assert (case.status, case.accepted_on, case.due_on) == ("in_review", D(2026, 11, 2), D(2026, 11, 9))
    event = case.events.order_by("-seq").first()
    assert event.action == "auto_accept" and event.actor is None and "第三十二条" in event.reason


def test_a_portal_applicant_submits_for_themself_only(world, food, api):
    mine = api(world.alice).post("/cases", {"item": "T-SPJY-0001"})
    assert mine.status_code == 201 and mine.json()["channel"] == "portal"
    other = api(world.outsider).post(
        "/cases", {"item": "T-SPJY-0001", "applicant": world.alice_applicant.ref}
    )
    assert other.status_code == 403


def test_unknown_item_and_withdrawn_item_are_refused(world, food, api):
    assert (
        api(world.clerk).post("/cases", {"item": "NOPE", "applicant": world.alice_applicant.ref}).status_code
        == 404
    )
    from onewindow.catalog import services as catalog

    catalog.withdraw(food, by=world.hall_admin)
    answer = api(world.clerk).post("/cases", {"item": "T-SPJY-0001", "applicant": world.alice_applicant.ref})
    assert answer.status_code == 409 and answer.json()["code"] == "catalog.withdrawn"


def test_suspension_needs_a_known_kind_and_a_reason(world, food):
    from onewindow.cases import services
    from onewindow.cases.models import Channel
    from onewindow.personas import all_required

    case = services.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                           channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(food.current))  # fmt: skip
    services.accept(case, by=world.clerk)
    for kind, reason, code in [
        ("holiday", "x", "case.suspension_kind"),
        ("hearing", "", "case.suspension_reason_required"),
    ]:
        with pytest.raises(DomainError) as err:
            services.suspend(case, by=world.reviewer_a, kind=kind, reason=reason)
        assert err.value.code == code


def test_a_child_of_a_bundle_is_answered_only_by_its_bundle_calling_down(world, food):
    """cases' own rule on the case's own data (decision 20): a case carrying a bundle number
    takes an intake answer only with that number passed (`bundle=`, what bundles passes); the
    API and pages of cases pass none, so a child is answered on the bundle's page."""
    from onewindow.cases import services as cases
    from onewindow.personas import all_required

    with clock.frozen(D(2026, 9, 30)):
        child = cases.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                             channel="window", by=world.clerk, handed_in=all_required(food.current),
                             bundle_number="YJS-371400-20260930-000001")  # fmt: skip
        for bundle in (None, "YJS-371400-20260930-000002"):
            with pytest.raises(DomainError) as refused:
                cases.accept(child, by=world.clerk, bundle=bundle)
            assert (refused.value.code, refused.value.status) == ("bundle.child_intake", 409)
        assert cases.accept(child, by=world.clerk, bundle="YJS-371400-20260930-000001").status == "in_review"
