"""The hall's periodic jobs, one list: `manage.py worker` runs it every minute and `manage.py
periodic` once (from cron). Each job selects its rows with indexed queries, is idempotent (run it
twice, nothing happens twice) and runs on its own: one failing does not stop the others.

- cases: 行政许可法 art. 32 — applications left without an intake answer for 5 working days count
  as accepted from the day they were received; a 容缺受理 promise date passed without the
  tolerated materials is recorded once on the case (supervision event);
- bundles: what the children's own transitions mean for their 一件事 application — the art. 32
  auto-acceptance recorded for the bundle, and the application closed with its one completion
  SMS once every child is closed (bundles.services.settle; decision 20);
- payments: an approved case of a charged item gets its payment notice, issued in its approver's
  name (payments.services.issue_due_notices; decision 20);
- queueing: appointments whose slot has ended without arrival become no-shows;
- notify: tomorrow's appointments get an SMS reminder, once each, from the reminder hour on;
- licenses: 行政许可法 art. 44 — a license not delivered within 10 working days of the decision is
  recorded once as a late delivery (supervision event);
- projects: RULES.md "Parallel approval" — a co-reviewing department with no formal opinion after
  its limit is taken to agree (超时默认), recorded against the department;
- ratings: a bad rating's rectification fed back FOLLOW_UP_DAYS working days ago without the
  rater's follow-up rating is closed (ratings.rectification.close_unanswered; decision 38);
- supervision: 催办 at yellow to the handler, 督办 at red to the department head, once per case and
  light, and the over-time violation at red (supervision.services.sweep); then the other
  violations, each once: decided without the item's steps, a fee not the item's, touched outside
  the hall's system (imported records), silent consent, a bad rating's callback or rectification
  and a complaint's answer past their limits (supervision.detectors.detect); 12345 work orders
  urged at yellow and escalated at red (supervision.work_orders.sweep);
- stats: the daily roll-up is recomputed from the cases — the last ONEWINDOW_STATS_REFRESH_DAYS
  days on the day's first run, today's on every later one (decisions 29 and 48);
- ratings: RULES.md "Ratings" (一事一评 by SMS) — a case closed in the last days, at a hall with
  the invitation on, gets one SMS with a one-time rating link unless rated online already
  (ratings.invites.send_invites);
- assessment: from the first run of a month, the previous month's 1000-point scores of every hall
  with windows, once per hall (a Run row marks it; after the daily roll-up above has refreshed
  the month's last days);
- workdays: the calendar never runs out (issue 13 rule 6) — when today's year comes within
  ONEWINDOW_PROVISIONAL_YEARS_AHEAD (at least two) years of the table's end, provisional years are
  generated. Checked each run against the calendar already in memory (no query), so it acts once
  a year, the first run after New Year's Day."""

import datetime as dt
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.db.models import F

from onewindow import clock
from onewindow.assessment import services as assessment
from onewindow.bundles import services as bundles
from onewindow.cases import jobs, tolerance
from onewindow.errors import DomainError
from onewindow.foresight import services as forecast
from onewindow.licenses import jobs as license_jobs
from onewindow.market import selection as market_selection
from onewindow.notify.models import Event, Message
from onewindow.notify.services import enqueue
from onewindow.payments import services as payments
from onewindow.projects import jobs as project_jobs
from onewindow.queueing import appointments
from onewindow.ratings import invites as rating_invites
from onewindow.ratings import rectification
from onewindow.stats import rollup
from onewindow.supervision import detectors as violations
from onewindow.supervision import services as supervision
from onewindow.supervision import work_orders as hotline_urging
from onewindow.trading import bids as trading_bids
from onewindow.workdays import calendar
from onewindow.workdays import services as workdays

log = logging.getLogger("onewindow.periodic")


def auto_accept() -> int:
    return jobs.auto_accept_overdue_intake(clock.today())


def no_shows() -> int:
    today = clock.today()
    return appointments.mark_no_shows(today - dt.timedelta(days=1)) + appointments.mark_no_shows(today)


def extend_calendar() -> int:
    """Provisional years added (0 nearly always: the in-memory calendar already reaches far enough)."""
    today = clock.today()
    try:
        last = calendar.current().last
    except DomainError:  # an empty table: seed it
        last = None
    if last is not None and last.year >= workdays.last_year_needed(today):
        return 0
    return workdays.ensure_calendar(today)


