"""12345 in the demo city (issue 18): three work orders taken by the operator `hotline` (吴倩) through
hotline.services.receive and hotline.flow's own steps — one answered directly from the knowledge
base, one dispatched to 住建局 and called back, one dispatched to 住建局 and now past its limit
(the supervision watch's 热线工单 tab shows it red). Idempotent: the orders carry fixed titles."""

import datetime as dt

from onewindow import clock
from onewindow.accounts.models import Department, Region, User
from onewindow.hotline import flow, services
from onewindow.hotline.models import Category, WorkOrder
from onewindow.workdays import calendar

TITLES = ("暖气不热怎么办", "小区路灯不亮", "楼道堆放杂物占用消防通道")


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.hall_tz())


def seed() -> int:
    people = {u.username: u for u in User.objects.filter(username__in=["hotline", "reviewer_zjj"])}
    region = Region.objects.filter(code="371400000000").first()
    zjj = Department.objects.filter(code="371400-zjj").first()
    heat, estate = Category.objects.filter(code="0102").first(), Category.objects.filter(code="0101").first()
    if (
        len(people) < 2
        or None in (region, zjj, heat, estate)
        or WorkOrder.objects.filter(title__in=TITLES).exists()
    ):
        return 0
    op, zjj_staff = people["hotline"], people["reviewer_zjj"]
    today = clock.today()
    base = {"region": region, "channel": "phone", "caller_phone": "13905340001", "by": op}

    def take(day, **kw):
        with clock.frozen(_at(day, 9)):
            return services.receive(**base, **kw)

    week_ago = calendar.add_workdays(today, -5)
    order = take(week_ago, type="consultation", category=heat, title=TITLES[0], caller_name="李先生",
                 content="家里暖气不热，室温只有15度，想问问找谁。", address="德城区东风路12号")  # fmt: skip
    with clock.frozen(_at(week_ago, 9)):
        flow.answer_directly(
            order, by=op, answer="供暖期室温应不低于18℃。请先联系小区供热站报修，24小时内未处理可再拨12345。"
        )
    order = take(week_ago, type="help", category=estate, title=TITLES[1], caller_name="王女士",
                 content="小区3号楼前路灯坏了一周，晚上出行不便。", address="德城区新华路8号")  # fmt: skip
    with clock.frozen(_at(week_ago, 10)):
        order = flow.dispatch(order, by=op, lead=zjj)
        order = flow.sign(order, by=zjj_staff)
    replied = calendar.add_workdays(week_ago, 2)
    with clock.frozen(_at(replied, 15)):
        order = flow.reply(order, by=zjj_staff, text="已督促物业公司更换路灯，已恢复照明。")
        order = flow.close(order, by=op)
    with clock.frozen(_at(calendar.add_workdays(replied, 1), 10)):
        flow.callback(order, by=op, process="satisfied", result="satisfied", note="来电人表示满意")
    order = take(week_ago, type="help", category=estate, title=TITLES[2], caller_name="赵先生",
                 content="楼道里长期堆放杂物，堵住了消防通道，物业不管。", address="德城区新华路8号")  # fmt: skip
    with clock.frozen(_at(week_ago, 11)):
        flow.dispatch(order, by=op, lead=zjj)
    return 3
