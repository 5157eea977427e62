"""Every event has its short Chinese SMS, signed, with the facts the applicant needs."""

import datetime as dt
from pathlib import Path

import pytest

from onewindow.notify.models import Event
from onewindow.notify.services import render

TEMPLATES = Path(__file__).resolve().parents[1] / "templates" / "notify" / "sms"
DUE = dt.date(2026, 11, 9)

# event → (context, facts that must be in the text)
SAMPLES = {
    "accepted": ({"number": "371400-20261102-000001", "item": "食品经营许可", "due_on": DUE, "action": "accept"},
                 ["371400-20261102-000001", "食品经营许可", "已受理", "2026年11月9日"]),
    "supplement_requested": ({"number": "N1", "item": "食品经营许可", "materials": ["申请书", "管理制度"]},
                             ["N1", "申请书、管理制度", "一次性告知书"]),
    "refused": ({"number": "N1", "item": "食品经营许可", "reason": "不属于本机关职权", "where_to_turn": "区市场监管局"},
                ["N1", "不予受理", "不属于本机关职权", "区市场监管局"]),
    "suspended": ({"number": "N1", "item": "食品经营许可", "kind": "专家评审", "expected_days": 3},
                  ["N1", "专家评审", "3个工作日", "不计入"]),
    "resumed": ({"number": "N1", "item": "食品经营许可", "due_on": DUE}, ["N1", "恢复办理", "2026年11月9日"]),
    "extended": ({"number": "N1", "item": "食品经营许可", "days": 10, "reason": "需现场核实", "due_on": DUE},
                 ["N1", "延期10个工作日", "需现场核实", "2026年11月9日", "延期告知书"]),
    "decided": ({"number": "N1", "item": "食品经营许可", "approve": False, "reason": "场所不符合要求"},
                ["N1", "不予许可", "场所不符合要求"]),
    "ready_for_pickup": ({"number": "N1", "item": "食品经营许可", "license_number": "JY1371402", "hall": "德州市政务服务中心"},
                         ["N1", "JY1371402", "德州市政务服务中心", "领取"]),
    "posted": ({"number": "N1", "item": "食品经营许可", "courier": "中国邮政EMS", "tracking_number": "9876543210"},
               ["N1", "中国邮政EMS", "9876543210", "寄出"]),
    "rating_callback": ({"number": "N1", "item": "食品经营许可", "callback_by": dt.date(2026, 11, 10)},
                        ["N1", "回访", "11月10日"]),
    "appointment_reminder": ({"hall": "德州市政务服务中心", "category": "企业开办", "day": dt.date(2026, 11, 3),
                              "start": dt.time(9), "end": dt.time(10), "code": "ABCD2345"},
                             ["11月3日", "09:00-10:00", "德州市政务服务中心", "企业开办", "ABCD2345"]),
    "bundle_accepted": ({"number": "YJS-1", "name": "我要开饭店", "items": 4, "due_on": DUE},
                        ["YJS-1", "我要开饭店", "4个事项", "2026年11月9日"]),
    "bundle_closed": ({"number": "YJS-1", "name": "我要开饭店", "approve": True}, ["YJS-1", "我要开饭店", "办结"]),
    "bundle_supplement_requested": ({"number": "YJS-1", "name": "我要开饭店", "materials": ["公司章程", "租赁合同"]},
                                    ["YJS-1", "我要开饭店", "公司章程、租赁合同", "补正"]),
    "bundle_refused": ({"number": "YJS-1", "name": "我要开饭店", "reason": "属于禁止类项目", "where_to_turn": "区市场监管局"},
                       ["YJS-1", "我要开饭店", "不予受理", "属于禁止类项目", "区市场监管局"]),
    "stage_accepted": ({"project_code": "2026-371400-47-01-000001", "project_name": "德州物流园", "stage_name": "工程建设许可",
                        "lead_department": "住建局", "due_on": "2026-12-01"},
                       ["2026-371400-47-01-000001", "德州物流园", "工程建设许可", "住建局", "2026-12-01"]),
    "stage_closed": ({"project_code": "P1", "project_name": "德州物流园", "stage_name": "施工许可", "closed_on": "2026-12-01"},
                     ["P1", "施工许可", "2026-12-01", "办结"]),
    "deadline_moved": ({"number": "N1", "item": "食品经营许可", "from_on": dt.date(2027, 1, 5),
                        "due_on": dt.date(2027, 1, 12), "due_note": "（暂定）"},
                       ["N1", "食品经营许可", "由2027年1月5日调整为2027年1月12日（暂定）"]),
    "signup_code": ({"code": "042917", "minutes": 10, "claim": True}, ["042917", "10分钟", "窗口登记", "勿告诉他人"]),
    "signup_attempt": ({}, ["已绑定网上办事账号", "直接登录", "12345"]),
    "urged": ({"number": "N1", "item": "食品经营许可", "due_on": DUE, "remaining": 1}, ["催办", "N1", "剩余1个工作日"]),
    "escalated": ({"number": "N1", "item": "食品经营许可", "due_on": DUE, "department": "市场监管局"},
                  ["督办", "市场监管局", "N1", "已超过办结期限"]),
    "order_urged": ({"number": "H1", "title": "电梯停运", "due_on": DUE, "remaining": 1, "who": "住建局"},
                    ["催办", "12345", "H1", "剩余1个工作日", "住建局"]),
    "order_escalated": ({"number": "H1", "title": "电梯停运", "due_on": DUE, "who": "热线办（待派单）"},
                        ["督办", "H1", "超过办理期限", "热线办（待派单）"]),
    "complaint_answered": ({"number": "TS2026000001", "department": "市场监管局"},
                           ["TS2026000001", "市场监管局", "答复", "我的投诉"]),
    "rating_invite": ({"number": "371400-20261012-000001", "item": "食品经营许可（新办）", "days": 30,
                       "link": "https://zwfw.dezhou.gov.cn/rate/t/" + "x" * 22 + "/"},
                      ["371400-20261012-000001", "/rate/t/" + "x" * 22 + "/", "30天内有效", "评价"]),
    "rating_feedback": ({"rated_on": dt.date(2026, 11, 2), "department": "市场监管局", "feedback": "已约谈窗口人员，向您致歉。"},
                        ["11月2日", "市场监管局", "已约谈窗口人员，向您致歉。", "追评"]),
    "expert_invited": ({"number": "JY2026000001"}, ["评标专家", "JY2026000001", "确认", "备选专家递补", "保密"]),
}  # fmt: skip


