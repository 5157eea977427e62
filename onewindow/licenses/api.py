"""Licenses API: public verification (GET /licenses/{number}/verify), a license as its holder
or the staff see it, revocation, the holder lookup of 证照共享 and the late deliveries — and the
case actions after the decision, 制证 and 送达: POST /cases/{number}/issue and /deliver. They sit
under /cases with the other transitions and answer the case as they do (tag `cases`, CaseOut),
but licenses owns them: cases sits below licenses and does not call up (decision 19)."""

import datetime as dt

from ninja import Field, Router, Schema
from ninja import Status as HttpStatus
from ninja.pagination import paginate

from onewindow import clock
from onewindow.accounts.models import PersonalDataRead, Role
from onewindow.accounts.permissions import public, requires
from onewindow.accounts.queries import staff_of
from onewindow.cases import queries as case_queries
from onewindow.cases.after_decision import delivery_due_on
from onewindow.cases.api import CaseOut, answer
from onewindow.cases.models import Case, DeliveryChoice
from onewindow.errors import NotFound
from onewindow.inputs import bounded, column
from onewindow.licenses import queries, services
from onewindow.licenses.models import Delivery, License, LicenseStatus
from onewindow.paging import Paged

router = Router(tags=["licenses"])


class VerificationOut(Schema):
    number: str
    status: str
    status_display: str
    name: str
    holder: str
    department: str
    issued_on: dt.date
    valid_until: dt.date
    revoked_on: dt.date | None


class UnknownOut(Schema):
    """404 for a well-formed number no license carries: the error shape plus `status`."""

    code: str
    message: str
    details: dict
    number: str
    status: str
    status_display: str


class ErrorOut(Schema):
    code: str
    message: str
    details: dict


@router.get("/licenses/{number}/verify", auth=None, response={200: VerificationOut, 400: ErrorOut, 404: UnknownOut},
            operation_id="licenses_verify")  # fmt: skip
@public
def verify(request, number: str):
    """证照核验: valid / revoked / expired (200), unknown (404, status `unknown`), or a malformed
    number (400, code license.malformed_number). No personal data beyond the masked holder."""
    queries.count_verification(request)
    try:
        license = queries.verify(number)
    except NotFound as exc:
        unknown = LicenseStatus.UNKNOWN
        return HttpStatus(404, {"code": exc.code, "message": exc.message, "details": exc.details,
                                "number": exc.details["number"], "status": unknown, "status_display": unknown.label})  # fmt: skip
    return queries.verification(license)


class LicenseOut(Schema):
    number: str
    name: str
    status: str
    status_display: str
    case: str
    item: str
    holder_name: str
    department: str
    issued_at: dt.datetime
    valid_from: dt.date
    valid_until: dt.date
    delivery_method: str
    revoked_at: dt.datetime | None
    revoke_reason: str


def _out(license: License) -> dict:
    status = license.status_on(clock.today())
    return {
        "number": license.number, "name": license.name, "status": status,
        "status_display": LicenseStatus(status).label, "case": license.case.number, "item": license.item.code,
        "holder_name": license.holder_name, "department": license.department.code, "issued_at": license.issued_at,
        "valid_from": license.valid_from, "valid_until": license.valid_until,
        "delivery_method": license.delivery_method, "revoked_at": license.revoked_at,
        "revoke_reason": license.revoke_reason,
    }  # fmt: skip


def _visible(request, number: str) -> License:
    """The holder's own license, or one whose case the staff member may see; else 404."""
    if staff_of(request.user) is None and not request.user.is_superuser:
        return queries.my_license(request.user, number)
    return queries.license_for(request.user, number)


class LateRow(Schema):
    case: str
    item_name: str
    department: str
    decided_at: dt.datetime
    due_on: dt.date
    delivered_at: dt.datetime | None


@router.get("/licenses/late-deliveries", response=list[LateRow], operation_id="licenses_late_deliveries")
@paginate(Paged)
@requires(Role.SUPERVISOR, Role.HALL_ADMIN, Role.REVIEWER, Role.DEPARTMENT_HEAD)
def late_deliveries(request):
    """逾期送达 (行政许可法 art. 44): more than 10 working days after the decision, delivered or not."""
    cases = queries.late_deliveries(cases=case_queries.visible_cases(request.user))
    return [
        {"case": c.number, "item_name": c.item_version.name, "department": c.department.code,
         "decided_at": c.decided_at, "due_on": delivery_due_on(c),
         "delivered_at": getattr(getattr(c, "delivery", None), "delivered_at", None)}
        for c in cases.select_related("delivery")[:1000]
    ]  # fmt: skip


