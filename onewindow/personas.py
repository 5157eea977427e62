"""The fixed cast of every test (STYLE.md, after healthchecks): one small hall, two
departments and the people who must be allowed or refused.

- Alice (`alice`) — a citizen applicant with a portal login.
- Carol (`clerk`) — window clerk at comprehensive window 01.
- Rob (`reviewer_a`) — reviewer of department A (市场监管局).
- Hank (`head_a`) — head of department A.
- Bella (`reviewer_b`) — reviewer of department B (住建局): must be refused A's data.
- Sam (`supervisor`) — hall supervisor. Ada (`hall_admin`) — hall admin.
- Otto (`outsider`) — logged in, neither staff nor applicant.
A second hall (`other_hall`) has department C only, for cross-hall checks.
The hall is open (its kiosk issues tickets) Mon–Fri 09:00–12:00 and 13:00–17:00, hall time.
"""

import datetime as dt
from dataclasses import dataclass

from onewindow.accounts.models import (
    Applicant,
    Department,
    Hall,
    HallOpeningHours,
    Region,
    Role,
    Staff,
    User,
    Window,
)
from onewindow.accounts.services import assign_windows
from onewindow.web.demo import id_number

PASSWORD = "Persona-Pass-2026"


@dataclass
class World:
    city: Region
    district: Region
    hall: Hall
    other_hall: Hall
    dept_a: Department
    dept_b: Department
    dept_c: Department
    window_1: Window
    window_a: Window
    alice: User
    alice_applicant: Applicant
    clerk: User
    reviewer_a: User
    head_a: User
    reviewer_b: User
    supervisor: User
    hall_admin: User
    outsider: User


def new_user(username: str, name: str) -> User:
    user = User.objects.create_user(username=username, password=PASSWORD, display_name=name)
    return user


def new_staff(username, name, role, hall, department=None, windows=(), phone="13800000000") -> User:
    user = new_user(username, name)
    staff = Staff.objects.create(
        user=user, name=name, role=role, hall=hall, department=department, phone=phone
    )
    assign_windows(staff, windows)  # and the clerk stands at the only one (Staff.at_window)
    return user


def build_world() -> World:
    province = Region.objects.create(code="370000000000", name="山东省", level=Region.Level.PROVINCE)
    city = Region.objects.create(code="371400000000", name="德州市", level=Region.Level.CITY, parent=province)
    district = Region.objects.create(
        code="371402000000", name="德城区", level=Region.Level.COUNTY, parent=city
    )
    dept_a = Department.objects.create(code="T-A", name="测试市场监管局", region=city)
    dept_b = Department.objects.create(code="T-B", name="测试住建局", region=city)
    dept_c = Department.objects.create(code="T-C", name="测试区民政局", region=district)
    hall = Hall.objects.create(code="T-HALL", name="测试市政务服务中心", kind=Hall.Kind.CITY, region=city)
    hall.departments.set([dept_a, dept_b])
    other_hall = Hall.objects.create(
        code="T-OTHER", name="测试区政务服务中心", kind=Hall.Kind.COUNTY, region=district
    )
    other_hall.departments.set([dept_c])
    HallOpeningHours.objects.bulk_create(
        [HallOpeningHours(hall=hall, weekday=weekday, opens=dt.time(opens), closes=dt.time(closes))
         for weekday in range(5) for opens, closes in ((9, 12), (13, 17))]
    )  # fmt: skip
    window_1 = Window.objects.create(hall=hall, number="01", name="综合受理", kind=Window.Kind.COMPREHENSIVE)
    window_a = Window.objects.create(
        hall=hall, number="11", name="市场监管窗口", kind=Window.Kind.DEPARTMENTAL
    )
    window_a.departments.set([dept_a])
    alice = new_user("alice", "艾丽")
    alice_applicant = Applicant.objects.create(
        kind=Applicant.Kind.NATURAL,
        name="艾丽",
        id_number=id_number("37140219850101123"),
        phone="13912345678",
        region=district,
        user=alice,
    )
    return World(
        city=city,
        district=district,
        hall=hall,
        other_hall=other_hall,
        dept_a=dept_a,
        dept_b=dept_b,
        dept_c=dept_c,
        window_1=window_1,
        window_a=window_a,
        alice=alice,
        alice_applicant=alice_applicant,
        clerk=new_staff("clerk", "柯萝", Role.CLERK, hall, windows=[window_1], phone="13800000001"),
        reviewer_a=new_staff("reviewer_a", "罗布", Role.REVIEWER, hall, dept_a, phone="13800000002"),
        head_a=new_staff("head_a", "韩克", Role.DEPARTMENT_HEAD, hall, dept_a, phone="13800000003"),
        reviewer_b=new_staff("reviewer_b", "贝拉", Role.REVIEWER, hall, dept_b, phone="13800000004"),
        supervisor=new_staff("supervisor", "萨姆", Role.SUPERVISOR, hall, phone="13800000005"),
        hall_admin=new_staff("hall_admin", "艾达", Role.HALL_ADMIN, hall, phone="13800000006"),
        outsider=new_user("outsider", "奥托"),
    )


FOOD_PERMIT = {
    "code": "T-SPJY-0001",
    "name": "食品经营许可（新办）",
    "type": "licensing",
    "legal_limit_days": 20,
    "promised_limit_days": 5,
    "on_the_spot": False,
    "result_type": "license",
    "license_type": "食品经营许可证",
    "keywords": ["餐饮", "饭店", "开店"],
    "common_names": ["餐饮许可证"],
    "life_events": ["餐饮经营"],
    "materials": [
        {"name": "食品经营许可申请书", "form": "original", "copies": 1, "required": True, "condition": "",
         "key": True, "tolerable": False, "source": "applicant", "shared_by": ""},
        {"name": "营业执照", "form": "copy", "copies": 1, "required": True, "condition": "",
         "key": False, "tolerable": False, "source": "shared", "shared_by": "T-A"},
        {"name": "食品安全管理制度", "form": "original", "copies": 1, "required": True, "condition": "",
         "key": False, "tolerable": True, "source": "applicant", "shared_by": ""},
    ],
    "steps": [{"name": "审查", "role": "reviewer", "days": 3}, {"name": "决定", "role": "department_head", "days": 1}],
}  # fmt: skip


def published_item(world: World, **overrides):
    """食品经营许可 of department A, imported and published (version 1)."""
    from onewindow.catalog import services

    data = FOOD_PERMIT | {"department": world.dept_a.code} | overrides
    services.import_items([data])
    from onewindow.catalog.models import ServiceItem

    return ServiceItem.objects.select_related("current").get(code=data["code"])


def all_required(version) -> list[int]:
    """The ids of every required material of `version`: what the clerk ticks when the applicant
    hands in everything at the window (shared ones on paper) — nothing counts as received
    unless ticked or uploaded."""
    return [m.pk for m in version.materials.all() if m.required]


def asked_required(version) -> list[int]:
    """The ids of the required materials the applicant supplies (the shared ones left to 证照共享)."""
    return [m.pk for m in version.materials.all() if m.required and m.source != "shared"]
