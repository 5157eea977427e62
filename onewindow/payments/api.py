"""Payments API: payment notices (issue, check, pay, deposit, cancel), the bank's signed
callback and the daily reconciliation. Money is integer fen with "currency": "CNY" (API.md)."""

import datetime as dt

from ninja import Field, Query, Router, Schema
from ninja import Status as HttpStatus

from onewindow import clock, ratelimit
from onewindow.accounts.models import Role
from onewindow.accounts.permissions import public, requires
from onewindow.cases import queries as case_queries
from onewindow.cases.models import Case
from onewindow.inputs import column
from onewindow.payments import queries, services
from onewindow.payments.models import PaymentNotice

router = Router(tags=["payments"])


class NoticeOut(Schema):
    number: str
    case: str
    department: str
    amount_fen: int
    currency: str = "CNY"
    basis: str
    payee_name: str
    payee_bank: str
    payee_account: str
    state: str
    state_display: str
    issued_at: dt.datetime
    checked_at: dt.datetime | None
    paid_at: dt.datetime | None
    paid_via: str
    deposited_at: dt.datetime | None
    cancelled_at: dt.datetime | None


def _out(notice: PaymentNotice) -> dict:
    return {
        "number": notice.number, "case": notice.case.number, "department": notice.department.code,
        "amount_fen": notice.amount_fen, "basis": notice.basis, "payee_name": notice.payee_name,
        "payee_bank": notice.payee_bank, "payee_account": notice.payee_account, "state": notice.state,
        "state_display": notice.get_state_display(), "issued_at": notice.issued_at, "checked_at": notice.checked_at,
        "paid_at": notice.paid_at, "paid_via": notice.paid_via, "deposited_at": notice.deposited_at,
        "cancelled_at": notice.cancelled_at,
    }  # fmt: skip


class PaymentIssueIn(Schema):
    case: column(Case, "number") = Field(..., description="办件编号")


@router.post("/payments/notices", response={201: NoticeOut}, operation_id="payments_issue_notice")
@requires(Role.REVIEWER, Role.DEPARTMENT_HEAD)
def issue_notice(request, payload: PaymentIssueIn):
    """开具缴款通知 (again, after a cancellation: approval issues the first by itself)."""
    case = case_queries.case_for(request.user, payload.case)
    return HttpStatus(201, _out(services.issue_notice(case, by=request.user)))


@router.get("/payments/notices/{number}", response=NoticeOut, operation_id="payments_get_notice")
@requires()
def get_notice(request, number: str):
    return _out(queries.notice_for(request.user, number))


class PayIn(Schema):
    bank_ref: column(PaymentNotice, "bank_ref") = Field(..., description="银行流水号")


class CancelIn(Schema):
    reason: column(PaymentNotice, "cancel_reason")


class PaymentEmptyIn(Schema):
    pass


def _action(name: str, roles: tuple, run, schema=PaymentEmptyIn, doc: str = ""):
    @router.post(f"/payments/notices/{{number}}/{name}", response=NoticeOut, operation_id=f"payments_{name}",
                 summary=doc)  # fmt: skip
    @requires(*roles)
    def view(request, number: str, payload: schema):
        return _out(run(queries.notice_for(request.user, number), request.user, payload))

    view.__name__ = f"notice_{name}"
    return view


_action("check", (Role.FINANCE,), lambda n, u, p: services.check_notice(n, by=u), doc="财务审核")
_action("pay", (Role.BANK_TELLER,), lambda n, u, p: services.mark_paid(n, by=u, bank_ref=p.bank_ref), PayIn,
        "银行窗口登记缴款")  # fmt: skip
_action("deposit", (Role.FINANCE, Role.BANK_TELLER), lambda n, u, p: services.mark_deposited(n, by=u),
        doc="登记入库")  # fmt: skip
_action("cancel", (Role.REVIEWER, Role.DEPARTMENT_HEAD),
        lambda n, u, p: services.cancel_notice(n, by=u, reason=p.reason), CancelIn, "作废")  # fmt: skip


class CallbackOut(Schema):
    notice_number: str
    state: str
    paid_at: dt.datetime
    bank_ref: str


@router.post("/payments/callback", auth=None, response=CallbackOut, operation_id="payments_callback")
@public
def callback(request):
    """银行回调: body {notice_number, amount_fen, paid_at (ISO 8601 with offset), bank_ref};
    header X-Signature: hex(HMAC-SHA256(secret, raw body)). 200 once per bank transaction;
    refused with its own code: 401 bad signature, 400 malformed / stale / wrong amount, 404
    unknown notice, 409 replay (nothing changed — a bank's retry of an accepted callback reads it
    as "already received"), already paid, not payable. Every callback is stored with its outcome."""
    notice = services.receive_callback(request.body, request.headers.get("X-Signature", ""),
                                       remote_addr=ratelimit.client_address(request) or "")  # fmt: skip
    return {"notice_number": notice.number, "state": notice.state, "paid_at": notice.paid_at,
            "bank_ref": notice.bank_ref}  # fmt: skip


class Totals(Schema):
    count: int
    amount_fen: int
    currency: str = "CNY"
    notices: list[str]


class RefusedCallbacks(Schema):
    outcome: str
    name: str
    count: int


class ReconciliationOut(Schema):
    day: dt.date
    issued: Totals
    paid: Totals
    unpaid: Totals
    late_deposits: Totals
    refused_callbacks: list[RefusedCallbacks]


def _totals(summary: dict) -> dict:
    return {
        "count": summary["count"],
        "amount_fen": summary["fen"],
        "notices": [n.number for n in summary["rows"]],
    }


@router.get("/payments/reconciliation", response=ReconciliationOut, operation_id="payments_reconciliation")
@requires(*queries.RECONCILIATION_ROLES)
def reconciliation(request, day: dt.date | None = Query(None, description="YYYY-MM-DD；省略即今天")):
    """对账: notices issued, paid and unpaid on the day, and payments not deposited within 24 hours."""
    services.issue_due_notices()  # the approvals still owing a notice, issued before the figures are read
    data = queries.reconciliation(queries.reconciliation_halls(request.user), day or clock.today())
    return {"day": data["day"], "refused_callbacks": data["refused_callbacks"],
            **{k: _totals(data[k]) for k in ("issued", "paid", "unpaid", "late_deposits")}}  # fmt: skip