class LookupIn(Schema):
    identifier: bounded(40, "证件号码或统一社会信用代码")
    purpose: column(PersonalDataRead, "purpose") = "证照共享查询"


class HeldLicense(Schema):
    number: str
    name: str
    department: str
    valid_from: dt.date
    valid_until: dt.date


class HolderOut(Schema):
    holder_name: str
    holder_kind: str
    licenses: list[HeldLicense]


@router.post("/licenses/lookup", response=HolderOut, operation_id="licenses_lookup")
@requires(*services.LOOKUP_ROLES)
def lookup(request, payload: LookupIn):
    """证照共享: the valid licenses of a holder found by ID number or credit code (posted, so the
    number stays out of URLs and logs); every lookup is audited."""
    holder = services.lookup_holder(payload.identifier, by=request.user, purpose=payload.purpose)
    return {
        "holder_name": holder.name, "holder_kind": holder.kind,
        "licenses": [{"number": lic.number, "name": lic.name, "department": lic.department.name,
                      "valid_from": lic.valid_from, "valid_until": lic.valid_until}
                     for lic in queries.valid_licenses_of(holder)],
    }  # fmt: skip


@router.get("/licenses/{number}", response=LicenseOut, operation_id="licenses_get")
@requires()
def get_license(request, number: str):
    return _out(_visible(request, number))


@router.get("/cases/{number}/license", response=LicenseOut, operation_id="licenses_get_of_case")
@requires()
def license_of_case(request, number: str):
    """The license issued for a case (after POST /cases/{number}/issue)."""
    case = case_queries.case_for(request.user, number)
    license = License.objects.filter(case=case).select_related("case", "item", "department").first()
    if license is None:
        raise NotFound("license.not_issued", "该办件尚未制证。")
    return _out(license)


class RevokeIn(Schema):
    reason: column(License, "revoke_reason")


@router.post("/licenses/{number}/revoke", response=LicenseOut, operation_id="licenses_revoke")
@requires(Role.DEPARTMENT_HEAD)
def revoke(request, number: str, payload: RevokeIn):
    """撤销 by the head of the issuing department, with a reason."""
    return _out(services.revoke_license(queries.license_for(request.user, number), by=request.user,
                                        reason=payload.reason))  # fmt: skip


# ---- the case actions after the decision (行政许可法 art. 44) --------------------------------


class IssueIn(Schema):
    delivery: column(DeliveryChoice, "method") = Field(
        "pickup", description="pickup（窗口领取）/ post（免费邮寄）"
    )
    valid_until: dt.date | None = Field(None, description="有效期至；省略即按默认年限")


class DeliverIn(Schema):
    method: column(Delivery, "method", code="case.delivery_field_length") = Field(
        "", description="pickup / post"
    )
    signed_by: column(Delivery, "signed_by", code="case.delivery_field_length") = Field(
        "", description="窗口领取：签收人"
    )
    id_checked: bool = Field(False, description="窗口领取：已核验签收人身份证件")
    courier: column(Delivery, "courier", code="case.delivery_field_length") = Field(
        "", description="邮寄：快递公司"
    )
    tracking_number: column(Delivery, "tracking_number", code="case.delivery_field_length") = Field(
        "", description="邮寄：运单号"
    )
    address: column(Delivery, "address", code="case.delivery_field_length") = Field(
        "", description="邮寄：收件地址"
    )


# The same path, operation id, tag, summary and answer as when cases.api declared them (the
# OpenAPI document is unchanged). The service locks the case by its number: a stand-in.
@router.post("/cases/{number}/issue", response=CaseOut, operation_id="cases_issue", tags=["cases"],
             summary="制证（证照编号见 GET /cases/{number}/license）")  # fmt: skip
@requires()
def case_issue(request, number: str, payload: IssueIn):
    issued = services.issue_license(Case(number=number), by=request.user, delivery=payload.delivery,
                                    valid_until=payload.valid_until)  # fmt: skip
    return answer(issued.case)


@router.post("/cases/{number}/deliver", response=CaseOut, operation_id="cases_deliver", tags=["cases"],
             summary="送达")  # fmt: skip
@requires()
def case_deliver(request, number: str, payload: DeliverIn):
    return answer(services.deliver_license(Case(number=number), by=request.user, **payload.model_dump()).case)