def test_every_event_has_a_template_and_a_sample():
    assert {p.stem for p in TEMPLATES.glob("*.txt")} == set(Event.values) == set(SAMPLES)


@pytest.mark.parametrize("event", Event.values)
def test_it_renders_each_event_short_signed_and_complete(event, settings):
    settings.ONEWINDOW_SMS_SIGNATURE = "【德州市政务服务中心】"
    context, facts = SAMPLES[event]
    text = render(event, context)
    assert text.startswith("【德州市政务服务中心】")
    assert [f for f in facts if f not in text] == []
    assert "{" not in text and "\n" not in text and "None" not in text
    assert len(text) <= 140, f"{event}: {len(text)} characters is more than two SMS segments"


def test_names_and_reasons_are_not_html_escaped():
    text = render(
        "refused", {"number": "N1", "item": "A&B <许可>", "reason": "“条件”不符", "where_to_turn": ""}
    )
    assert "A&B <许可>" in text and "“条件”不符" in text


def test_an_unknown_event_is_a_programming_error():
    with pytest.raises(ValueError):
        render("birthday", {})


@pytest.mark.parametrize(
    "value, fmt",
    [
        (dt.date(2026, 1, 5), "Y年n月j日"),
        (dt.date(2026, 12, 31), "n月j日"),
        (dt.date(2026, 1, 5), "Y-m-d"),  # ASCII letters beyond Y, n, j: Django's own filter
        (dt.date(2026, 1, 5), "\\Y年n月"),  # an escape: Django's own filter
        (dt.datetime(2026, 1, 5, 9, 30, tzinfo=dt.UTC), "Y年n月j日"),  # not a plain date
        (None, "Y年n月j日"),
        ("2026-01-05", "Y年n月j日"),
    ],
)
def test_the_sms_date_filter_writes_what_djangos_writes(value, fmt):
    from django.template.defaultfilters import date as django_date

    from onewindow.notify.sms_filters import date

    assert date(value, fmt) == django_date(value, fmt)
