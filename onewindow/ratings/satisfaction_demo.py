"""Demo history for 满意度与差评整改 (decision 39): in the demo hall, the two whole months before
today, cases of four departments accepted at windows 01 and 05 and decided within days, each
rated on site (the window's device, the day of acceptance) and online (the SMS link, the day of
the decision) through ratings.services.record — so the public page (/figures/satisfaction/),
the dashboard's satisfaction section and the monthly assessment show figures. About one rating
in eight is bad; their rectification walks through ratings.rectification's steps on the days
they happened: most fed back on time, one late, one still waiting for its callback, one appeal
upheld (excluded), one followed by the rater's follow-up rating. Two complaints through
ratings.complaints (one upheld, one not). Deterministic (random.Random(39)) and idempotent
(the cases carry form_data {"demo": "ratings:N"}; the complaints a fixed subject)."""

import datetime as dt
import random

from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import Applicant, Hall, User
from onewindow.cases import services as cases
from onewindow.cases.models import Case, Channel
from onewindow.catalog.models import ItemVersion
from onewindow.ratings import complaints, rectification
from onewindow.ratings import demo as ratings_demo
from onewindow.ratings.models import Complaint, Rating, RatingKind, Rectification
from onewindow.ratings.services import record, subject_of_case
from onewindow.workdays import calendar

HALL = "371400-zwfw"
MARK = "demo"
# (item code, reviewer, head): items whose steps are a review then the head's decision.
ITEMS = [
    ("QYDJ-XK-0001", "reviewer_sp", "head_sp"),
    ("QYBG-XK-0001", "reviewer_sp", "head_sp"),
    ("TZSB-XK-0001", "reviewer", "head"),
    ("XFSC-XK-0001", "reviewer_zjj", "head_zjj"),
]
CLERKS = ["clerk", "clerk2"]  # windows 01 and 05
PER_MONTH = 16
# The demo's default tags (ratings.demo.TAGS) offered in both modes, good and bad.
GOOD_TAGS = [text for text, bad, mode in ratings_demo.TAGS if not bad and not mode]
BAD_TAGS = [text for text, bad, mode in ratings_demo.TAGS if bad and not mode]
COMPLAINTS = [
    ("演示投诉：窗口工作人员态度生硬", "办理时工作人员不耐烦，没有讲清楚要补的材料。", "upheld"),
    ("演示投诉：等候时间过长", "上午排队等了一个多小时才轮到。", "not_upheld"),
]


def _months(today: dt.date) -> list[tuple[dt.date, dt.date]]:
    this = today.replace(day=1)
    last = this - dt.timedelta(days=1)
    before = last.replace(day=1) - dt.timedelta(days=1)
    return [(before.replace(day=1), before), (last.replace(day=1), last)]


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.hall_tz())


def _level(rnd: random.Random) -> int:
    return rnd.choices([5, 4, 3, 2, 1], weights=[55, 22, 10, 8, 5])[0]


def _tags(rnd: random.Random, level: int) -> list[str]:
    return rnd.sample(BAD_TAGS if level <= 2 else GOOD_TAGS, rnd.choice([0, 1, 1, 2]))


@transaction.atomic
def _story(
    n: int, rnd: random.Random, day: dt.date, people: dict, versions: dict, applicant, hall
) -> list[Rating]:
    code, reviewer, head = rnd.choice(ITEMS)
    version = versions[code]
    clerk = people[rnd.choice(CLERKS)]
    handed = [m.pk for m in version.materials.all() if m.required]
    with clock.frozen(_at(day, 9 + rnd.randrange(6))):
        case = cases.submit(version=version, applicant=applicant, hall=hall, channel=Channel.WINDOW, by=clerk,
                            form_data={MARK: f"ratings:{n}"}, handed_in=handed)  # fmt: skip
        cases.accept(case, by=clerk)
        # One subject for both modes: the demo's clerk accepted the case and served the citizen at
        # the window (on site, record would take the clerk signed in at the window now).
        subject = subject_of_case(case, "online")
        level = _level(rnd)
        made = [record(subject=subject, channel="device", level=level, tags=_tags(rnd, level))]
    decided = min(calendar.add_workdays(day, rnd.randrange(1, 4)), clock.today() - dt.timedelta(days=1))
    with clock.frozen(_at(decided, 10)):
        cases.review(case, by=people[reviewer], opinion="经审查，申请材料齐全，符合法定条件")
        cases.decide(case, by=people[head], approve=True)
    with clock.frozen(_at(decided, 16)):
        level = _level(rnd)
        made.append(record(subject=subject, channel="sms", level=level, tags=_tags(rnd, level)))
    return made


MEASURES = ["组织窗口人员学习一次性告知规范，重新梳理材料清单", "调整高峰时段窗口人员，增设引导岗",
            "对当事工作人员进行服务规范提醒谈话", "在窗口张贴材料示范文本，办理前先核对"]  # fmt: skip