def reminder_key(code: str) -> str:
    return f"appointment:{code}:reminder"


def remind_appointments() -> int:
    """预约提醒: the SMS for each of tomorrow's bookings, from ONEWINDOW_APPOINTMENT_REMINDER_HOUR
    (hall time) on; the key per appointment makes a second run queue nothing. The messages
    already queued are read in one query, so a run with nothing new costs two."""
    now = clock.now().astimezone(clock.hall_tz())
    if now.hour < settings.ONEWINDOW_APPOINTMENT_REMINDER_HOUR:
        return 0
    due = list(appointments.reminders_due(now.date()).annotate(phone=F("user__applicant__phone")))
    done = set(
        Message.objects.filter(key__in=[reminder_key(a.code) for a in due]).values_list("key", flat=True)
    )
    queued = 0
    with transaction.atomic():
        for a in due:
            if reminder_key(a.code) in done:
                continue
            context = {"hall": a.hall.name, "address": a.hall.address, "category": a.category.name, "day": a.day,
                       "start": a.start, "end": a.end, "code": a.code}  # fmt: skip
            if enqueue(phone=a.phone, event=Event.APPOINTMENT_REMINDER, context=context, key=reminder_key(a.code),
                       subject_kind="appointment", subject_key=a.code, hall=a.hall):  # fmt: skip
                queued += 1
    return queued


# (result name, what it does, unit, the job) — modules add theirs here.
JOBS: list[tuple[str, str, str, Callable[[], int]]] = [
    ("auto_accepted", "逾期未答复视为受理", "件", auto_accept),
    ("tolerance_overdue", "容缺材料逾期未补齐记录", "件", tolerance.record_missed_promises),
    ("bundles_settled", "一件事受理与办结记录", "件", bundles.settle),
    ("fee_notices", "准予许可收费事项开具缴款通知", "份", payments.issue_due_notices),
    ("no_shows", "预约爽约", "个", no_shows),
    ("appointment_reminders", "预约提醒短信", "条", remind_appointments),
    ("late_deliveries", "逾期送达记录", "件", license_jobs.record_late_deliveries),
    ("silent_consents", "并联审批超时默认同意", "个", project_jobs.apply_silent_consent),
    ("rectifications_closed", "差评整改反馈后逾期未追评办结", "件", rectification.close_unanswered),
    ("supervision", "电子监察催办督办", "件", supervision.sweep),
    ("hotline_urging", "热线工单催办督办", "件", hotline_urging.sweep),
    ("market_close", "中介超市报名截止选取", "个", market_selection.close_due),
    ("trading_open", "公共资源交易到时开标", "个", trading_bids.open_due),
    ("violations", "电子监察违规发现", "条", violations.detect),
    ("forecast", "风险预判（每日训练并评估在办件）", "件", forecast.daily),
    ("daily_figures", "统计日汇总刷新", "行", rollup.periodic_refresh),
    ("rating_invites", "办结短信邀请评价", "条", rating_invites.send_invites),
    ("assessment_months", "上月千分制考核计算", "个中心", assessment.compute_previous_month),
    ("calendar_years", "工作日历延展（临时推算年度）", "年", extend_calendar),
]


# A job taking longer than this is logged as a warning: the worker runs the list every minute, so
# at a province's size (bench/province.py: the roll-up refresh of every hall) the operator learns
# which job to slow down (docs/scaling.md).
SLOW_SECONDS = 20.0
timer = time.monotonic  # a test's clock of its own (time.monotonic is everyone's)


def run_jobs() -> dict[str, int | None]:
    """Runs every job; {name: its count}, None for a job that failed (logged with its traceback).
    Each job's time is logged; a slow one as a warning."""
    results: dict[str, int | None] = {}
    for name, label, _, job in JOBS:
        started = timer()
        try:
            results[name] = job()
        except Exception:
            log.exception("定时任务“%s”失败", label)
            results[name] = None
        seconds = timer() - started
        level = logging.WARNING if seconds > SLOW_SECONDS else logging.DEBUG
        log.log(level, "定时任务“%s”用时 %.2f 秒", label, seconds)
    return results


def summary(results: dict[str, int | None]) -> str:
    """逾期未答复视为受理：1 件；预约爽约：0 个；…"""
    return "；".join(
        f"{label}：{'失败' if results.get(name) is None else f'{results[name]} {unit}'}"
        for name, label, unit, _ in JOBS
    )
