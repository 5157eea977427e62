"""The project cast on top of the persona world: 鲁建 (a company with a portal login) owns the
projects; department A leads most stages, departments B and D (测试消防) co-review; Zack is the
hall's project agent."""

import datetime as dt
from dataclasses import dataclass

import pytest

from onewindow import clock
from onewindow.accounts.models import Applicant, Department, Role, User
from onewindow.personas import new_staff, new_user, published_item
from onewindow.projects import services
from onewindow.projects.models import Path, StageTemplate, StageTemplateReviewer
from onewindow.web.demo import credit_code

MONDAY = dt.date(2026, 11, 2)
COMPANY_PHONE = "13966660001"
COMPANY_CREDIT_CODE = credit_code("91371402MA3D7QXR2")
COMPANY_REPRESENTATIVE = "鲁建国"


@dataclass
class Cast:
    owner: User
    company: Applicant
    dept_d: Department
    reviewer_d: User
    agent: User
    other_agent: User


# (name, lead, limit, [(co-reviewer, limit)]) with "A", "B", "D" for the departments.
STANDARD = [
    ("立项用地规划许可", "A", 5, [("B", 3), ("D", 3)]),
    ("工程建设许可", "A", 6, [("B", 4), ("D", 4)]),
    ("施工许可", "B", 4, [("A", 2), ("D", 2)]),
    ("竣工验收", "A", 5, [("B", 3), ("D", 3)]),
]
MERGED = [
    ("立项用地规划许可和工程建设许可", "A", 8, [("B", 4), ("D", 4)]),
    ("施工许可", "B", 4, [("A", 2), ("D", 2)]),
    ("竣工验收", "A", 5, [("B", 3), ("D", 3)]),
]


def make_templates(hall, departments: dict, item=None) -> None:
    for path, rows in ((Path.STANDARD, STANDARD), (Path.MERGED, MERGED)):
        for order, (name, lead, limit, reviewers) in enumerate(rows, start=1):
            t = StageTemplate.objects.create(hall=hall, path=path, order=order, name=name,
                                             lead_department=departments[lead], limit_days=limit)  # fmt: skip
            if item is not None and lead == "A":
                t.items.add(item)
            for code, days in reviewers:
                StageTemplateReviewer.objects.create(
                    template=t, department=departments[code], limit_days=days
                )


@pytest.fixture
def cast(world) -> Cast:
    dept_d = Department.objects.create(code="T-D", name="测试消防救援支队", region=world.city)
    world.hall.departments.add(dept_d)
    owner = new_user("lujian", "鲁建科技")
    company = Applicant.objects.create(
        kind=Applicant.Kind.LEGAL, name="德州鲁建科技有限公司", credit_code=COMPANY_CREDIT_CODE,
        legal_representative=COMPANY_REPRESENTATIVE, phone=COMPANY_PHONE, region=world.district, user=owner,
    )  # fmt: skip
    item = published_item(world)
    make_templates(world.hall, {"A": world.dept_a, "B": world.dept_b, "D": dept_d}, item)
    return Cast(
        owner=owner, company=company, dept_d=dept_d,
        reviewer_d=new_staff("reviewer_d", "丁蕾", Role.REVIEWER, world.hall, dept_d, phone="13800000007"),
        agent=new_staff("agent", "郑强", Role.AGENT, world.hall, phone="13800000008"),
        other_agent=new_staff("agent_2", "周代", Role.AGENT, world.hall, phone="13800000009"),
    )  # fmt: skip


def register(world, cast, **overrides):
    data = {
        "owner": cast.company, "by": cast.owner, "name": "鲁建科技产业园一期", "region_code": world.district.code,
        "investment_fen": 35_000 * 1_000_000, "industry": "47", "approval_type": "filing", "key_project": True,
    } | overrides  # fmt: skip
    return services.register_project(**data)


@pytest.fixture
def project(world, cast):
    """Registered on Monday 2026-11-02 (a plain working week follows)."""
    with clock.frozen(MONDAY):
        return register(world, cast)
