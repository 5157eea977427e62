"""企业开办 for the tests: five items in five departments of the persona hall, each with its
reviewer and head, a merged form with shared fields and materials shared between items."""

import datetime as dt
from dataclasses import dataclass

import pytest

from onewindow import clock
from onewindow.accounts.models import Department, Role, User
from onewindow.bundles import services
from onewindow.bundles.models import BundleApplication, FormField
from onewindow.cases.models import Channel
from onewindow.catalog.models import Bundle, ServiceItem
from onewindow.catalog.services import save_bundle
from onewindow.personas import new_staff, published_item

MONDAY = dt.date(2026, 11, 23)  # a week without holidays: Mon 23 … Fri 27 November 2026


def material(name, source="applicant", *, key=False, tolerable=False, required=True, shared_by=""):
    return {"name": name, "form": "original", "copies": 1, "required": required, "condition": "" if required else
            "视情形提交", "key": key, "tolerable": tolerable, "source": source, "shared_by": shared_by}  # fmt: skip


def steps(days: int) -> list[dict]:
    return [
        {"name": "审查", "role": "reviewer", "days": days - 1},
        {"name": "决定", "role": "department_head", "days": 1},
    ]


LICENSE = material("营业执照", "shared", shared_by="T-A")
PROXY = material("经办人授权委托书", tolerable=True)
BANK = material("银行开户信息")
ITEMS = [
    # code, name, department code, promised days, materials
    ("T-QYDJ", "企业设立登记", "T-A", 3, [material("公司登记申请书", key=True), material("公司章程"),
                                      material("股东身份证明", "shared", shared_by="T-A"), PROXY]),
    ("T-YZKZ", "公章刻制备案", "T-D", 2, [material("印章刻制备案信息表"), LICENSE, PROXY]),
    ("T-XBNS", "新办纳税人套餐", "T-E", 2, [material("涉税事项综合申请表", key=True), LICENSE, BANK,
                                      {**PROXY, "tolerable": False}]),
    ("T-SBDJ", "社会保险参保登记（单位）", "T-F", 3, [material("社保单位参保登记表"), LICENSE, BANK]),
    ("T-GJJ", "住房公积金单位开户", "T-G", 3, [material("公积金缴存登记表"), LICENSE, PROXY]),
]  # fmt: skip
FIELDS = {
    # item code: (key, label, kind, required, choices)
    "T-QYDJ": [("enterprise_name", "企业名称", "text", True, ""), ("enterprise_type", "企业类型", "choice", True,
               "有限责任公司|个人独资企业"), ("legal_representative", "法定代表人", "text", True, ""),
               ("registered_capital", "注册资本（万元）", "number", True, "")],
    "T-YZKZ": [("enterprise_name", "企业名称", "text", True, ""), ("legal_representative", "法定代表人", "text", True, ""),
               ("seal_kinds", "刻制印章", "text", True, "")],
    "T-XBNS": [("enterprise_name", "单位名称", "text", True, ""), ("enterprise_type", "企业类型", "choice", True,
               "有限责任公司|个人独资企业"), ("bank_account", "基本存款账户账号", "text", True, "")],
    "T-SBDJ": [("enterprise_name", "单位名称", "text", True, ""), ("bank_account", "基本存款账户账号", "text", True, ""),
               ("employees", "参保职工人数", "number", True, "")],
    "T-GJJ": [("enterprise_name", "单位名称", "text", True, ""), ("employees", "缴存职工人数", "number", False, ""),
              ("opening_date", "开户日期", "date", False, "")],
}  # fmt: skip
ANSWERS = {
    "enterprise_name": "德州示例科技有限公司", "enterprise_type": "有限责任公司", "legal_representative": "艾丽",
    "registered_capital": "100", "seal_kinds": "公章、财务专用章", "bank_account": "6222000011112222", "employees": "8",
}  # fmt: skip
# The shared materials: Alice holds no license, so 证照共享 finds none — handed in on paper.
ON_PAPER = ["股东身份证明", "营业执照"]
# Every merged material the applicant supplies (shared ones are fetched).
ASKED = ["公司登记申请书", "公司章程", "经办人授权委托书", "印章刻制备案信息表", "涉税事项综合申请表", "银行开户信息",
         "社保单位参保登记表", "公积金缴存登记表"]  # fmt: skip


@dataclass
class Startup:
    bundle: Bundle
    items: dict[str, ServiceItem]
    departments: dict[str, Department]
    reviewers: dict[str, User]
    heads: dict[str, User]


def build_startup(world) -> Startup:
    departments = {"T-A": world.dept_a}
    for code, name in (
        ("T-D", "测试公安局"),
        ("T-E", "测试税务局"),
        ("T-F", "测试人社局"),
        ("T-G", "测试公积金中心"),
    ):
        departments[code] = Department.objects.create(code=code, name=name, region=world.city)
    world.hall.departments.add(*departments.values())
    reviewers, heads = {"T-A": world.reviewer_a}, {"T-A": world.head_a}
    for code in ("T-D", "T-E", "T-F", "T-G"):
        d = departments[code]
        reviewers[code] = new_staff(
            f"reviewer_{code}", f"审查{d.name}", Role.REVIEWER, world.hall, d, phone="13700000001"
        )
        heads[code] = new_staff(
            f"head_{code}", f"负责{d.name}", Role.DEPARTMENT_HEAD, world.hall, d, phone="13700000002"
        )
    items = {}
    for code, name, department, days, materials in ITEMS:
        items[code] = published_item(world, code=code, name=name, department=department, promised_limit_days=days,
                                     legal_limit_days=20, materials=materials, steps=steps(days), keywords=[],
                                     common_names=[], life_events=[], result_type="none", license_type="")  # fmt: skip
        for order, (key, label, kind, required, choices) in enumerate(FIELDS[code], start=1):
            FormField.objects.create(item=items[code], order=order, key=key, label=label, kind=kind,
                                     required=required, choices=choices)  # fmt: skip
    bundle = save_bundle(code="T-QYKB", name="企业开办", lead_department=world.dept_a, promised_limit_days=3,
                         item_codes=[code for code, *_ in ITEMS])  # fmt: skip
    return Startup(bundle=bundle, items=items, departments=departments, reviewers=reviewers, heads=heads)


@pytest.fixture
def startup(world) -> Startup:
    return build_startup(world)


def apply(
    world, startup, *, by=None, materials=ASKED, answers=ANSWERS, channel=Channel.WINDOW, applicant=None
):
    return services.apply(bundle=startup.bundle, applicant=applicant or world.alice_applicant, form_data=dict(answers),
                          materials=[*materials, *ON_PAPER], by=by or world.clerk, channel=channel, hall=world.hall)  # fmt: skip


@pytest.fixture
def applied(world, startup) -> BundleApplication:
    """Handed in complete at comprehensive window 01 on Monday morning."""
    with clock.frozen(MONDAY):
        return apply(world, startup)
