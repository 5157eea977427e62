"""The market's core rules (RULES.md "Intermediary market"; issue 19): the caps (限时限价) with fee
relief, who may register for a purchase (admitted, qualified, not blacklisted, B or better for a
government-invested project), posting a purchase and registering for it. The other steps live
beside it, named after their nouns: agencies.py (admission, exit), selection.py (the four
methods, the draws, failed purchases reposted), contracts.py (contract, delivery, acceptance,
two-way evaluation), grades.py (the yearly grades and appeals).

Each public function is one thing a person does, in one transaction; a refusal is a DomainError
with a stable code and a Chinese message, and changes nothing."""

import datetime as dt

from django.db import IntegrityError, transaction

from onewindow import clock, draws, inputs
from onewindow.accounts.models import Applicant, Role, User
from onewindow.accounts.queries import staff_of
from onewindow.errors import Conflict, DomainError, Forbidden
from onewindow.market.audit import append_event
from onewindow.market.models import (
    Agency,
    FeeRelief,
    Grade,
    MarketSettings,
    Method,
    OwnerType,
    Purchase,
    Registration,
    ServiceType,
)
from onewindow.projects.models import Project
from onewindow.serials import next_serial

FEN_MAX = 10**13  # 1,000 亿元: above any intermediary fee; keeps every amount a safe integer
TITLE_MAX, SCOPE_MAX, NOTE_MAX = 100, 4000, 500
# Grades allowed to serve a government-invested purchase (RULES.md: B or better). A newly admitted
# agency has no grade until its first year is graded: it counts as B (docs/market.md).
GOVERNMENT_GRADES = (Grade.A, Grade.B)
UNGRADED_COUNTS_AS = Grade.B
# The shortest registration period: an owner may not post a need that closes before agencies see it.
MIN_REGISTRATION = dt.timedelta(hours=24)
# How long after the deadline a purchase is closed: registrations that arrived in time and queued
# on the purchase's lock have long finished by then.
CLOSE_GRACE = dt.timedelta(minutes=1)


def market_settings() -> MarketSettings:
    """The one row of settings (an unsaved default when management has saved none)."""
    return MarketSettings.objects.order_by("pk").first() or MarketSettings()


# ---- input ---------------------------------------------------------------------------------------


def text(value, field: str, label: str, max_length: int, *, required: bool = True) -> str:
    """Every text a person types into the market (onewindow.inputs: trimmed, within its column,
    without control characters)."""
    return inputs.text(value, field, label, max_length, required=required, prefix="market")


def parse_yuan(value, field: str, label: str) -> int:
    """A money amount typed in yuan (up to 2 decimals) → fen; refused when not a positive amount."""
    return inputs.yuan_to_fen(value, field, label, prefix="market", fen_max=FEN_MAX)


def parse_days(value, field: str, label: str) -> int:
    try:
        days = int(str(value).strip())
    except ValueError:
        raise DomainError(
            "market.days", f"{label}应为工作日天数（整数）。", details={"field": field}
        ) from None
    if not 1 <= days <= 365:
        raise DomainError("market.days", f"{label}应在1至365个工作日之间。", details={"field": field})
    return days


yuan = inputs.yuan


# ---- the caps (限时限价) -----------------------------------------------------------------------------


def reliefs() -> dict[tuple[str, int | None], int]:
    """Every relief row in one read: (owner type, service type id or None) → max percent."""
    return {(r.owner_type, r.service_type_id): r.max_percent for r in FeeRelief.objects.all()}


def relief_percent(service_type: ServiceType, owner_type: str, table: dict | None = None) -> int:
    """The owner type's share of the legal cap: its row for this service type, else its default
    row, else 100 (no relief). `table`: reliefs() read once for many caps (a page of them)."""
    table = reliefs() if table is None else table
    return table.get((owner_type, service_type.pk), table.get((owner_type, None), 100))


def fee_cap(service_type: ServiceType, owner_type: str, table: dict | None = None) -> int:
    """The most an owner of this type may be charged for the service, in fen (rounded down)."""
    return service_type.fee_cap_fen * relief_percent(service_type, owner_type, table) // 100


def offer_refusal(purchase: Purchase, offer_fen: int, offer_days: int) -> DomainError | None:
    """An offer stays inside every cap: the legal fee cap after relief, the purchase's budget, the
    service type's time cap and the purchase's time limit."""
    cap = min(fee_cap(purchase.service_type, purchase.owner_type), purchase.budget_fen)
    if offer_fen > cap:
        return DomainError("market.offer_above_cap", f"报价{yuan(offer_fen)}元超过本项目的收费上限{yuan(cap)}元。",
                           details={"field": "offer", "cap_fen": cap})  # fmt: skip
    days = min(purchase.service_type.time_cap_days, purchase.time_limit_days)
    if offer_days > days:
        return DomainError("market.offer_above_time_cap", f"承诺时限{offer_days}个工作日超过本项目的服务时限{days}个工作日。",
                           details={"field": "offer_days", "cap_days": days})  # fmt: skip
    return None


