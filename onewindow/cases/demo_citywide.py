"""The 同城通办 demo (issue 15 item 5): 德城区 gets a district bureau (德城区行政审批服务局) with one
district item, stationed at 德城区政务服务中心 with a comprehensive window, a clerk, a reviewer
and a head. Two cases cross the city's halls, each accepted by the receiving hall and waiting
in the deciding department's 我的待办:

- at 德城区政务服务中心 (`clerk_dc`), 张伟's 食品经营许可 — a city item, decided by 德州市行政审批服务局
  (`reviewer_sp`, `head_sp`) at the city hall;
- at 德州市政务服务中心 (`clerk`), 鲁味餐饮's 城市道路临时占用许可 — a 德城区 item, decided by
  德城区行政审批服务局 (`reviewer_dc`, `head_dc`) at the district hall.

Loaded by `manage.py seed_demo` after the other demos; idempotent (a case is recognised by its
form data)."""

from django.db import transaction

from onewindow.accounts.models import Applicant, Department, Hall, Role, Staff, User, Window
from onewindow.accounts.services import assign_windows
from onewindow.cases import services
from onewindow.cases.models import Case, Channel
from onewindow.catalog import services as catalog
from onewindow.catalog.demo import material_defaults
from onewindow.catalog.models import ItemVersion

DEMO_PASSWORD = "OneWindow@2026"  # as every demo login (web/demo.py)
DISTRICT = "371402000000"
DISTRICT_HALL = "371402-zwfw"
BUREAU = ("371402-xzsp", "德州市德城区行政审批服务局", "德城区审批局", "0534-2626001")
STAFF = [
    # username, name, role, of the bureau, window numbers, phone
    ("clerk_dc", "刘畅", Role.CLERK, False, ["01"], "13805340021"),
    ("reviewer_dc", "孟凡", Role.REVIEWER, True, [], "13805340022"),
    ("head_dc", "韩雪", Role.DEPARTMENT_HEAD, True, [], "13805340023"),
]
LOGIN_ROLES = [
    ("clerk_dc", "德城区政务服务中心窗口受理人员（同城通办收件）"),
    ("reviewer_dc", "德城区行政审批服务局审查人员"),
    ("head_dc", "德城区行政审批服务局负责人"),
]
CITY_ITEM = "SPJY-XK-0001"  # 食品经营许可（新办）of 德州市行政审批服务局
DISTRICT_ITEM = {
    "code": "DCQ-ZD-0001",
    "name": "城市道路临时占用许可",
    "department": BUREAU[0],
    "type": "licensing",
    "level": "county",
    "basis": "《城市道路管理条例》第三十一条：因特殊情况需要临时占用城市道路的，须经市政工程行政主管部门和"
    "公安交通管理部门批准，方可按照规定占用。",
    "basis_citation": "《城市道路管理条例》第三十一条",
    "conditions": "因建设、施工或临时经营等特殊情况需临时占用德城区辖区内城市道路，不影响交通安全和市政设施。",
    "legal_limit_days": 20,
    "promised_limit_days": 3,
    "location": "德城区政务服务中心 01号 综合受理窗口（同城通办：本市任一政务服务中心可收件）",
    "hours": "周一至周五 9:00—17:00",
    "consult_phone": BUREAU[3],
    "complaint_phone": "0534-12345",
    "result_type": "license",
    "license_type": "城市道路临时占用许可决定书",
    "delivery": ["pickup", "post"],
    "keywords": ["占道", "占用道路", "临时占道", "施工占道", "道路占用"],
    "common_names": ["占道许可"],
    "life_events": ["工程建设"],
    "materials": [
        {"name": "城市道路临时占用申请表", "key": True},
        {"name": "占用道路位置平面示意图", "tolerable": True},
    ],
    "steps": [
        {"name": "审查", "role": Role.REVIEWER, "days": 2},
        {"name": "决定", "role": Role.DEPARTMENT_HEAD, "days": 1},
    ],
}
MARK = "demo"
STORIES = [
    # mark, receiving hall, receiving clerk, item, applicant's login
    ("citywide:county-receives-city-item", DISTRICT_HALL, "clerk_dc", CITY_ITEM, "zhangwei"),
    ("citywide:city-receives-county-item", "371400-zwfw", "clerk", DISTRICT_ITEM["code"], "luwei"),
]


def _bureau(district_hall: Hall) -> Department:
    code, name, short, phone = BUREAU
    bureau, _ = Department.objects.get_or_create(
        code=code, defaults={"name": name, "short_name": short, "region_id": DISTRICT, "phone": phone}
    )
    district_hall.departments.add(bureau)
    return bureau


def _people(district_hall: Hall, bureau: Department) -> None:
    window, created = Window.objects.get_or_create(
        hall=district_hall,
        number="01",
        defaults={"name": "综合受理（同城通办）", "kind": Window.Kind.COMPREHENSIVE},
    )
    for username, name, role, of_bureau, windows, phone in STAFF:
        user, made = User.objects.get_or_create(username=username, defaults={"display_name": name})
        if made:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        staff, made = Staff.objects.get_or_create(user=user, defaults={
            "name": name, "role": role, "hall": district_hall, "phone": phone, "department": bureau if of_bureau else None,
        })  # fmt: skip
        if made and windows:
            assign_windows(staff, [window])


@transaction.atomic
def seed() -> int:
    """The district bureau, its people and item, and the two crossing cases not there yet;
    returns how many cases it made."""
    district_hall = Hall.objects.filter(code=DISTRICT_HALL).first()
    if district_hall is None or not Department.objects.filter(code="371400-xzsp").exists():
        return 0  # the demo hall is not there
    bureau = _bureau(district_hall)
    _people(district_hall, bureau)
    item = DISTRICT_ITEM | {"materials": [material_defaults() | m for m in DISTRICT_ITEM["materials"]]}
    catalog.check_item(item)
    catalog.import_items([item])  # idempotent by code
    made = 0
    for mark, hall_code, clerk, item, applicant in STORIES:
        if Case.objects.filter(**{f"form_data__{MARK}": mark}).exists():
            continue
        version = ItemVersion.objects.filter(item__code=item, state=ItemVersion.State.PUBLISHED).first()
        person = Applicant.objects.filter(user__username=applicant).first()
        by = User.objects.filter(username=clerk).first()
        if version is None or person is None or by is None:
            continue
        handed = [m.pk for m in version.materials.all() if m.required]
        case = services.submit(version=version, applicant=person, hall=Hall.objects.get(code=hall_code),
                               channel=Channel.WINDOW, by=by, form_data={MARK: mark}, handed_in=handed)  # fmt: skip
        services.accept(case, by=by)
        made += 1
    return made
