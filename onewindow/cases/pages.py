"""Reads for the case pages (window workbench, case page, inbox, the applicant's own pages):
what each page shows, shaped once so the views stay thin. Changes go through services."""

from django.db.models import Q, QuerySet

from onewindow import clock, pii
from onewindow.accounts.models import Applicant, Hall, User
from onewindow.cases import clock_rules, delivery_choice, permits, queries, services
from onewindow.cases.models import Case, CaseMaterial, CaseRisk, Channel, CommitmentCheck, Light, Status
from onewindow.catalog.models import ItemVersion, Material
from onewindow.errors import NotFound
from onewindow.workdays import calendar

PENDING = (CaseMaterial.State.MISSING, CaseMaterial.State.DEFECTIVE)
STATUS_NAMES = dict(Status.choices)


def find_applicant(number: str) -> Applicant | None:
    """The applicant whose ID number or credit code is exactly `number` (as the clerk typed it)."""
    number = (number or "").strip().upper()
    if not number:
        return None
    return (
        Applicant.objects.filter(
            Q(kind=Applicant.Kind.NATURAL, id_number_digest=pii.digest("id_number", number))
            | Q(kind=Applicant.Kind.LEGAL, credit_code=number)
        )
        .select_related("region")
        .first()
    )


def applicant_by_ref(ref: str | None) -> Applicant | None:
    if not ref:
        return None
    return Applicant.objects.filter(ref=ref).select_related("region").first()


def applicant_of(user: User) -> Applicant | None:
    return Applicant.objects.filter(user=user).first() if user.is_authenticated else None


def checklist(version: ItemVersion) -> dict:
    """The materials of a version: those the applicant hands in, and those fetched by sharing."""
    materials = list(version.materials.select_related("shared_by").order_by("order", "pk"))
    return {
        "asked": [m for m in materials if m.source != Material.Source.SHARED],
        "shared": [m for m in materials if m.source == Material.Source.SHARED],
    }


def citywide(hall: Hall | None, version: ItemVersion | None) -> dict:
    """同城通办 at the workbench, for the item picked: the refusal the service would give this
    hall (another city's item; permits.city_refusal), else the deciding hall when the item's
    department decides at another hall (the case is received here, decided there)."""
    if hall is None or version is None:
        return {}
    department = version.item.department
    refused = permits.city_refusal(hall, department)
    if refused is not None:
        return {"refusal": refused.message}
    deciding = permits.deciding_hall(department.pk)
    return {"deciding_hall": deciding} if deciding is not None and deciding.pk != hall.pk else {}


def light_of(case: Case) -> str | None:
    """The light of an open, accepted case; a stopped clock shows the light it had."""
    if not case.is_open or case.due_seq is None:
        return None
    if case.frozen_light:
        return case.frozen_light
    return clock_rules.light(case.due_seq, case.promised_days, calendar.seq(clock.today()), case.hall_id)


def overdue(case: Case) -> bool:
    """An open case past its deadline (its light red): what 办件进度 tells the applicant."""
    return light_of(case) == Light.RED


def risk_of(case: Case) -> CaseRisk | None:
    """The forecast for a case the staff page shows as 预警 (cases.queries.with_risk, the one rule),
    else None."""
    if not case.is_open:
        return None
    rows = queries.with_risk(queries.with_light(Case.objects.filter(pk=case.pk)))
    if not rows.filter(at_risk=True).exists():
        return None
    return CaseRisk.objects.filter(case_id=case.pk).first()


def _event_detail(event) -> str:
    materials = event.payload.get("materials") or []
    names = [m["material"] if isinstance(m, dict) else m for m in materials]
    parts = [event.reason] if event.reason else []
    if names:
        parts.append("材料：" + "、".join(names))
    if event.payload.get("where_to_turn"):
        parts.append("可向" + event.payload["where_to_turn"] + "申请")
    return "；".join(parts)


def _commitment_check(case: Case) -> CommitmentCheck | None:
    """The 核查 a commitment approval owes (or had), with its light while due."""
    if not case.by_commitment:
        return None
    check = CommitmentCheck.objects.select_related("checked_by").filter(case=case).first()
    if check is not None and check.result == CommitmentCheck.Result.PENDING:
        check.light = clock_rules.light(check.due_seq, check.days, calendar.seq(clock.today()))
    return check


def case_sheet(case: Case) -> dict:
    """Everything the case page shows: materials by their number in the item's list, steps,
    the full history with the actions' Chinese names."""
    materials = list(case.materials.select_related("material").order_by("material__order", "pk"))
    steps = list(case.steps.select_related("done_by").order_by("order"))
    events = case.events.select_related("actor").order_by("seq")
    return {
        "case": case,
        "applicant": case.applicant,
        "light": light_of(case),
        "risk": risk_of(case),
        "materials": materials,
        "pending": [m for m in materials if m.state in PENDING],
        "tolerated": [m for m in materials if m.state == CaseMaterial.State.TOLERATED],
        "steps": steps,
        "commitment_check": _commitment_check(case),
        "deciding_hall": permits.decided_elsewhere(case),  # 同城通办: decided at another hall
        "history": [
            {
                "seq": e.seq,
                "at": e.at,
                "action": services.ACTION_NAMES.get(e.action, e.action),
                "actor": str(e.actor) if e.actor else "系统",
                "from_status": STATUS_NAMES.get(e.from_status, ""),
                "to_status": STATUS_NAMES.get(e.to_status, e.to_status),
                "detail": _event_detail(e),
            }
            for e in events
        ],
    }


def actions_for(user: User, sheet: dict) -> list[str]:
    """The action forms the case page offers: exactly cases.services.allowed_actions, on the
    materials, steps and check the page has read."""
    facts = permits.Facts(sheet["case"], materials=sheet["materials"], steps=sheet["steps"],
                          commitment_check=sheet["commitment_check"])  # fmt: skip
    return services.allowed_actions(sheet["case"], user, facts)


def my_cases(user: User) -> QuerySet[Case]:
    """The logged-in applicant's own cases, newest first (never their staff scope)."""
    return Case.objects.filter(applicant__user=user).select_related("item_version").order_by("-received_at")


def my_case(user: User, number: str) -> Case:
    case = my_cases(user).select_related("department").filter(number=number).first()
    if case is None:
        raise NotFound("case.not_found", "未找到该办件。")
    return case


def applicant_sheet(case: Case) -> dict:
    """The applicant's view: status and deadline, materials with the notice's notes, the steps
    done (not the officers' internal opinions), and the written reason of a refusal or denial."""
    materials = list(case.materials.select_related("material").order_by("material__order", "pk"))
    return {
        "case": case,
        "materials": materials,
        "notice": [m for m in materials if m.state in PENDING]
        if case.status in (Status.SUPPLEMENT_REQUESTED, Status.CORRECTION_REQUESTED)
        else [],
        "steps": list(case.steps.order_by("order")),
        "closing": closing_words(case),
        "delivery_choice": delivery_choice.choice_of(case),
    }


def online_supplement(user: User, case: Case) -> bool:
    """网上补正 is offered to the applicant of an online case the supplement service would take
    from them now (cases.services.allowed_actions: the same checks)."""
    return case.channel == Channel.PORTAL and "supplement" in services.allowed_actions(case, user)


def closing_words(case: Case) -> dict | None:
    """The written reason of a refusal or a denial, as told to the applicant."""
    if case.outcome not in ("refused", "denied"):
        return None
    event = case.events.filter(action__in=["refuse", "decide"]).order_by("-seq").first()
    if event is None:
        return None
    return {"reason": event.reason, "where_to_turn": event.payload.get("where_to_turn", "")}
