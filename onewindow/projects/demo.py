"""Demo stages of 德州市 (工程建设项目审批制度改革: four stages, or three for land sold with a
design scheme) and one key project of the demo company, so the board and the agent's pages show
something. Idempotent: run it as often as you like."""

from django.db import transaction

from onewindow.accounts.models import Applicant, Department, Hall, Role, Staff, User
from onewindow.catalog.models import ServiceItem
from onewindow.projects import services
from onewindow.projects.models import Path, Project, StageTemplate, StageTemplateReviewer

# (name, lead department, items, stage limit, [(co-reviewer, its limit)]) — working days.
LAND_AND_PLANNING = ("立项用地规划许可", "371400-zrzy", ["TZBA-BA-0001", "YDGH-XK-0001"], 10,
                     [("371400-fgw", 5), ("371400-zjj", 5)])  # fmt: skip
WORKS_PLANNING = ("工程建设许可", "371400-zrzy", ["GCGH-XK-0001", "XFSC-XK-0001", "HPSP-XK-0001"], 12,
                  [("371400-zjj", 8), ("371400-sthj", 8), ("371400-xf", 5)])  # fmt: skip
CONSTRUCTION = ("施工许可", "371400-xzsp", ["SGXK-XK-0001"], 8, [("371400-zjj", 5), ("371400-sthj", 3)])
COMPLETION = ("竣工验收", "371400-zjj", ["XFYS-XK-0001"], 10,
              [("371400-zrzy", 7), ("371400-sthj", 5), ("371400-xf", 5)])  # fmt: skip
MERGED = ("立项用地规划许可和工程建设许可（带方案出让）", "371400-zrzy",
          ["TZBA-BA-0001", "YDGH-XK-0001", "GCGH-XK-0001", "XFSC-XK-0001", "HPSP-XK-0001"], 15,
          [("371400-fgw", 5), ("371400-zjj", 8), ("371400-sthj", 8), ("371400-xf", 5)])  # fmt: skip
STAGES = {
    Path.STANDARD: [LAND_AND_PLANNING, WORKS_PLANNING, CONSTRUCTION, COMPLETION],
    Path.MERGED: [MERGED, CONSTRUCTION, COMPLETION],
}

DEMO_PROJECT = "德州鲁味中央厨房及冷链配送中心建设项目"


def seed_templates(hall: Hall, stages: dict = STAGES) -> int:
    """The hall's stage templates; an existing template (perhaps changed by hall management)
    is left as it is. Departments or items the hall lacks are skipped."""
    departments = {d.code: d for d in Department.objects.all()}
    items = {i.code: i for i in ServiceItem.objects.all()}
    created = 0
    for path, rows in stages.items():
        for order, (name, lead, item_codes, limit, reviewers) in enumerate(rows, start=1):
            if lead not in departments:
                continue
            template, is_new = StageTemplate.objects.get_or_create(
                hall=hall, path=path, order=order,
                defaults={"name": name, "lead_department": departments[lead], "limit_days": limit},
            )  # fmt: skip
            if not is_new:
                continue
            created += 1
            template.items.set([items[c] for c in item_codes if c in items])
            StageTemplateReviewer.objects.bulk_create([
                StageTemplateReviewer(template=template, department=departments[code], limit_days=days)
                for code, days in reviewers if code in departments
            ])  # fmt: skip
    return created


@transaction.atomic
def seed(hall: Hall) -> dict:
    templates = seed_templates(hall)
    owner = Applicant.objects.filter(user__username="luwei", kind=Applicant.Kind.LEGAL).first()
    project = Project.objects.filter(name=DEMO_PROJECT).first()
    if owner is not None and project is None and hall.region_id:
        project = services.register_project(
            owner=owner, by=owner.user, name=DEMO_PROJECT, region_code="371402002000", investment_fen=12_800 * 1_000_000,
            industry="13", approval_type="filing", key_project=True,
        )  # fmt: skip
        agent = (
            Staff.objects.filter(role=Role.AGENT, hall=project.hall, is_active=True)
            .select_related("user")
            .first()
        )
        admin = User.objects.filter(staff__role=Role.HALL_ADMIN, staff__hall=project.hall).first()
        if agent is not None and admin is not None:
            services.assign_agent(project, by=admin, agent=agent.user)
        services.apply_stage(project, 1, by=owner.user, form_data={
            "scale": "新建中央厨房及冷链配送中心，总建筑面积约2.6万平方米，含冷库、加工车间和配送仓储。"})  # fmt: skip
    return {"templates": templates, "project": project.code if project else None}