def _rectify(bad: list[Rating], people: dict, *, latest: bool) -> None:
    """The bad ratings' loop, through ratings.rectification's steps at the days they happened
    (each step in the rating's audit chain): in the latest month the last one left waiting for its
    callback (supervision shows it); the one before it a mistaken rating whose appeal hall
    management upheld; the second fed back late; the first followed by the rater's follow-up
    rating; the rest fed back on time."""
    heads = {code: head for code, _, head in ITEMS}
    for i, rating in enumerate(bad):
        rect = Rectification.objects.select_related("rating__case__item").get(rating=rating)
        if rect.status != "callback":
            continue  # already moved along (a rerun)
        if latest and i == len(bad) - 1:
            continue  # still waiting for its callback
        head = people[heads[rating.case.item.code]]
        with clock.frozen(_at(rating.rated_on, 17)):
            rect = rectification.callback(rect, by=head, reached=True, note="已电话联系评价人，了解具体情况")
        checked = calendar.add_workdays(rating.rated_on, 1)
        if i == len(bad) - 2 and i > 0:
            with clock.frozen(_at(checked, 10)):
                rect = rectification.verify(rect, by=head, finding="mistaken",
                                            note="调阅录像：评价人误将其他窗口的等候计入本窗口")  # fmt: skip
                rectification.file_appeal(rect, by=head, ground="mistaken", reason="评价对象有误，申请复核")
            with clock.frozen(_at(checked, 15)):
                rectification.decide_appeal(rect, by=people["supervisor"], upheld=True,
                                            reason="经核实录像，评价对象有误，申诉成立")  # fmt: skip
            continue
        late = i == 1
        day = (
            calendar.add_workdays(rect.rectify_due_on, 2)
            if late
            else calendar.add_workdays(rating.rated_on, 2)
        )
        day = min(day, clock.today())
        with clock.frozen(_at(checked, 10)):
            rect = rectification.verify(rect, by=head, finding="valid", note="情况属实")
        with clock.frozen(_at(day, 10)):
            rect = rectification.rectify(rect, by=head, measures=MEASURES[i % len(MEASURES)])
            rect = rectification.feedback(rect, by=head, text="已整改，感谢您的监督，欢迎追评。")
        if i == 0:
            with clock.frozen(_at(day, 15)):
                record(subject=subject_of_case(rating.case, "online"), channel="sms", level=4, follows=rating)


def _complaints(hall: Hall, people: dict, day: dt.date) -> int:
    made = 0
    for n, (subject, text, finding) in enumerate(COMPLAINTS):
        if Complaint.objects.filter(hall=hall, subject=subject).exists():
            continue
        case = Case.objects.filter(**{f"form_data__{MARK}": f"ratings:{n * 5 + 1}"}).first()
        if case is None:
            continue
        reviewer = next(r for code, r, _ in ITEMS if code == case.item.code)
        on = calendar.add_workdays(day, n)
        with clock.frozen(_at(on, 10)):
            c = complaints.file_complaint(by=people["supervisor"], source="desk", name="来访群众", phone="13900001111",
                                          subject=subject, text=text, case_number=case.number)  # fmt: skip
            c = complaints.assign(c, by=people["supervisor"], department=c.department)
        with clock.frozen(_at(calendar.add_workdays(on, 1), 10)):
            c = complaints.answer(c, by=people[reviewer], text="经核查，已对相关情况进行处理并向投诉人说明。")
            c = complaints.record_callback(
                c, by=people["supervisor"], outcome="satisfied", note="投诉人表示认可"
            )
            c = complaints.decide(
                c, by=people["supervisor"], finding=finding, reason="经调阅录像和询问当事人核实"
            )
            complaints.close(c, by=people["supervisor"])
        made += 1
    return made


def seed(hall_code: str = HALL) -> dict:
    hall = Hall.objects.filter(code=hall_code).first()
    versions = {v.item.code: v for v in ItemVersion.objects.filter(
        item__code__in=[c for c, _, _ in ITEMS], state=ItemVersion.State.PUBLISHED).select_related("item")}  # fmt: skip
    names = {"supervisor", *CLERKS, *(r for _, r, _ in ITEMS), *(h for _, _, h in ITEMS)}
    people = {u.username: u for u in User.objects.filter(username__in=names)}
    applicant = Applicant.objects.filter(user__username="zhangwei").first()
    counts = {"tags": ratings_demo.seed_tags(), "ratings": 0, "complaints": 0}
    if hall is None or len(versions) < len(ITEMS) or len(people) < len(names) or applicant is None:
        return counts
    today = clock.today()
    for m, (first, last) in enumerate(_months(today)):
        rnd = random.Random(f"39-days-{m}")
        workdays = [d for d in (first + dt.timedelta(days=i) for i in range((last - first).days + 1))
                    if calendar.is_workday(d)]  # fmt: skip
        days = sorted(rnd.choice(workdays) for _ in range(PER_MONTH))
        made: list[Rating] = []
        for i, day in enumerate(days):
            n = m * PER_MONTH + i
            draw = random.Random(f"39-{n}")  # one generator per story: a rerun skips, the rest stays the same
            if not Case.objects.filter(**{f"form_data__{MARK}": f"ratings:{n}"}).exists():
                made += _story(n, draw, day, people, versions, applicant, hall)
        counts["ratings"] += len(made)
        bad = list(
            Rating.objects.filter(case__form_data__demo__startswith="ratings:", kind=RatingKind.FIRST, is_bad=True,
                                  rated_on__gte=first, rated_on__lte=last).order_by("rated_at", "pk")
        )  # fmt: skip
        _rectify(bad, people, latest=m == 1)
    first, _ = _months(today)[1]
    counts["complaints"] = _complaints(hall, people, calendar.add_workdays(first, 5))
    return counts