# ---- who may register ------------------------------------------------------------------------------


def effective_grade(agency: Agency) -> str:
    return agency.grade or UNGRADED_COUNTS_AS


def eligibility_refusal(agency: Agency, purchase: Purchase, today: dt.date) -> DomainError | None:
    """Why the agency may not register for the purchase (None: it may). One rule for the board's
    button, the registration and the selection's candidates."""
    if agency.status != Agency.Status.ADMITTED:
        return Forbidden("market.agency_not_admitted", "本机构尚未入驻中介超市或已退出，不能报名。")
    if agency.grade == Grade.D:
        return Forbidden("market.blacklisted", "本机构年度信用等级为D级，已列入黑名单，不能报名。")
    if purchase.government_invested and effective_grade(agency) not in GOVERNMENT_GRADES:
        return Forbidden("market.grade_too_low",
                         f"政府投资项目只允许B级及以上机构报名，本机构为{agency.grade}级。")  # fmt: skip
    qualified = agency.qualifications.filter(
        service_type_id=purchase.service_type_id, valid_from__lte=today, valid_until__gte=today
    ).exists()
    if not qualified:
        return Forbidden("market.not_qualified", f"本机构没有有效的“{purchase.service_type.name}”资质。")
    return None


# ---- posting a purchase ----------------------------------------------------------------------------


def owner_of(user: User) -> Applicant | None:
    """The legal person a portal user acts for (an owner posts as a 法人)."""
    applicant = getattr(user, "applicant", None) if user.is_authenticated else None
    return applicant if applicant is not None and applicant.kind == Applicant.Kind.LEGAL else None


@transaction.atomic
def post(*, by: User, owner_type: str, title: str, service_type: ServiceType | None, scope: str, budget_fen: int,
         time_limit_days: int, method: str, registration_deadline: dt.datetime, government_invested: bool = False,
         project_code: str = "", reposted_from: Purchase | None = None) -> Purchase:  # fmt: skip
    """发布: the owner (a legal person's account) posts a need. The budget stays inside the legal
    cap after relief and the time limit inside the service type's; the registration stays open at
    least MIN_REGISTRATION. The draw's seed is made now and only its commitment is published."""
    owner = owner_of(by)
    if owner is None:
        raise Forbidden("market.not_owner", "只有以法人身份登录的业主可以发布中介服务需求。")
    if owner_type not in OwnerType.values:
        raise DomainError("market.owner_type", "请选择业主类型。", details={"field": "owner_type"})
    if service_type is None or not service_type.is_active:
        raise DomainError(
            "market.service_type", "请选择有效的中介服务类型。", details={"field": "service_type"}
        )
    if method not in Method.values:
        raise DomainError("market.method", "请选择选取方式。", details={"field": "method"})
    title = text(title, "title", "项目名称", TITLE_MAX)
    scope = text(scope, "scope", "服务内容及范围", SCOPE_MAX)
    cap = fee_cap(service_type, owner_type)
    if not 1 <= budget_fen <= cap:
        raise DomainError("market.budget_above_cap", f"预算上限不能超过该服务的收费上限{yuan(cap)}元。",
                          details={"field": "budget", "cap_fen": cap})  # fmt: skip
    if not 1 <= time_limit_days <= service_type.time_cap_days:
        raise DomainError("market.time_limit_above_cap", f"服务时限不能超过该服务的时限{service_type.time_cap_days}个工作日。",
                          details={"field": "time_limit_days"})  # fmt: skip
    now = clock.now()
    if registration_deadline is None or registration_deadline < now + MIN_REGISTRATION:
        raise DomainError("market.deadline_too_soon", "报名截止时间应在发布后至少24小时。",
                          details={"field": "registration_deadline"})  # fmt: skip
    if registration_deadline > now + dt.timedelta(days=366):
        raise DomainError(
            "market.deadline_too_far",
            "报名截止时间不能晚于一年以后。",
            details={"field": "registration_deadline"},
        )
    project_code = text(project_code, "project_code", "投资项目代码", 40, required=False)
    if project_code and not Project.objects.filter(code=project_code).exists():
        raise DomainError("market.project_unknown", "投资项目代码不存在。", details={"field": "project_code"})
    seed = draws.new_seed()
    year = clock.today().year
    purchase = Purchase.objects.create(
        number=f"ZJ{year}{next_serial(f'market-{year}'):06d}", owner=owner, owner_type=owner_type,
        government_invested=bool(government_invested), project_code=project_code, title=title,
        service_type=service_type, scope=scope, budget_fen=budget_fen, time_limit_days=time_limit_days, method=method,
        registration_deadline=registration_deadline, posted_at=now, posted_by=by, reposted_from=reposted_from,
        seed=seed, seed_commitment=draws.commitment(seed),
    )  # fmt: skip
    append_event(purchase, by=by, action="post", from_status="",
                 payload={"seed_commitment": purchase.seed_commitment, "budget_fen": budget_fen, "method": method,
                          "deadline": registration_deadline.isoformat(),
                          "reposted_from": reposted_from.number if reposted_from else ""})  # fmt: skip
    purchase.save(update_fields=["event_count", "last_hash"])
    return purchase


