"""Honest intake (issue 13): a material is received only when uploaded or ticked; a shared one not
found is missing; the one-time notice lists everything at once; after a supplement art. 32's five
working days run again from its arrival. Alice holds no license: 证照共享 finds nothing for her."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import jobs
from onewindow.cases.models import Case, CaseEvent, CaseMaterial

pytestmark = pytest.mark.django_db
D = dt.date
ITEM = "T-SPJY-0001"  # 1 申请书 (key), 2 营业执照 (shared by department A), 3 管理制度 (tolerable)


def _states(case: dict) -> list[str]:
    return [m["state"] for m in case["materials"]]


def _submit(api, world, handed_in):
    answer = api(world.clerk).post("/cases", {"item": ITEM, "applicant": world.alice_applicant.ref,
                                              "handed_in": handed_in})  # fmt: skip
    assert answer.status_code == 201, answer.json()
    return answer.json()["number"]


# ---- rule 3: nothing handed in, nothing received ----------------------------------------------


def test_a_citizen_applying_through_the_api_without_files_has_handed_in_nothing(world, food, api):
    # when Alice applies through the API, naming no material (the API takes no files)
    answer = api(world.alice).post("/cases", {"item": ITEM})
    # then nothing counts as received: every required material is missing
    assert answer.status_code == 201, answer.json()
    case = answer.json()
    assert (case["channel"], _states(case)) == ("portal", ["missing", "missing", "missing"])
    # and the clerk cannot accept it
    refused = api(world.clerk).post(f"/cases/{case['number']}/accept")
    assert (refused.status_code, refused.json()["code"]) == (409, "case.materials_incomplete")
    assert refused.json()["details"]["missing"] == ["食品经营许可申请书", "营业执照", "食品安全管理制度"]


def test_a_citizen_cannot_claim_materials_online_without_uploading_them(world, food, api):
    answer = api(world.alice).post("/cases", {"item": ITEM, "handed_in": [1, 3]})
    assert (answer.status_code, answer.json()["code"]) == (400, "case.portal_material_without_file")
    assert not Case.objects.exists()


def test_at_the_window_only_what_the_clerk_ticks_is_received(world, food, api):
    nothing = api(world.clerk).post("/cases", {"item": ITEM, "applicant": world.alice_applicant.ref}).json()
    assert _states(nothing) == ["missing", "missing", "missing"]
    ticked = api(world.clerk).post("/cases", {"item": ITEM, "applicant": world.alice_applicant.ref,
                                              "handed_in": [1, 3]}).json()  # fmt: skip
    assert _states(ticked) == ["received", "missing", "received"]


# ---- rule 4: a shared license not found is missing ----------------------------------------------


def test_a_shared_license_not_found_is_missing_and_stops_acceptance_until_handed_in(world, food, api):
    # given Alice, who holds no business license, hands in 1 and 3 for a food permit
    with clock.frozen(D(2026, 11, 2)):
        number = _submit(api, world, [1, 3])
        case = api(world.clerk).get(f"/cases/{number}").json()
        # then the shared 营业执照 is missing, and says why
        assert case["materials"][1] == {"no": 2, "name": "营业执照", "state": "missing", "state_display": "缺少",
                                        "note": "未找到申请人有效的共享证照", "mark": "", "mark_note": ""}  # fmt: skip
        # and 受理 is refused, naming it
        refused = api(world.clerk).post(f"/cases/{number}/accept")
        assert (refused.status_code, refused.json()["details"]["missing"]) == (409, ["营业执照"])
        # and a one-time notice must list it
        notice = api(world.clerk).post(f"/cases/{number}/request-supplement", {"materials": [
            {"no": 2, "note": "未找到申请人有效的营业执照，请提交营业执照复印件"}]})  # fmt: skip
        assert notice.status_code == 200, notice.json()
    # when she brings it on paper, the clerk registers the supplement and accepts
    with clock.frozen(D(2026, 11, 4)):
        back = api(world.clerk).post(f"/cases/{number}/supplement", {"materials": [2]})
        assert _states(back.json()) == ["received", "received", "received"]
        assert api(world.clerk).post(f"/cases/{number}/accept").json()["status"] == "in_review"


def test_the_clerk_marks_a_shared_material_handed_in_on_paper_before_answering(world, food, api, as_user):
    # given Alice's online application: 1 and 3 uploaded would be received; she sent nothing
    number = api(world.alice).post("/cases", {"item": ITEM}).json()["number"]
    # when she brings all three to the window before the hall has answered
    wrong = api(world.clerk).post(f"/cases/{number}/receive", {"materials": [9]})
    assert (wrong.status_code, wrong.json()["code"]) == (400, "case.unknown_material")
    received = api(world.clerk).post(f"/cases/{number}/receive", {"materials": [1, 2]})
    assert _states(received.json()) == ["received", "received", "missing"]
    page = as_user(world.clerk).post(f"/staff/cases/{number}/receive/", {
        "material": [CaseMaterial.objects.get(case__number=number, name="食品安全管理制度").material_id]})  # fmt: skip
    assert page.status_code == 302
    # then the case is complete and is accepted; the history says who received what
    assert api(world.clerk).post(f"/cases/{number}/accept").json()["status"] == "in_review"
    actions = list(
        CaseEvent.objects.filter(case__number=number).order_by("seq").values_list("action", flat=True)
    )
    assert actions == ["submit", "receive", "receive", "accept"]
    # and only missing materials can be received
    again = api(world.alice).post(f"/cases/{number}/receive", {"materials": [1]})
    assert again.status_code in (403, 409)


# ---- rule 5: the one-time notice lists everything at once ---------------------------------------


def test_a_notice_leaving_out_a_missing_material_is_refused_and_changes_nothing(world, food, api):
    number = _submit(api, world, [2])  # the 营业执照 on paper; 1 and 3 missing
    partial = api(world.clerk).post(f"/cases/{number}/request-supplement", {"materials": [
        {"no": 1, "note": "请提交申请书"}]})  # fmt: skip
    assert (partial.status_code, partial.json()["code"]) == (400, "case.notice_incomplete")
    assert "食品安全管理制度" in partial.json()["message"]
    assert partial.json()["details"]["materials"] == ["食品安全管理制度"]
    case = Case.objects.get(number=number)
    assert case.status == "submitted" and not CaseEvent.objects.filter(case=case, action="request_supplement")
    assert not CaseMaterial.objects.filter(case=case).exclude(note="").exists()


def test_after_a_supplement_a_notice_may_name_only_what_the_supplement_got_wrong(world, food, api):
    # given a notice for 1 and 3, and a supplement of both
    number = _submit(api, world, [2])
    first = api(world.clerk).post(f"/cases/{number}/request-supplement", {"materials": [
        {"no": 1, "note": "请提交申请书"}, {"no": 3, "note": "请提交食品安全管理制度"}]})  # fmt: skip
    assert first.status_code == 200
    api(world.alice).post(f"/cases/{number}/supplement", {"materials": [1, 3]})
    # when the clerk then finds fault with the 营业执照 handed in at the start: a new demand
    new = api(world.clerk).post(f"/cases/{number}/request-supplement", {"materials": [
        {"no": 2, "note": "复印件不清晰", "defective": True}]})  # fmt: skip
    assert (new.status_code, new.json()["code"]) == (400, "case.notice_new_demand")
    assert "营业执照" in new.json()["message"]
    # but the supplement's own 管理制度 lacking its seal may be told, with the reason recorded
    again = api(world.clerk).post(f"/cases/{number}/request-supplement", {"materials": [
        {"no": 3, "note": "补交的管理制度未加盖公章"}]})  # fmt: skip
    assert again.status_code == 200, again.json()
    assert again.json()["materials"][2] == {"no": 3, "name": "食品安全管理制度", "state": "defective",
                                            "state_display": "需补正", "note": "补交的管理制度未加盖公章",
                                            "mark": "", "mark_note": ""}  # fmt: skip
    event = (
        CaseEvent.objects.filter(case__number=number, action="request_supplement").order_by("-seq").first()
    )
    assert event.payload == {"after_supplement": True, "materials": [
        {"material": "食品安全管理制度", "note": "补交的管理制度未加盖公章", "state": "defective",
         "cause": "补正材料不符合要求"}]}  # fmt: skip


# ---- rule 2: art. 32 runs again from the supplement -----------------------------------------------


def test_art_32_after_a_supplement_counts_from_the_day_it_arrives(world, food, api):
    # given an application received Mon 11-02 without 3, noticed 11-03, supplemented Fri 11-20
    with clock.frozen(D(2026, 11, 2)):
        number = _submit(api, world, [1, 2])
    with clock.frozen(D(2026, 11, 3)):
        api(world.clerk).post(f"/cases/{number}/request-supplement", {"materials": [
            {"no": 3, "note": "请提交食品安全管理制度"}]})  # fmt: skip
    with clock.frozen(D(2026, 11, 20)):
        api(world.alice).post(f"/cases/{number}/supplement", {"materials": [3]})
        # then the art. 32 job accepts nothing on the day of the supplement
        assert jobs.auto_accept_overdue_intake() == 0
    # nor on its fifth working day, when the hall may still answer
    with clock.frozen(D(2026, 11, 27)):
        assert jobs.auto_accept_overdue_intake() == 0
    assert Case.objects.get(number=number).status == "submitted"
    # when it runs on Mon 11-30, the case counts as accepted from 11-20: a 5-day item due 11-27
    with clock.frozen(D(2026, 11, 30)):
        assert jobs.auto_accept_overdue_intake() == 1
        case = api(world.clerk).get(f"/cases/{number}").json()
    assert (case["status"], case["accepted_on"], case["due_on"]) == ("in_review", "2026-11-20", "2026-11-27")
    event = CaseEvent.objects.get(case__number=number, action="auto_accept")
    assert event.payload["accepted_on"] == "2026-11-20"
