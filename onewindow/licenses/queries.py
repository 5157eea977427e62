"""Read side of e-licenses: verification, a holder's valid licenses (证照共享), the staff desk's
lists and late deliveries — set-based queries over indexed columns."""

import datetime as dt
from collections.abc import Callable
from functools import lru_cache

from django.conf import settings
from django.db import connection
from django.db.models import Q, QuerySet

from onewindow import clock, fastsql, ratelimit
from onewindow.accounts.masking import mask_holder
from onewindow.accounts.models import Applicant, User
from onewindow.cases import delivery_choice
from onewindow.cases import queries as case_queries
from onewindow.cases.after_decision import delivery_due_on, late_if_decided_before
from onewindow.cases.models import Case, Outcome, Status
from onewindow.catalog.models import Material, ServiceItem
from onewindow.errors import NotFound
from onewindow.licenses import numbers
from onewindow.licenses.models import License, LicenseStatus
from onewindow.licenses.services import DOCUMENT_RESULTS, default_valid_until
from onewindow.payments.queries import notices_of_case


def count_verification(request) -> None:
    """One public verification by this client, the page and the API under one key: at most
    ONEWINDOW_LICENSE_VERIFICATIONS_PER_WINDOW per window, then 429 with Retry-After."""
    ratelimit.hit(
        f"license-verify:{ratelimit.client_address(request)}",
        limit=settings.ONEWINDOW_LICENSE_VERIFICATIONS_PER_WINDOW,
        window_seconds=settings.ONEWINDOW_LICENSE_VERIFY_WINDOW_SECONDS,
    )


def verify(raw_number: str) -> License:
    """The license a number names: 400 if the number is malformed (pattern or check character),
    404 with status `unknown` if no license carries it."""
    number = numbers.parse(raw_number)
    license = License.objects.select_related("department", "holder").filter(number=number).first()
    if license is None:
        raise NotFound("license.unknown", "未找到该编号的证照。请核对编号，或向发证机关咨询。",
                       details={"status": LicenseStatus.UNKNOWN, "number": number})  # fmt: skip
    return license


def verification(license: License, today: dt.date | None = None) -> dict:
    """What anyone may learn from a license number: no personal data beyond the masked holder."""
    status = license.status_on(today or clock.today())
    return {
        "number": license.number, "status": status, "status_display": LicenseStatus(status).label,
        "name": license.name, "holder": mask_holder(license.holder_name, license.holder.kind),
        "department": license.department.name, "issued_on": license.valid_from, "valid_until": license.valid_until,
        "revoked_on": license.revoked_at.astimezone(clock.hall_tz()).date() if license.revoked_at else None,
    }  # fmt: skip


def valid_licenses_of(applicant: Applicant, item: ServiceItem | None = None, today: dt.date | None = None):
    """证照共享: the holder's licenses valid today (not revoked, within validity) — one indexed
    query (holder, valid_until) where not revoked."""
    today = today or clock.today()
    licenses = License.objects.filter(
        holder=applicant, revoked_at__isnull=True, valid_until__gte=today, valid_from__lte=today
    ).select_related("department")
    if item is not None:
        licenses = licenses.filter(item=item)
    return licenses.order_by("-issued_at")


def _satisfies(department_id: int, name: str, material: Material) -> bool:
    """证照共享: a license satisfies a shared material when the material's sharing department
    issued it and the two names contain one another (营业执照 ↔ 使用单位营业执照)."""
    return department_id == material.shared_by_id and (name in material.name or material.name in name)


def shared_found(applicant: Applicant, materials, today: dt.date, *, fast: bool = False
                 ) -> Callable[[], dict[int, str]]:  # fmt: skip
    """The function that gives {material id: license number} of the shared `materials` the
    applicant's valid licenses satisfy — one indexed query. Registered with cases
    (cases.services.find_shared_with): intake asks it for the shared materials not handed in
    (decision 14). With `fast` (intake's hot path, fastsql on) the query goes as a fastsql.Read
    with the submission's next round trip, the case number's (decision 17); else it runs now
    through the ORM. The same rows either way: `valid_licenses_of`'s filter and order."""
    if fast:
        today_db = connection.ops.adapt_datefield_value(today)
        read = fastsql.Read(_live_sql(), [applicant.pk, today_db, today_db])
        fastsql.run(read)
        return lambda: _matched(read.result(), materials)
    licenses = list(valid_licenses_of(applicant, today=today).values_list("department_id", "name", "number"))
    return lambda: _matched(licenses, materials)


