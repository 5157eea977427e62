"""Demo history for 统计分析: two cases of 食品经营许可 accepted 30 working days ago — one left open
(overdue: the dashboard's red light and overdue list), one decided the week after (on time) —
then the daily roll-up rebuilt from every demo case. Idempotent (the form data marks them)."""

from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import Applicant, Hall, User
from onewindow.cases import services
from onewindow.cases.models import Case, Channel
from onewindow.catalog.models import ItemVersion
from onewindow.stats import rollup
from onewindow.workdays import calendar

ITEM = "SPJY-XK-0001"
MARK = "demo"


@transaction.atomic
def _story(kind: str, *, version, applicant, hall, clerk, reviewer, head) -> None:
    start = calendar.date_of_seq(calendar.seq(clock.today()) - 30)
    handed = [m.pk for m in version.materials.all() if m.required]
    with clock.frozen(start):
        case = services.submit(version=version, applicant=applicant, hall=hall, channel=Channel.WINDOW, by=clerk,
                               form_data={MARK: f"stats:{kind}"}, handed_in=handed)  # fmt: skip
        services.accept(case, by=clerk)
    if kind == "on_time":
        with clock.frozen(calendar.add_workdays(start, 5)):
            services.review(case, by=reviewer, opinion="经审查，申请材料齐全，经营场所符合要求")
            services.decide(case, by=head, approve=True)


def seed(hall_code: str = "371400-zwfw") -> int:
    hall = Hall.objects.filter(code=hall_code).first()
    version = ItemVersion.objects.filter(item__code=ITEM, state=ItemVersion.State.PUBLISHED).first()
    users = {u.username: u for u in User.objects.filter(username__in=["clerk", "reviewer_sp", "head_sp"])}
    applicant = Applicant.objects.filter(user__username="zhangwei").first()
    made = 0
    if hall is not None and version is not None and len(users) == 3 and applicant is not None:
        for kind in ("overdue", "on_time"):
            if not Case.objects.filter(**{f"form_data__{MARK}": f"stats:{kind}"}).exists():
                _story(kind, version=version, applicant=applicant, hall=hall, clerk=users["clerk"],
                       reviewer=users["reviewer_sp"], head=users["head_sp"])  # fmt: skip
                made += 1
    rollup.rebuild()
    return made
