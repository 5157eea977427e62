"""差评整改 API under /api/v1/rectifications (API.md), mirroring the pages: the list (paged, filters
named like the fields), one rectification by its bad rating's id (with the actions the caller
may take now — the same TRANSITIONS table), the steps POST /rectifications/{rating_id}/<action>,
and the appeals."""

import datetime as dt

from ninja import Field, Router, Schema
from ninja.pagination import paginate

from onewindow.accounts.permissions import requires
from onewindow.errors import DomainError
from onewindow.inputs import column
from onewindow.paging import Paged
from onewindow.ratings import rectification as services
from onewindow.ratings import rectification_queries as queries
from onewindow.ratings.models import (
    Appeal,
    AppealGround,
    Rectification,
    RectificationStatus,
    VerificationFinding,
)

router = Router(tags=["ratings"])


class RectificationAppealOut(Schema):
    ground: str
    reason: str
    status: str
    status_display: str
    filed_at: dt.datetime
    decided_at: dt.datetime | None
    decision_reason: str


class RectificationOut(Schema):
    rating: int = Field(description="差评（评价）编号")
    level: int
    level_display: str
    text: str
    tags: list[str]
    rated_at: dt.datetime
    rater_phone: str = Field(description="已脱敏；可回访的工作人员回访前可见完整号码")
    case: str | None
    window: str | None
    department: str | None
    department_name: str | None
    status: str
    status_display: str
    light: str = Field(description="当前期限的灯色：red/yellow/green；无计时为空")
    callback_due_on: dt.date
    rectify_due_on: dt.date
    days_left: int | None
    callback_reached: bool | None
    callback_note: str
    callback_on_time: bool | None
    finding: str
    verification_note: str
    measures: str
    feedback: str
    fed_back_on_time: bool | None
    closed_at: dt.datetime | None
    excluded: bool
    appeal: RectificationAppealOut | None
    allowed_actions: list[str]


def out(rect: Rectification, user, light: str | None = None) -> dict:
    r, rating = rect, rect.rating
    appeal = queries.appeal_of(r)
    light = getattr(r, "light", "") if light is None else light
    return {
        "rating": rating.pk, "level": rating.level, "level_display": rating.get_level_display(),
        "text": rating.text, "tags": rating.tags, "rated_at": rating.rated_at,
        "rater_phone": services.rater_phone(r, user), "case": rating.case.number if rating.case_id else None,
        "window": rating.window.number if rating.window_id else None,
        "department": r.department.code if r.department_id else None,
        "department_name": r.department.name if r.department_id else None, "status": r.status,
        "status_display": r.get_status_display(), "light": light or "", "callback_due_on": r.callback_due_on,
        "rectify_due_on": r.rectify_due_on, "days_left": queries.days_left(r),
        "callback_reached": r.callback_reached, "callback_note": r.callback_note,
        "callback_on_time": r.callback_on_time, "finding": r.finding, "verification_note": r.verification_note,
        "measures": r.measures, "feedback": r.feedback, "fed_back_on_time": r.fed_back_on_time,
        "closed_at": r.closed_at, "excluded": rating.excluded,
        "appeal": None if appeal is None else {
            "ground": appeal.ground, "reason": appeal.reason, "status": appeal.status,
            "status_display": appeal.get_status_display(), "filed_at": appeal.filed_at,
            "decided_at": appeal.decided_at, "decision_reason": appeal.decision_reason,
        },
        "allowed_actions": services.allowed_actions(r, user),
    }  # fmt: skip


@router.get("/rectifications", response=list[RectificationOut], operation_id="ratings_list_rectifications")
@paginate(Paged)
@requires(*queries.STAFF_ROLES)
def list_rectifications(request, status: str = "", department: str = "", overdue: bool = False):
    """The bad ratings the caller handles: a department's staff their department's, hall
    management their hall's; each with the light of the clock running now."""
    if status and status not in RectificationStatus.values:
        raise DomainError("rectification.status", "状态参数不正确。")
    rows = queries.staff_list(request.user, status=status, department=department, overdue_only=overdue)
    rows = rows.select_related("rating__case", "rating__window")
    return [out(r, request.user) for r in rows[:1000]]