# ---- registering -----------------------------------------------------------------------------------


def _locked(purchase: Purchase) -> Purchase:
    return Purchase.objects.select_for_update(of=("self",)).select_related("service_type").get(pk=purchase.pk)


def agency_of(user: User) -> Agency | None:
    """The agency a portal account acts for (None: not an agency's account)."""
    return getattr(user, "agency", None) if user.is_authenticated else None


# Hall management (管理办) admits agencies, records misconduct, publishes grades and decides appeals.
MANAGEMENT = (Role.HALL_ADMIN, Role.SUPERVISOR)


def is_management(user: User) -> bool:
    if not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    staff = staff_of(user)
    return staff is not None and staff.role in MANAGEMENT


def register(
    purchase: Purchase, *, by: User, offer_fen: int, offer_days: int, note: str = ""
) -> Registration:
    """报名 with an offer, before the deadline. The time that counts is the request's arrival (read
    before waiting for the purchase's lock: a hundred agencies in the last second queue on the
    lock, and those that arrived in time are in); the selection closes a purchase only
    CLOSE_GRACE after its deadline (selection.py), so no registration that arrived in time is
    still waiting then. Once per agency: a second is refused; one withdrawn may register again."""
    arrived = clock.now()
    agency = agency_of(by)
    if agency is None:
        raise Forbidden("market.not_agency", "只有入驻的中介机构可以报名。")
    note = text(note, "note", "说明", NOTE_MAX, required=False)
    try:
        with transaction.atomic():
            # The agency first, then the purchase (the order expel takes them in): an exit or an
            # expulsion at the same moment either comes first — and the agency is no longer
            # admitted here — or waits and withdraws this registration with the others.
            agency = Agency.objects.select_for_update().get(pk=agency.pk)
            p = _locked(purchase)
            now = arrived
            if p.status != Purchase.Status.POSTED or now >= p.registration_deadline:
                raise Conflict("market.registration_closed", "报名已截止。",
                               details={"deadline": p.registration_deadline.isoformat()})  # fmt: skip
            refused = eligibility_refusal(agency, p, clock.today()) or offer_refusal(p, offer_fen, offer_days)
            if refused:
                raise refused
            earlier = Registration.objects.filter(purchase=p, agency=agency).first()
            if earlier is not None and earlier.withdrawn_at is None:
                raise Conflict("market.registered_once", "本机构已报名该项目，不能重复报名。") from None
            if earlier is not None:
                earlier.offer_fen, earlier.offer_days, earlier.note = offer_fen, offer_days, note
                earlier.registered_at, earlier.withdrawn_at, earlier.grade_then = now, None, agency.grade
                earlier.save()
                registration = earlier
            else:
                registration = Registration.objects.create(
                    purchase=p, agency=agency, offer_fen=offer_fen, offer_days=offer_days, note=note,
                    registered_at=now, grade_then=agency.grade,
                )  # fmt: skip
            append_event(p, by=by, action="register", from_status=p.status,
                         payload={"agency": agency.credit_code, "offer_fen": offer_fen, "offer_days": offer_days})  # fmt: skip
            p.save(update_fields=["event_count", "last_hash"])
            return registration
    except IntegrityError:  # the unique (purchase, agency): a concurrent duplicate
        raise Conflict("market.registered_once", "本机构已报名该项目，不能重复报名。") from None


@transaction.atomic
def withdraw(registration: Registration, *, by: User) -> Registration:
    """撤回报名 before the deadline, by the agency itself."""
    agency = agency_of(by)
    if agency is None or agency.pk != registration.agency_id:
        raise Forbidden("market.not_agency", "只能撤回本机构的报名。")
    p = _locked(registration.purchase)
    r = Registration.objects.select_for_update().get(pk=registration.pk)
    if p.status != Purchase.Status.POSTED or clock.now() >= p.registration_deadline:
        raise Conflict("market.registration_closed", "报名已截止，不能撤回。")
    if r.withdrawn_at is not None:
        raise Conflict("market.withdrawn", "该报名已撤回。")
    r.withdrawn_at = clock.now()
    r.save(update_fields=["withdrawn_at"])
    append_event(p, by=by, action="withdraw", from_status=p.status, payload={"agency": agency.credit_code})
    p.save(update_fields=["event_count", "last_hash"])
    return r
