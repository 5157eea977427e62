"""Demo cases of the city hall, one for each notice: the clerk, the reviewer and the head of
行政审批服务局 drive them through the case services, so every notice can be printed in the demo.
Idempotent: a demo case is recognised by its form data and made once."""

from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import Applicant, Hall, User
from onewindow.cases import services
from onewindow.cases.models import Case, Channel
from onewindow.catalog.models import ItemVersion, Material
from onewindow.documents import notices
from onewindow.workdays import calendar

ITEM = "SPJY-XK-0001"  # 食品经营许可（新办）: a key, a shared and a tolerable material
MARK = "demo"


def _materials(version: ItemVersion) -> dict[str, list[Material]]:
    """The required materials; the shared 营业执照 is handed in on paper (证照共享 finds no
    license of these applicants for it: the licenses demo, run later, issues 鲁味餐饮's)."""
    asked = [m for m in version.materials.all() if m.required]
    return {
        "all": asked,
        "key": [m for m in asked if not m.tolerable],
        "tolerable": [m for m in asked if m.tolerable],
    }


@transaction.atomic
def _story(kind: str, *, version, applicant, hall, people) -> None:
    clerk, reviewer, head = people
    materials = _materials(version)
    handed = materials["key"] if kind in ("supplement_request", "tolerance_promise") else materials["all"]
    case = services.submit(version=version, applicant=applicant, hall=hall, channel=Channel.WINDOW, by=clerk,
                           form_data={MARK: f"documents:{kind}"}, handed_in=[m.pk for m in handed])  # fmt: skip
    if kind == "supplement_request":
        services.request_supplement(case, by=clerk, items=[
            {"material": m.pk, "note": "请提交加盖公章的规章制度目录清单原件"} for m in materials["tolerable"]])  # fmt: skip
    elif kind == "refusal":
        services.refuse(case, by=clerk, reason="申请人仅销售预包装食品，依法不需要取得食品经营许可，应办理备案",
                        where_to_turn="德州市德城区市场监督管理局（仅销售预包装食品备案）")  # fmt: skip
    elif kind == "tolerance_promise":
        services.accept_tolerantly(case, by=clerk, supply_by=calendar.add_workdays(clock.today(), 3))
    else:
        services.accept(case, by=clerk)
    if kind == "suspension":
        services.suspend(case, by=reviewer, kind="on_site_survey", reason="需对经营场所布局和操作流程进行现场核查",
                         expected_days=3)  # fmt: skip
    if kind == "extension":
        services.extend(
            case, by=head, days=5, reason="需赴外地核实食品原料供应商资质，法定期限内不能作出决定"
        )
    if kind == "decision":
        services.review(case, by=reviewer, opinion="经审查，申请材料齐全，经营场所符合要求")
        services.decide(case, by=head, approve=True)


KINDS = tuple(notices.KINDS)


def seed(hall_code: str = "371400-zwfw") -> int:
    """Makes the demo cases that are not there yet; returns how many it made."""
    hall = Hall.objects.filter(code=hall_code).first()
    version = ItemVersion.objects.filter(item__code=ITEM, state=ItemVersion.State.PUBLISHED).first()
    users = {u.username: u for u in User.objects.filter(username__in=["clerk", "reviewer_sp", "head_sp"])}
    applicants = list(Applicant.objects.filter(user__username__in=["zhangwei", "luwei"]).order_by("kind"))
    if hall is None or version is None or len(users) < 3 or not applicants:
        return 0
    people = (users["clerk"], users["reviewer_sp"], users["head_sp"])
    made = 0
    for i, kind in enumerate(KINDS):
        if Case.objects.filter(**{f"form_data__{MARK}": f"documents:{kind}"}).exists():
            continue
        _story(kind, version=version, applicant=applicants[i % len(applicants)], hall=hall, people=people)
        made += 1
    return made
