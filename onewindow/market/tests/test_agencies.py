"""Agencies (issue 19 item 1): applying with a validated credit code, qualifications and staff;
admission or refusal by hall management only; the agency's own changes; voluntary exit never
with work open; expulsion at any time, withdrawing live registrations on their purchases' chains;
every step an event of a whole chain."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.market import agencies
from onewindow.market.audit import chain_broken_at
from onewindow.market.models import Agency, Contract, Purchase, Registration
from onewindow.market.tests.conftest import MONDAY, credit_code
from onewindow.personas import new_user

pytestmark = pytest.mark.django_db

QUAL = {"service_type": "CH", "certificate_no": "乙测资字37500123", "level": "乙级",
        "valid_from": "2026-01-01", "valid_until": "2028-12-31"}  # fmt: skip


def application(**overrides) -> dict:
    fields = {"name": "德州同信测绘有限公司", "credit_code": credit_code(501), "legal_representative": "赵立新",
              "contact": "孙悦", "phone": "0534-2681234", "address": "德州市德城区天衢路88号",
              "introduction": "从事工程测量、地籍测绘。", "fee_commitment": "按收费标准下浮20%",
              "qualifications": [QUAL], "staff": [{"name": "孙悦", "title": "注册测绘师", "certificate_no": "CH-0091"}]}  # fmt: skip
    fields.update(overrides)
    return fields


@pytest.fixture
def applicant_user(market):
    return new_user("tongxin", "德州同信测绘有限公司")


def apply(by, **overrides) -> Agency:
    with clock.frozen(MONDAY):
        return agencies.apply(by=by, **application(**overrides))


def actions_of(agency: Agency) -> list[str]:
    return list(agency.events.order_by("seq").values_list("action", flat=True))


def test_the_lifecycle_apply_admit_update_exit_reapply(world, market, applicant_user):
    agency = apply(applicant_user, credit_code=credit_code(501).lower())  # typed in lower case
    assert agency.status == Agency.Status.APPLIED and agency.ref.startswith("AG") and len(agency.ref) == 14
    assert agency.credit_code == credit_code(501) and agency.region == world.hall.region
    assert agency.user == applicant_user and agency.applied_at == MONDAY
    assert [(q.service_type.code, q.certificate_no, q.valid_until) for q in agency.qualifications.all()] == [
        ("CH", "乙测资字37500123", dt.date(2028, 12, 31))
    ]
    assert list(agency.staff.values_list("name", "title")) == [("孙悦", "注册测绘师")]
    assert agencies.allowed_actions(agency, applicant_user) == ["update", "exit"]
    assert agencies.allowed_actions(agency, world.hall_admin) == ["admit", "refuse"]

    agency = agencies.admit(agency, by=world.hall_admin, note="材料齐全")
    assert agency.status == Agency.Status.ADMITTED and agency.decided_by == world.hall_admin
    assert agency.decision_note == "材料齐全" and agency.decided_at is not None
    assert agencies.allowed_actions(agency, world.hall_admin) == ["expel"]

    agency = agencies.update_profile(
        agency, by=applicant_user, phone="13905341111", fee_commitment="下浮30%", name="德州同信测绘有限公司"
    )  # fmt: skip  (name unchanged: not recorded)
    assert (agency.phone, agency.fee_commitment) == ("13905341111", "下浮30%")
    change = agency.events.get(action="update_profile")
    assert change.payload["changed"] == {"phone": "13905341111", "fee_commitment": "下浮30%"}
    assert change.payload["before"] == {"phone": "0534-2681234", "fee_commitment": "按收费标准下浮20%"}
    agency = agencies.update_profile(agency, by=applicant_user, phone="13905341111")  # nothing changed
    agency = agencies.set_qualifications(agency, by=applicant_user, qualifications=[
        QUAL, {**QUAL, "service_type": "FL", "certificate_no": "FL-2026-7", "level": "乙级"}])  # fmt: skip
    assert sorted(agency.qualifications.values_list("service_type__code", flat=True)) == ["CH", "FL"]
    agency = agencies.set_staff(agency, by=applicant_user, staff=[])
    assert not agency.staff.exists()

    agency = agencies.exit_voluntarily(agency, by=applicant_user, reason="业务调整")
    assert agency.status == Agency.Status.EXITED and agency.exit_reason == "业务调整" and agency.exited_at
    assert agencies.allowed_actions(agency, applicant_user) == ["reapply"]
    agency = agencies.reapply(agency, by=applicant_user)
    assert agency.status == Agency.Status.APPLIED and agency.exited_at is None and agency.decided_by is None
    assert actions_of(agency) == ["apply", "admit", "update_profile", "set_qualifications", "set_staff", "exit",
                                  "reapply"]  # fmt: skip
    events = list(agency.events.order_by("seq"))
    assert [(e.from_status, e.to_status) for e in events if e.action in ("admit", "exit", "reapply")] == [
        ("applied", "admitted"), ("admitted", "exited"), ("exited", "applied")]  # fmt: skip
    assert chain_broken_at(agency) is None


def test_a_wrong_credit_code_is_refused_with_the_rule(market, applicant_user):
    good = credit_code(501)
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(DomainError) as exc:
        apply(applicant_user, credit_code=wrong)
    assert exc.value.code == "accounts.credit_code_check" and "GB 32100" in exc.value.message
    assert exc.value.details["field"] == "credit_code"
    with pytest.raises(DomainError) as exc:
        apply(applicant_user, credit_code="9137")
    assert exc.value.code == "accounts.credit_code_length"
    assert not Agency.objects.exists()


def test_a_credit_code_is_registered_once(market, applicant_user, new_agency):
    taken = new_agency(1)
    with pytest.raises(Conflict) as exc:
        apply(applicant_user, credit_code=taken.credit_code)
    assert exc.value.code == "market.credit_code_taken" and taken.credit_code in exc.value.message
    assert Agency.objects.count() == 1


def test_staff_and_accounts_with_an_agency_may_not_apply(world, market, applicant_user):
    for staff in (world.clerk, world.hall_admin):
        with pytest.raises(Forbidden) as exc:
            apply(staff)
        assert exc.value.code == "market.staff_cannot_apply"
    apply(applicant_user)
    with pytest.raises(Conflict) as exc:
        apply(applicant_user, credit_code=credit_code(502))
    assert exc.value.code == "market.already_applied"
    assert Agency.objects.count() == 1


@pytest.mark.parametrize(("overrides", "code", "field"), [
    ({"qualifications": []}, "market.qualification_required", "qualifications"),
    ({"qualifications": [QUAL, QUAL]}, "market.qualification_twice", "qualifications.1.service_type"),
    ({"qualifications": [{**QUAL, "valid_until": "2025-12-31"}]}, "market.qualification_period",
     "qualifications.0.valid_until"),
    ({"qualifications": [{**QUAL, "valid_from": "2026-13-01"}]}, "market.date", "qualifications.0.valid_from"),
    ({"qualifications": [{**QUAL, "service_type": "XX"}]}, "market.service_type", "qualifications.0.service_type"),
    ({"qualifications": [{**QUAL, "certificate_no": " "}]}, "market.required", "qualifications.0.certificate_no"),
    ({"name": ""}, "market.required", "name"),
    ({"phone": "打电话"}, "market.phone", "phone"),
    ({"staff": [{"name": ""}]}, "market.required", "staff.0.name"),
])  # fmt: skip
def test_an_incomplete_application_is_refused_and_names_the_field(
    market, applicant_user, overrides, code, field
):
    with pytest.raises(DomainError) as exc:
        apply(applicant_user, **overrides)
    assert (exc.value.code, exc.value.details.get("field")) == (code, field)
    assert not Agency.objects.exists()


def test_only_hall_management_admits_refuses_and_expels(world, market, applicant_user):
    agency = apply(applicant_user)
    for outsider in (world.clerk, world.reviewer_a, world.alice, applicant_user):
        for step in (
            lambda a, by: agencies.admit(a, by=by),
            lambda a, by: agencies.refuse(a, by=by, note="不符合"),
        ):
            with pytest.raises(Forbidden) as exc:
                step(agency, outsider)
            assert exc.value.code == "market.not_management"
    agency.refresh_from_db()
    assert agency.status == Agency.Status.APPLIED and actions_of(agency) == ["apply"]
    agency = agencies.admit(agency, by=world.supervisor)  # the supervisor is hall management too
    with pytest.raises(Forbidden):
        agencies.expel(agency, by=world.clerk, reason="违规")
    with pytest.raises(Forbidden) as exc:
        agencies.exit_voluntarily(agency, by=world.hall_admin)
    assert exc.value.code == "market.not_own_agency"


def test_a_refusal_needs_its_reason_and_a_decision_is_taken_once(world, market, applicant_user):
    agency = apply(applicant_user)
    with pytest.raises(DomainError) as exc:
        agencies.refuse(agency, by=world.hall_admin, note="  ")
    assert exc.value.code == "market.required"
    agency = agencies.refuse(agency, by=world.hall_admin, note="资质证书已过期")
    assert agency.status == Agency.Status.REFUSED and agency.decision_note == "资质证书已过期"
    stale = Agency.objects.get(pk=agency.pk)
    stale.status = Agency.Status.APPLIED  # a page loaded before the refusal
    with pytest.raises(Conflict) as exc:
        agencies.admit(stale, by=world.supervisor)
    assert exc.value.code == "market.agency_state" and "未通过" in exc.value.message
    agency.refresh_from_db()
    assert agency.status == Agency.Status.REFUSED and actions_of(agency) == ["apply", "refuse"]
    # The refused agency corrects its application and asks again.
    agencies.set_qualifications(
        agency, by=applicant_user, qualifications=[{**QUAL, "certificate_no": "新证书"}]
    )
    agency = agencies.reapply(agency, by=applicant_user)
    assert agency.status == Agency.Status.APPLIED and agency.decision_note == ""


def _contract(purchase: Purchase, agency: Agency, **fields) -> Contract:
    purchase.status = Purchase.Status.CONTRACTED
    purchase.save(update_fields=["status"])
    return Contract.objects.create(purchase=purchase, agency=agency, fee_fen=2_000_000, days=10, signed_at=MONDAY,
                                   signed_on=MONDAY.date(), due_seq=1, due_on=MONDAY.date(), **fields)  # fmt: skip


def test_no_exit_with_a_contract_not_yet_accepted(world, market, new_agency, post):
    agency = new_agency(1)
    purchase = post()
    contract = _contract(purchase, agency)
    with pytest.raises(Conflict) as exc:
        agencies.exit_voluntarily(agency, by=agency.user, reason="不做了")
    assert exc.value.code == "market.exit_open_contract" and purchase.number in exc.value.message
    assert "尚未交付" in exc.value.message
    assert "exit" not in agencies.allowed_actions(agency, agency.user)
    contract.delivered_at = MONDAY
    contract.save()
    with pytest.raises(Conflict) as exc:
        agencies.exit_voluntarily(agency, by=agency.user)
    assert "尚未验收" in exc.value.message
    contract.accepted_at = MONDAY
    contract.save()
    assert agencies.exit_voluntarily(agency, by=agency.user).status == Agency.Status.EXITED


def test_no_exit_with_a_live_registration_on_an_open_purchase(world, market, new_agency, post, register):
    agency = new_agency(1)
    purchase = post()
    registration = register(purchase, agency)
    with pytest.raises(Conflict) as exc:
        agencies.exit_voluntarily(agency, by=agency.user)
    assert exc.value.code == "market.exit_open_registration" and "报名中" in exc.value.message
    purchase.status = Purchase.Status.CHOOSING
    purchase.save(update_fields=["status"])
    with pytest.raises(Conflict):
        agencies.exit_voluntarily(agency, by=agency.user)
    purchase.status, purchase.selected = Purchase.Status.SELECTED, registration
    purchase.save(update_fields=["status", "selected"])
    with pytest.raises(Conflict) as exc:
        agencies.exit_voluntarily(agency, by=agency.user)
    assert exc.value.code == "market.exit_selected"
    purchase.status = Purchase.Status.FAILED  # the purchase ended without it
    purchase.save(update_fields=["status"])
    assert agencies.exit_voluntarily(agency, by=agency.user).status == Agency.Status.EXITED


def test_expulsion_withdraws_live_registrations_on_posted_purchases(
    world, market, new_agency, post, register
):
    agency, other = new_agency(1), new_agency(2)
    posted, closing, contracted = post(), post(title="第二个项目"), post(title="已签约的项目")
    register(posted, agency), register(posted, other), register(closing, agency)
    closing.status = Purchase.Status.CHOOSING  # the owner is choosing: the selection's to decide
    closing.save(update_fields=["status"])
    _contract(contracted, agency)
    with pytest.raises(DomainError) as exc:
        agencies.expel(agency, by=world.hall_admin, reason="")
    assert exc.value.code == "market.required"
    with clock.frozen(MONDAY + dt.timedelta(hours=2)):
        agency = agencies.expel(agency, by=world.hall_admin, reason="出具虚假测绘成果")
    assert agency.status == Agency.Status.EXPELLED and agency.exit_reason == "出具虚假测绘成果"
    mine = Registration.objects.get(purchase=posted, agency=agency)
    assert mine.withdrawn_at == MONDAY + dt.timedelta(hours=2)
    assert Registration.objects.get(purchase=posted, agency=other).withdrawn_at is None
    assert Registration.objects.get(purchase=closing, agency=agency).withdrawn_at is None
    posted.refresh_from_db()
    last = posted.events.order_by("-seq").first()
    assert (last.action, last.reason, last.payload) == ("withdraw_expelled", "出具虚假测绘成果",
                                                        {"agency": agency.credit_code})  # fmt: skip
    assert chain_broken_at(posted) is None and chain_broken_at(agency) is None
    assert actions_of(agency) == ["expel", "registrations_withdrawn"]  # new_agency made it without events
    assert agency.events.get(action="registrations_withdrawn").payload == {"purchases": [posted.number]}
    assert Contract.objects.get(purchase=contracted).agency == agency  # the contract stands
    # Expelled: nothing more, by anyone.
    assert agencies.allowed_actions(agency, agency.user) == []
    assert agencies.allowed_actions(agency, world.hall_admin) == []
    with pytest.raises(Conflict) as exc:
        agencies.update_profile(agency, by=agency.user, phone="13900000000")
    assert exc.value.code == "market.agency_closed"
    with pytest.raises(Conflict):
        agencies.reapply(agency, by=agency.user)


def test_who_may_see_an_agency(world, market, applicant_user, new_agency):
    applied = apply(applicant_user)
    admitted = new_agency(1)
    assert agencies.may_see(admitted, world.outsider)
    assert not agencies.may_see(applied, world.outsider) and not agencies.may_see(applied, world.clerk)
    assert agencies.may_see(applied, applicant_user) and agencies.may_see(applied, world.supervisor)
