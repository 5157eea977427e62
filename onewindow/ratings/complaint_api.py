"""投诉 API under /api/v1/complaints (API.md): file (POST, Idempotency-Key honoured by the
middleware), list (paged, filters named like the fields), read one (with the actions the caller
may take now), and the transitions POST /complaints/{number}/<action> answering the complaint."""

import datetime as dt

from ninja import Field, Router, Schema
from ninja import Status as HttpStatus
from ninja.pagination import paginate

from onewindow.accounts.masking import mask_phone
from onewindow.accounts.models import Department, Hall
from onewindow.accounts.permissions import requires
from onewindow.cases.models import Case
from onewindow.errors import DomainError
from onewindow.inputs import column
from onewindow.paging import Paged
from onewindow.ratings import complaint_queries as queries
from onewindow.ratings import complaints as services
from onewindow.ratings.models import (
    CallbackOutcome,
    Complaint,
    ComplaintEvent,
    ComplaintFinding,
    ComplaintSource,
    ComplaintStatus,
)

router = Router(tags=["ratings"])


class ComplaintOut(Schema):
    number: str
    hall: str
    source: str
    source_display: str
    source_ref: str
    name: str
    phone: str = Field(description="已脱敏")
    case: str | None
    window: str | None
    officer: str | None
    department: str | None
    department_name: str | None
    subject: str
    text: str
    status: str
    status_display: str
    filed_at: dt.datetime
    due_on: dt.date
    days_left: int | None
    answer: str
    answered_at: dt.datetime | None
    answered_on_time: bool | None
    callback_outcome: str
    callback_outcome_display: str
    finding: str
    finding_display: str
    closed_at: dt.datetime | None
    allowed_actions: list[str]


def out(complaint: Complaint, user) -> dict:
    c = complaint
    return {
        "number": c.number, "hall": c.hall.code, "source": c.source, "source_display": c.get_source_display(),
        "source_ref": c.source_ref, "name": c.name, "phone": mask_phone(c.phone),
        "case": c.case.number if c.case_id else None, "window": c.window.number if c.window_id else None,
        "officer": str(c.officer) if c.officer_id else None,
        "department": c.department.code if c.department_id else None,
        "department_name": c.department.name if c.department_id else None, "subject": c.subject, "text": c.text,
        "status": c.status, "status_display": c.get_status_display(), "filed_at": c.filed_at, "due_on": c.due_on,
        "days_left": queries.days_left(c), "answer": c.answer, "answered_at": c.answered_at,
        "answered_on_time": c.answered_on_time, "callback_outcome": c.callback_outcome,
        "callback_outcome_display": c.get_callback_outcome_display(), "finding": c.finding,
        "finding_display": c.get_finding_display(), "closed_at": c.closed_at,
        "allowed_actions": services.allowed_actions(c, user),
    }  # fmt: skip


class FileIn(Schema):
    subject: column(Complaint, "subject", code="complaint.subject_too_long") = Field(
        description="投诉事由（≤100字）"
    )
    text: column(Complaint, "text", code="complaint.text_too_long") = Field(description="投诉内容")
    source: column(Complaint, "source") = Field(
        ComplaintSource.PORTAL, description="portal（本人网上投诉）/ desk（大厅投诉台）/ hotline（12345）"
    )
    source_ref: column(Complaint, "source_ref") = Field("", description="hotline：12345 工单编号")
    case: column(Case, "number") = Field("", description="所涉办件编号（可选）")
    hall: column(Hall, "code") = Field("", description="政务服务中心编码（无办件时）")
    department: column(Department, "code") = Field("", description="所涉部门编码（可选）")
    name: column(Complaint, "name", code="complaint.name_too_long") = Field(
        "", description="投诉人姓名（大厅、热线登记时）"
    )
    phone: column(Complaint, "phone") = Field("", description="联系电话")


def _by_code(model, code: str, what: str):
    if not code:
        return None
    found = model.objects.filter(code=code).first()
    if found is None:
        raise DomainError(
            f"complaint.unknown_{what}", f"未找到编码为 {code} 的{'中心' if what == 'hall' else '部门'}。"
        )
    return found