@lru_cache(maxsize=1)
def _live_sql() -> str:
    """`valid_licenses_of(applicant, today=…).values_list("department_id", "name", "number")` in
    plain SQL (on the partial index license_holder_live)."""
    table = fastsql.quote(License._meta.db_table)
    return (f"SELECT department_id, name, number FROM {table} WHERE holder_id = %s AND revoked_at IS NULL "
            f"AND valid_until >= %s AND valid_from <= %s ORDER BY issued_at DESC")  # fmt: skip


def _matched(licenses, materials) -> dict[int, str]:
    found = {}
    for department_id, name, number in licenses:
        for m in materials:
            if m.pk not in found and _satisfies(department_id, name, m):
                found[m.pk] = number
    return found


def shared_materials(case: Case, today: dt.date | None = None) -> list[dict]:
    """The case's 部门共享 materials as intake recorded them (共享获取, 已收 on paper, or 缺少 when
    not found), each with the applicant's valid license that satisfies it today, or None."""
    rows = list(case.materials.filter(material__source=Material.Source.SHARED).select_related("material"))
    licenses = list(valid_licenses_of(case.applicant, today=today)) if rows else []
    return [
        {"material": row, "license": next((lic for lic in licenses
                                           if _satisfies(lic.department_id, lic.name, row.material)), None)}
        for row in rows
    ]  # fmt: skip


def my_licenses(user: User) -> QuerySet[License]:
    return License.objects.filter(holder__user=user).select_related("department").order_by("-issued_at")


def my_license(user: User, raw_number: str) -> License:
    """The holder's own license; anyone else's answers 404 (as if it did not exist)."""
    number = (raw_number or "").strip().upper()
    license = my_licenses(user).select_related("holder", "item", "case").filter(number=number).first()
    if license is None:
        raise NotFound("license.not_found", "未找到该证照。")
    return license


def license_for(user: User, raw_number: str) -> License:
    """A license as staff see it: its case must be visible to them (department or hall)."""
    number = (raw_number or "").strip().upper()
    license = (
        License.objects.filter(case__in=case_queries.visible_cases(user), number=number)
        .select_related("case", "item", "department", "holder", "issued_by", "revoked_by")
        .first()
    )
    if license is None:
        raise NotFound("license.not_found", "未找到该证照。")
    return license


def _documents(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.filter(
        status=Status.CLOSED, outcome=Outcome.APPROVED, item_version__result_type__in=DOCUMENT_RESULTS
    )


def awaiting_issue(cases: QuerySet[Case]) -> QuerySet[Case]:
    return _documents(cases).filter(license__isnull=True).select_related("item_version", "applicant")


def awaiting_delivery(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.filter(license__isnull=False, delivery__isnull=True).select_related(
        "item_version", "applicant", "license"
    )


def undelivered(cases: QuerySet[Case]) -> QuerySet[Case]:
    """Approved cases with a document result not yet delivered (issued or not): art. 44's ten
    working days run on them (supervision's light of deliveries)."""
    return _documents(cases).filter(delivery__isnull=True)


def late_deliveries(today: dt.date | None = None, cases: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """行政许可法 art. 44 missed: delivered more than 10 working days after the decision, or not
    yet delivered and the 10 working days are over. One query (no loop over cases)."""
    today = today or clock.today()
    cases = Case.objects.all() if cases is None else cases
    undelivered = Q(delivery__isnull=True, decided_at__lt=late_if_decided_before(today))
    return (
        _documents(cases)
        .filter(Q(delivery__on_time=False) | undelivered)
        .select_related("item_version", "applicant", "department")
        .order_by("decided_at")
    )


def desk(cases: QuerySet[Case], *, issuing: bool) -> dict:
    """The staff desk's three lists (200 rows each), over the cases the viewer may see."""
    late = list(late_deliveries(cases=cases)[:200])
    return {
        "to_issue": list(awaiting_issue(cases).order_by("decided_at")[:200]) if issuing else [],
        "to_deliver": list(awaiting_delivery(cases).order_by("license__issued_at")[:200]),
        "late": [(case, delivery_due_on(case)) for case in late],
    }


def case_sheet(case: Case) -> dict:
    """Everything the case's 制证送达 page shows: the license and its delivery, the fee and the
    shared materials."""
    today = clock.today()
    license = License.objects.filter(case=case).select_related("department").first()
    notices = notices_of_case(case)
    return {
        "case": case, "license": license, "license_status": license and license.status_on(today),
        "delivery": getattr(license, "delivery", None) if license else None,
        "delivery_choice": delivery_choice.choice_of(case),
        "due_on": case.decided_at and delivery_due_on(case), "today": today,
        "default_valid_until": default_valid_until(today), "notices": notices, "shared": shared_materials(case),
        "may_bill": not case.item_version.is_free and case.outcome == Outcome.APPROVED
        and all(n.state == "cancelled" for n in notices),
    }  # fmt: skip
