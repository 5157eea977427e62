"""考勤设备接口: a hall's check-in device posts each check-in with its key (header X-Device-Key,
no person's login). POST /api/v1/attendance/check-ins — 201 recorded; 200 the same device
record again (a retry: nothing written twice, the first record answered); 401
assessment.device_key_invalid; 404 assessment.staff_not_found; 409 assessment.event_id_reused
(the record number already reported with another person or time); 400 invalid input."""

import datetime as dt

from ninja import Field, Router, Schema
from ninja import Status as HttpStatus

from onewindow.accounts.permissions import public
from onewindow.assessment import attendance
from onewindow.assessment.models import CheckIn, Slot
from onewindow.inputs import bounded, column

router = Router(tags=["assessment"])
HEADER = "X-Device-Key"


class CheckInIn(Schema):
    event_id: column(CheckIn, "event_id") = Field(min_length=1, description="设备自己的记录号：重试时不变")
    staff: bounded(150, "登录名或考勤工号") = Field(min_length=1, description="登录名或考勤工号")
    at: dt.datetime = Field(description="打卡时间，ISO 8601，带时区")
    method: column(CheckIn, "method") = Field("", description="fingerprint / face / card")


class CheckInOut(Schema):
    event_id: str
    staff: str
    at: dt.datetime
    day: dt.date
    slot: int
    slot_display: str
    replayed: bool


def _out(row: CheckIn, replayed: bool) -> dict:
    return {"event_id": row.event_id, "staff": row.staff.user.username, "at": row.at, "day": row.day,
            "slot": row.slot, "slot_display": Slot(row.slot).label, "replayed": replayed}  # fmt: skip


@router.post("/attendance/check-ins", auth=None, response={200: CheckInOut, 201: CheckInOut},
             operation_id="assessment_check_in")  # fmt: skip
@public
def check_in(request, payload: CheckInIn):
    """考勤打卡上报（设备密钥认证）。"""
    device = attendance.device_for(request.headers.get(HEADER, ""))
    row, created = attendance.record(device, event_id=payload.event_id, staff=payload.staff, at=payload.at,
                                     method=payload.method)  # fmt: skip
    return HttpStatus(201 if created else 200, _out(row, not created))
