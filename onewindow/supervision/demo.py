"""Demo of 电子监察 for the demo hall: three 食品经营许可 cases of 鲁味餐饮 accepted in the past, so
that today one is overdue (red: reviewed by 马骏, escalated to 何静, an over-time violation
counted against 马骏 in the register), one
has a working day left (yellow: 马骏 urged) and one is in 特别程序 (暂停, its light frozen green,
not urged); the department's own system reports that it reviewed the late case outside the hall's
system (an imported record: 体外循环); then the jobs run once, as the worker would within the
minute. Idempotent: skipped once an urge exists."""

from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import Applicant, Hall, User
from onewindow.cases import services as cases
from onewindow.cases.models import Case, Channel
from onewindow.catalog.services import version_for_new_case
from onewindow.supervision import detectors, imports, services
from onewindow.supervision.models import Urge
from onewindow.workdays import calendar

CODE = "SPJY-XK-0001"


def _accepted_on(p: dict, seq: int) -> Case:
    version = version_for_new_case(CODE)
    with clock.frozen(calendar.date_of_seq(seq)):
        case = cases.submit(version=version, applicant=p["applicant"], hall=p["hall"], channel=Channel.WINDOW,
                            by=p["clerk"], handed_in=[m.pk for m in version.materials.all() if m.required])  # fmt: skip
        return cases.accept(case, by=p["clerk"])


@transaction.atomic
def seed() -> dict:
    if Urge.objects.exists():  # told already (or the hall's own job has run)
        return {"supervision": 0}
    users = {u.username: u for u in User.objects.filter(username__in=["clerk", "reviewer_sp"])}
    p = {"clerk": users["clerk"], "applicant": Applicant.objects.get(user__username="luwei"),
         "hall": Hall.objects.get(code="371400-zwfw")}  # fmt: skip
    today = calendar.seq(clock.today())
    promised = version_for_new_case(CODE).promised_limit_days
    late = _accepted_on(p, today - promised - 2)  # overdue by two working days: red
    with clock.frozen(calendar.date_of_seq(today - promised - 1)):  # 马骏 reviewed it, then it waited
        cases.review(late, by=users["reviewer_sp"], opinion="经审查，材料齐全，待现场核查")
    _accepted_on(p, today - promised + 1)  # one working day left: yellow
    paused = _accepted_on(p, today - 1)  # green, then 特别程序
    cases.suspend(paused, by=users["reviewer_sp"], kind="expert_review", reason="食品安全专家现场评审")
    reviewed = calendar.date_of_seq(today - promised - 1).isoformat() + " 15:00"
    row = {"record_id": f"SJ-{late.number}", "case_number": late.number, "action": "审查", "at": reviewed,
           "actor": "马骏", "in_hall_system": "否"}  # fmt: skip
    imports.import_records(late.department, [(2, row)])
    return {"supervision": services.sweep() + detectors.detect_outside_system()}
