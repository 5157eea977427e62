"""Read side of fees: who sees which notices, and the daily reconciliation (set-based SQL,
one aggregate per list — never a loop over notices)."""

import datetime as dt

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet, Sum

from onewindow import clock
from onewindow.accounts.models import DEPARTMENT_ROLES, Hall, Role, User
from onewindow.accounts.queries import staff_of
from onewindow.errors import DomainError, NotFound
from onewindow.payments.models import BankCallback, NoticeState, PaymentNotice, yuan

HALL_ROLES = (Role.FINANCE, Role.BANK_TELLER, Role.HALL_ADMIN, Role.SUPERVISOR)
RECONCILIATION_ROLES = (Role.FINANCE, Role.HALL_ADMIN, Role.SUPERVISOR)


def visible_notices(user: User) -> QuerySet[PaymentNotice]:
    """Finance, the bank window and hall management see their hall's notices; a department
    its own; an applicant the notices of their own cases."""
    notices = PaymentNotice.objects.all()
    if not user.is_authenticated:
        return notices.none()
    if user.is_superuser:
        return notices
    staff = staff_of(user)
    if staff is None:
        return notices.filter(case__applicant__user=user)
    if staff.role in DEPARTMENT_ROLES:
        return notices.filter(department_id=staff.department_id)
    if staff.role in HALL_ROLES:
        return notices.filter(hall_id=staff.hall_id)
    return notices.none()


def notice_for(user: User, number: str) -> PaymentNotice:
    notice = (
        visible_notices(user).select_related("case__item_version", "department").filter(number=number).first()
    )
    if notice is None:
        raise NotFound("payment.not_found", "未找到该缴款通知。")
    return notice


def unpaid_notices_of(user: User) -> QuerySet[PaymentNotice]:
    """The applicant's notices still to pay (shown on "my licenses": no license until paid)."""
    return (
        PaymentNotice.objects.filter(
            case__applicant__user=user, state__in=[NoticeState.ISSUED, NoticeState.CHECKED]
        )
        if user.is_authenticated
        else PaymentNotice.objects.none()
    ).select_related("case__item_version")


def my_notice(user: User, number: str) -> PaymentNotice:
    """A notice of the user's own case (网上缴费); anyone else's number answers 404."""
    notice = (
        PaymentNotice.objects.filter(case__applicant__user=user, number=number)
        .select_related("case__item_version", "case__applicant")
        .first()
        if user.is_authenticated
        else None
    )
    if notice is None:
        raise NotFound("payment.not_found", "未找到该缴款通知。")
    return notice


def my_live_notice_of_case(user: User, case_number: str) -> PaymentNotice:
    """The notice to pay of the user's own case: its newest not cancelled (else its newest)."""
    notices = PaymentNotice.objects.filter(case__applicant__user=user, case__number=case_number)
    notice = (notices.exclude(state=NoticeState.CANCELLED).order_by("-issued_at").first()
              or notices.order_by("-issued_at").first()) if user.is_authenticated else None  # fmt: skip
    if notice is None:
        raise NotFound("payment.no_notice", "该办件暂无缴款通知：准予许可后由部门开具，请稍后再试。")
    return notice


def notices_of_case(case) -> list[PaymentNotice]:
    return list(PaymentNotice.objects.filter(case=case).order_by("-issued_at"))


def reconciliation_halls(user: User) -> QuerySet[Hall]:
    if user.is_superuser:
        return Hall.objects.all()
    staff = staff_of(user)
    if staff is None or staff.role not in RECONCILIATION_ROLES:
        return Hall.objects.none()
    return Hall.objects.filter(pk=staff.hall_id)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The hall's calendar day (Asia/Shanghai) as an aware [start, end) interval."""
    start = dt.datetime.combine(day, dt.time(), tzinfo=clock.hall_tz())
    return start, start + dt.timedelta(days=1)


def _summary(qs: QuerySet[PaymentNotice]) -> dict:
    totals = qs.aggregate(count=Count("pk"), fen=Sum("amount_fen"))
    rows = list(qs.select_related("department", "case").order_by("issued_at", "number")[:500])
    return {"count": totals["count"], "fen": totals["fen"] or 0, "yuan": yuan(totals["fen"]), "rows": rows}


def reconciliation(halls: QuerySet[Hall], day: dt.date) -> dict:
    """对账 of one day: notices issued that day, paid that day, still unpaid at the day's end,
    and payments whose 入库 was due (24 hours after payment) by the day's end but had not
    happened by then; plus the refused bank callbacks of the day. A day after today is refused."""
    if day > clock.today():
        raise DomainError("payment.day_in_future", "对账日期不能晚于今天。")
    start, end = day_bounds(day)
    as_of = min(end, clock.now())
    due = dt.timedelta(hours=settings.ONEWINDOW_DEPOSIT_HOURS)
    notices = PaymentNotice.objects.filter(hall__in=halls)
    live_at_end = Q(cancelled_at__isnull=True) | Q(cancelled_at__gte=end)
    unpaid = notices.filter(live_at_end, issued_at__lt=end).filter(
        Q(paid_at__isnull=True) | Q(paid_at__gte=end)
    )
    late = notices.filter(paid_at__isnull=False, paid_at__lte=as_of - due).filter(
        Q(deposited_at__isnull=True) | Q(deposited_at__gt=F("paid_at") + due, deposited_at__gte=start)
    )
    refused = (
        BankCallback.objects.filter(received_at__gte=start, received_at__lt=end)
        .filter(Q(notice__hall__in=halls) | Q(notice__isnull=True))
        .exclude(outcome=BankCallback.Outcome.OK)
        .values("outcome")
        .annotate(n=Count("pk"))
        .order_by("outcome")
    )
    outcome_names = dict(BankCallback.Outcome.choices)
    return {
        "day": day,
        "issued": _summary(notices.filter(issued_at__gte=start, issued_at__lt=end)),
        "paid": _summary(notices.filter(paid_at__gte=start, paid_at__lt=end)),
        "unpaid": _summary(unpaid),
        "late_deposits": _summary(late),
        "refused_callbacks": [{"outcome": r["outcome"], "name": outcome_names[r["outcome"]], "count": r["n"]}
                              for r in refused],
        "states": dict(NoticeState.choices),
    }  # fmt: skip
