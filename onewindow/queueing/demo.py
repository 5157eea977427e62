"""Queue categories of the demo city hall, the windows that call them, appointment slots and
the opening hours in which the kiosk issues tickets."""

import datetime as dt

from onewindow.accounts.models import Hall, HallOpeningHours, Window
from onewindow.queueing.models import Category, SlotRule, WindowCategory

CATEGORIES = [("A", "企业开办"), ("B", "工程建设"), ("C", "社会事务"), ("D", "不动产登记"), ("E", "公安户政")]
# As the hall publishes them (web/demo.py HALLS: 周一至周五 9:00—17:00，中午不间断): weekends
# closed to walk-ins (Saturday-morning appointments check in by their slots); holidays and
# 调休 Saturdays follow the working-day calendar (queueing.hours).
OPENING_HOURS = [(dt.time(9), dt.time(17))]
# window number → letters it calls, in order
WINDOWS = {"01": "AC", "02": "AC", "03": "BA", "04": "BA", "05": "CE", "06": "CD", "07": "BA", "08": "CDE"}


def seed(hall_code: str = "371400-zwfw") -> int:
    hall = Hall.objects.filter(code=hall_code).first()
    if hall is None:
        return 0
    cats = {}
    for order, (letter, name) in enumerate(CATEGORIES, start=1):
        cats[letter], _ = Category.objects.get_or_create(hall=hall, letter=letter,
                                                         defaults={"name": name, "order": order})  # fmt: skip
    for number, letters in WINDOWS.items():
        window = Window.objects.filter(hall=hall, number=number).first()
        for order, letter in enumerate(letters, start=1):
            WindowCategory.objects.get_or_create(
                window=window, category=cats[letter], defaults={"order": order}
            )
    if not HallOpeningHours.objects.filter(hall=hall).exists():
        HallOpeningHours.objects.bulk_create(
            [HallOpeningHours(hall=hall, weekday=weekday, opens=opens, closes=closes)
             for weekday in range(5) for opens, closes in OPENING_HOURS]
        )  # fmt: skip
    if not SlotRule.objects.filter(hall=hall).exists():
        rules = []
        for letter in "ACD":
            for weekday in range(5):
                for hour in (9, 10, 11, 14, 15, 16):
                    rules.append(SlotRule(hall=hall, category=cats[letter], weekday=weekday, start=dt.time(hour),
                                          end=dt.time(hour, 59), capacity=6))  # fmt: skip
            # 非工作日预约: Saturday mornings for 企业开办 and 社会事务
            if letter in "AC":
                rules += [SlotRule(hall=hall, category=cats[letter], weekday=5, start=dt.time(h), end=dt.time(h, 59),
                                   capacity=4, on_non_working_days=True) for h in (9, 10, 11)]  # fmt: skip
        SlotRule.objects.bulk_create(rules)
    return len(cats)