@router.post("/complaints", response={201: ComplaintOut}, operation_id="ratings_file_complaint")
@requires()
def file_complaint(request, payload: FileIn):
    """投诉: a citizen's own (portal), or recorded by the hall's complaint desk or the hotline."""
    complaint = services.file_complaint(
        by=request.user, subject=payload.subject, text=payload.text, source=payload.source,
        source_ref=payload.source_ref, case_number=payload.case, name=payload.name, phone=payload.phone,
        hall=_by_code(Hall, payload.hall, "hall"), department=_by_code(Department, payload.department, "department"),
    )  # fmt: skip
    return HttpStatus(201, out(queries.complaint_for(request.user, complaint.number), request.user))


@router.get("/complaints", response=list[ComplaintOut], operation_id="ratings_list_complaints")
@paginate(Paged)
@requires()
def list_complaints(request, status: str = "", department: str = "", source: str = "", overdue: bool = False):
    """The complaints the caller may see: a citizen their own, staff their hall's or department's."""
    if status and status not in ComplaintStatus.values:
        raise DomainError("complaint.status", "状态参数不正确。")
    rows = queries.staff_list(request.user, status=status, department=department, source=source,
                              overdue_only=overdue).select_related("hall", "officer")  # fmt: skip
    return [out(c, request.user) for c in rows[:1000]]


@router.get("/complaints/{number}", response=ComplaintOut, operation_id="ratings_get_complaint")
@requires()
def get_complaint(request, number: str):
    return out(queries.complaint_for(request.user, number), request.user)


class AssignIn(Schema):
    department: column(Department, "code") = Field(description="承办部门编码")
    note: column(ComplaintEvent, "reason", code="complaint.note_too_long") = ""


class ComplaintAnswerIn(Schema):
    text: column(Complaint, "answer", code="complaint.text_too_long")


class ComplaintCallbackIn(Schema):
    outcome: column(Complaint, "callback_outcome") = Field(description=" / ".join(CallbackOutcome.values))
    note: column(Complaint, "callback_note", code="complaint.note_too_long") = ""


class ReopenIn(Schema):
    reason: column(ComplaintEvent, "reason", code="complaint.reason_too_long") = Field(
        description="退回理由（回访不满意）"
    )


class ComplaintDecideIn(Schema):
    finding: column(Complaint, "finding") = Field(description=" / ".join(ComplaintFinding.values))
    reason: column(Complaint, "finding_reason", code="complaint.reason_too_long")


def _done(request, complaint: Complaint) -> dict:
    return out(queries.complaint_for(request.user, complaint.number), request.user)


@router.post("/complaints/{number}/assign", response=ComplaintOut, operation_id="ratings_assign_complaint")
@requires()
def assign(request, number: str, payload: AssignIn):
    complaint = queries.complaint_for(request.user, number)
    department = _by_code(Department, payload.department, "department")
    return _done(
        request, services.assign(complaint, by=request.user, department=department, note=payload.note)
    )


@router.post("/complaints/{number}/answer", response=ComplaintOut, operation_id="ratings_answer_complaint")
@requires()
def answer(request, number: str, payload: ComplaintAnswerIn):
    complaint = queries.complaint_for(request.user, number)
    return _done(request, services.answer(complaint, by=request.user, text=payload.text))


@router.post(
    "/complaints/{number}/callback", response=ComplaintOut, operation_id="ratings_callback_complaint"
)
@requires()
def callback(request, number: str, payload: ComplaintCallbackIn):
    complaint = queries.complaint_for(request.user, number)
    return _done(request, services.record_callback(complaint, by=request.user, outcome=payload.outcome,
                                                   note=payload.note))  # fmt: skip


@router.post("/complaints/{number}/reopen", response=ComplaintOut, operation_id="ratings_reopen_complaint")
@requires()
def reopen(request, number: str, payload: ReopenIn):
    complaint = queries.complaint_for(request.user, number)
    return _done(request, services.reopen(complaint, by=request.user, reason=payload.reason))


@router.post("/complaints/{number}/decide", response=ComplaintOut, operation_id="ratings_decide_complaint")
@requires()
def decide(request, number: str, payload: ComplaintDecideIn):
    complaint = queries.complaint_for(request.user, number)
    return _done(
        request, services.decide(complaint, by=request.user, finding=payload.finding, reason=payload.reason)
    )


@router.post("/complaints/{number}/close", response=ComplaintOut, operation_id="ratings_close_complaint")
@requires()
def close(request, number: str):
    complaint = queries.complaint_for(request.user, number)
    return _done(request, services.close(complaint, by=request.user))