def _one(request, rating_id: int) -> dict:
    return out(queries.rectification_for(request.user, rating_id), request.user)


@router.get(
    "/rectifications/{rating_id}", response=RectificationOut, operation_id="ratings_get_rectification"
)
@requires(*queries.STAFF_ROLES)
def get_rectification(request, rating_id: int):
    return _one(request, rating_id)


class RectificationCallbackIn(Schema):
    reached: bool = Field(description="是否联系上评价人")
    note: column(Rectification, "callback_note", code="rectification.note_too_long") = Field(
        "", description="回访记录（未联系上时必填）"
    )


class VerifyIn(Schema):
    finding: column(Rectification, "finding") = Field(description=" / ".join(VerificationFinding.values))
    note: column(Rectification, "verification_note", code="rectification.note_too_long") = Field(
        description="核实情况"
    )


class RectifyIn(Schema):
    measures: column(Rectification, "measures", code="rectification.measures_too_long") = Field(
        description="整改措施"
    )


class FeedbackIn(Schema):
    text: column(Rectification, "feedback", code="rectification.feedback_too_long") = Field(
        description="反馈评价人的内容（短信发送，≤70字）"
    )


class AppealIn(Schema):
    ground: column(Appeal, "ground") = Field(description=" / ".join(AppealGround.values))
    reason: column(Appeal, "reason", code="rectification.reason_too_long")


class DecideAppealIn(Schema):
    upheld: bool = Field(description="true：申诉成立（差评不计分）；false：不成立（退回整改）")
    reason: column(Appeal, "decision_reason", code="rectification.reason_too_long") = Field(
        description="复核意见"
    )


def _rect(request, rating_id: int) -> Rectification:
    return queries.rectification_for(request.user, rating_id)


@router.post("/rectifications/{rating_id}/callback", response=RectificationOut,
             operation_id="ratings_rectification_callback")  # fmt: skip
@requires(*queries.STAFF_ROLES)
def callback(request, rating_id: int, payload: RectificationCallbackIn):
    services.callback(_rect(request, rating_id), by=request.user, reached=payload.reached, note=payload.note)
    return _one(request, rating_id)


@router.post("/rectifications/{rating_id}/verify", response=RectificationOut,
             operation_id="ratings_rectification_verify")  # fmt: skip
@requires(*queries.STAFF_ROLES)
def verify(request, rating_id: int, payload: VerifyIn):
    services.verify(_rect(request, rating_id), by=request.user, finding=payload.finding, note=payload.note)
    return _one(request, rating_id)


@router.post("/rectifications/{rating_id}/rectify", response=RectificationOut,
             operation_id="ratings_rectification_rectify")  # fmt: skip
@requires(*queries.STAFF_ROLES)
def rectify(request, rating_id: int, payload: RectifyIn):
    services.rectify(_rect(request, rating_id), by=request.user, measures=payload.measures)
    return _one(request, rating_id)


@router.post("/rectifications/{rating_id}/feedback", response=RectificationOut,
             operation_id="ratings_rectification_feedback")  # fmt: skip
@requires(*queries.STAFF_ROLES)
def feedback(request, rating_id: int, payload: FeedbackIn):
    services.feedback(_rect(request, rating_id), by=request.user, text=payload.text)
    return _one(request, rating_id)


@router.post("/rectifications/{rating_id}/appeal", response=RectificationOut,
             operation_id="ratings_rectification_appeal")  # fmt: skip
@requires(*queries.STAFF_ROLES)
def appeal(request, rating_id: int, payload: AppealIn):
    services.file_appeal(
        _rect(request, rating_id), by=request.user, ground=payload.ground, reason=payload.reason
    )
    return _one(request, rating_id)


@router.post("/rectifications/{rating_id}/decide_appeal", response=RectificationOut,
             operation_id="ratings_rectification_decide_appeal")  # fmt: skip
@requires(*queries.STAFF_ROLES)
def decide_appeal(request, rating_id: int, payload: DecideAppealIn):
    services.decide_appeal(
        _rect(request, rating_id), by=request.user, upheld=payload.upheld, reason=payload.reason
    )
    return _one(request, rating_id)
