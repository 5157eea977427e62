"""The demo hall: 德州市 (371400000000) with two districts, a few towns, a city hall with
its stationed departments and windows, staff for every role and two applicants. Loaded by
`manage.py seed_demo`; idempotent. Names and numbers are invented but well-formed (ID
numbers and credit codes carry correct check characters)."""

from django.db import transaction

from onewindow import pii
from onewindow.accounts import identity
from onewindow.accounts.models import Applicant, Department, Hall, Region, Role, Staff, User, Window
from onewindow.accounts.services import assign_windows
from onewindow.cases import demo_citywide as citywide
from onewindow.cases import services as cases
from onewindow.cases.models import Channel
from onewindow.catalog.models import ItemVersion
from onewindow.market import demo as market_demo
from onewindow.trading import demo as trading_demo

DEMO_PASSWORD = "OneWindow@2026"

REGIONS = [
    ("370000000000", "山东省", None),
    ("371400000000", "德州市", "370000000000"),
    ("371402000000", "德城区", "371400000000"),
    ("371403000000", "陵城区", "371400000000"),
    ("371402001000", "新湖街道", "371402000000"),
    ("371402002000", "新华街道", "371402000000"),
    ("371402003000", "天衢街道", "371402000000"),
    ("371403001000", "安德街道", "371403000000"),
    ("371403100000", "郑家寨镇", "371403000000"),
    ("371402001001", "新湖社区", "371402001000"),
]

CITY = "371400000000"
DEPARTMENTS = [
    ("371400-xzsp", "德州市行政审批服务局", "审批局", "0534-2688001"),
    ("371400-scjg", "德州市市场监督管理局", "市场监管局", "0534-2688002"),
    ("371400-zjj", "德州市住房和城乡建设局", "住建局", "0534-2688003"),
    ("371400-zrzy", "德州市自然资源和规划局", "自然资源和规划局", "0534-2688004"),
    ("371400-wjw", "德州市卫生健康委员会", "卫健委", "0534-2688005"),
    ("371400-gaj", "德州市公安局", "公安局", "0534-2688006"),
    ("371400-rsj", "德州市人力资源和社会保障局", "人社局", "0534-2688007"),
    ("371400-sthj", "德州市生态环境局", "生态环境局", "0534-2688008"),
    ("371400-xf", "德州市消防救援支队", "消防救援支队", "0534-2688009"),
    ("371400-fgw", "德州市发展和改革委员会", "发改委", "0534-2688010"),
    ("371400-sw", "国家税务总局德州市税务局", "税务局", "0534-2688011"),
    ("371400-ybj", "德州市医疗保障局", "医保局", "0534-2688012"),
    ("371400-gjj", "德州市住房公积金管理中心", "公积金中心", "0534-2688013"),
    ("371400-bdc", "德州市不动产登记中心", "不动产登记中心", "0534-2688014"),
    ("371400-mzj", "德州市民政局", "民政局", "0534-2688015"),
    ("371400-jtj", "德州市交通运输局", "交通运输局", "0534-2688016"),
    ("371400-jyj", "德州市教育局", "教育局", "0534-2688017"),
]

# The halls' 机关代字 in their notices' numbers: 德政服受字〔2026〕第0023号 (documents.notices).
HALL_SHORT_NAMES = {"371400-zwfw": "德政服", "371402-zwfw": "德城政服", "371403-zwfw": "陵城政服"}

HALLS = [
    (
        "371400-zwfw",
        "德州市政务服务中心",
        Hall.Kind.CITY,
        CITY,
        "德州市德城区三八东路1166号",
        "周一至周五 9:00—17:00（中午不间断）；周六 9:00—12:00 预约办理",
        "0534-12345",
    ),
    (
        "371402-zwfw",
        "德城区政务服务中心",
        Hall.Kind.COUNTY,
        "371402000000",
        "德州市德城区东风中路586号",
        "周一至周五 9:00—17:00",
        "0534-2626000",
    ),
    (
        "371403-zwfw",
        "陵城区政务服务中心",
        Hall.Kind.COUNTY,
        "371403000000",
        "德州市陵城区府前街166号",
        "周一至周五 9:00—17:00",
        "0534-8226000",
    ),
    (
        "371402001-bmfw",
        "新湖街道便民服务中心",
        Hall.Kind.TOWN,
        "371402001000",
        "德州市德城区新湖南路18号",
        "周一至周五 9:00—17:00",
        "0534-2620100",
    ),
]

COMPREHENSIVE_WINDOWS = [
    ("01", "企业开办综合受理"),
    ("02", "企业开办综合受理"),
    ("03", "工程建设项目综合受理"),
    ("04", "工程建设项目综合受理"),
    ("05", "社会事务综合受理"),
    ("06", "社会事务综合受理"),
    ("07", "帮办代办"),
    ("08", "综合出件"),
]

STAFF = [
    # username, name, role, department code or None, window numbers, phone
    ("admin", "刘洋", Role.HALL_ADMIN, None, [], "13805340001"),
    ("supervisor", "陈静", Role.SUPERVISOR, None, [], "13805340002"),
    ("clerk", "王芳", Role.CLERK, "371400-xzsp", ["01"], "13805340003"),
    ("clerk2", "李娜", Role.CLERK, "371400-xzsp", ["05"], "13805340004"),
    ("reviewer_sp", "马骏", Role.REVIEWER, "371400-xzsp", [], "13805340012"),
    ("head_sp", "何静", Role.DEPARTMENT_HEAD, "371400-xzsp", [], "13805340013"),
    ("reviewer", "赵磊", Role.REVIEWER, "371400-scjg", [], "13805340005"),
    ("head", "孙海", Role.DEPARTMENT_HEAD, "371400-scjg", [], "13805340006"),
    ("reviewer_zjj", "周敏", Role.REVIEWER, "371400-zjj", [], "13805340007"),
    ("head_zjj", "钱伟", Role.DEPARTMENT_HEAD, "371400-zjj", [], "13805340008"),
    ("reviewer_wjw", "冯丽", Role.REVIEWER, "371400-wjw", [], "13805340009"),
    ("hotline", "吴倩", Role.HOTLINE_OPERATOR, None, [], "13805340010"),
    ("agent", "郑强", Role.AGENT, "371400-xzsp", ["07"], "13805340011"),
    ("reviewer_zrzy", "黄涛", Role.REVIEWER, "371400-zrzy", [], "13805340016"),
    ("head_zrzy", "林峰", Role.DEPARTMENT_HEAD, "371400-zrzy", [], "13805340017"),
    # 公安局: its charged items (居民身份证换领、补领) are the demo's 网上缴费 story (issue 15 item 3).
    ("reviewer_gaj", "宋波", Role.REVIEWER, "371400-gaj", [], "13805340018"),
    ("head_gaj", "曹阳", Role.DEPARTMENT_HEAD, "371400-gaj", [], "13805340019"),
    ("finance", "高敏", Role.FINANCE, None, [], "13805340014"),
    ("bank", "罗斌", Role.BANK_TELLER, None, [], "13805340015"),
]


def id_number(first17: str) -> str:
    return first17 + identity.id_number_check_char(first17)


def credit_code(first17: str) -> str:
    return first17 + identity.credit_code_check_char(first17)


APPLICANTS = [
    # username, kind, name, id number / credit code, phone, region, legal representative
    (
        "zhangwei",
        Applicant.Kind.NATURAL,
        "张伟",
        id_number("37140219900315201"),
        "13905341234",
        "371402001000",
        "",
    ),
    (
        "luwei",
        Applicant.Kind.LEGAL,
        "德州鲁味餐饮管理有限公司",
        credit_code("91371402MA3C8KXR1"),
        "13905345678",
        "371402002000",
        "李明",
    ),
]


def _user(username: str, name: str, **flags) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": name, **flags})
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    return user


@transaction.atomic
def seed() -> dict:
    regions = {}
    for code, name, parent in REGIONS:
        regions[code], _ = Region.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "parent": regions.get(parent),
                "level": (regions[parent].level + 1) if parent else Region.Level.PROVINCE,
            },
        )
    departments = {}
    for code, name, short, phone in DEPARTMENTS:
        departments[code], _ = Department.objects.get_or_create(
            code=code, defaults={"name": name, "short_name": short, "region": regions[CITY], "phone": phone}
        )
    halls = {}
    for code, name, kind, region, address, hours, phone in HALLS:
        halls[code], _ = Hall.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "kind": kind,
                "region": regions[region],
                "address": address,
                "hours": hours,
                "phone": phone,
            },
        )
    for code, short in HALL_SHORT_NAMES.items():  # 文号代字: set in the admin; the demo's, if none yet
        Hall.objects.filter(code=code, short_name="").update(short_name=short)
    city_hall = halls["371400-zwfw"]
    city_hall.departments.add(*departments.values())
    windows = {}
    for number, name in COMPREHENSIVE_WINDOWS:
        windows[number], _ = Window.objects.get_or_create(
            hall=city_hall, number=number, defaults={"name": name, "kind": Window.Kind.COMPREHENSIVE}
        )
    for i, (code, _name, short, _phone) in enumerate(DEPARTMENTS, start=len(COMPREHENSIVE_WINDOWS) + 1):
        number = f"{i:02d}"
        windows[number], created = Window.objects.get_or_create(
            hall=city_hall, number=number, defaults={"name": f"{short}窗口", "kind": Window.Kind.DEPARTMENTAL}
        )
        if created:
            windows[number].departments.add(departments[code])
    for username, name, role, department, window_numbers, phone in STAFF:
        user = _user(username, name, is_staff=role == Role.HALL_ADMIN, is_superuser=role == Role.HALL_ADMIN)
        staff, created = Staff.objects.get_or_create(
            user=user,
            defaults={
                "name": name,
                "role": role,
                "hall": city_hall,
                "phone": phone,
                "department": departments.get(department),
            },
        )
        if created:
            assign_windows(staff, [windows[n] for n in window_numbers])
    for username, kind, name, number, phone, region, representative in APPLICANTS:
        user = _user(username, name)
        Applicant.objects.get_or_create(
            user=user,
            defaults={
                "kind": kind,
                "name": name,
                "phone": phone,
                "region": regions[region],
                "legal_representative": representative,
                "id_number": number if kind == Applicant.Kind.NATURAL else "",
                "credit_code": number if kind == Applicant.Kind.LEGAL else "",
            },
        )
    return {
        "regions": len(regions),
        "departments": len(departments),
        "halls": len(halls),
        "windows": len(windows),
    }


# 认领 (issue 15 item 4): a citizen registered at a window, with a mobile phone on file and no
# portal login, whose window case waits for her online. She signs up at /register/ with this ID
# number; the code goes to her phone on file, readable in the demo at /dev/sms/.
WALK_IN = {"name": "王秀兰", "id_number": id_number("37140219700520402"), "phone": "13905349876",
           "region": "371402003000", "item": "JZZ-QR-0001"}  # fmt: skip


def seed_walk_in() -> bool:
    """王秀兰 and her 居住证申领, received and accepted at the city hall's window; once."""
    if Applicant.objects.filter(
        kind=Applicant.Kind.NATURAL, id_number_digest=pii.digest("id_number", WALK_IN["id_number"])
    ).exists():
        return False
    hall = Hall.objects.filter(code="371400-zwfw").first()
    clerk = User.objects.filter(username="clerk").first()
    version = ItemVersion.objects.filter(
        item__code=WALK_IN["item"], state=ItemVersion.State.PUBLISHED
    ).first()
    if hall is None or clerk is None or version is None:
        return False
    with transaction.atomic():
        applicant = Applicant.objects.create(kind=Applicant.Kind.NATURAL, name=WALK_IN["name"],
                                             id_number=WALK_IN["id_number"], phone=WALK_IN["phone"],
                                             region=Region.objects.get(code=WALK_IN["region"]))  # fmt: skip
        case = cases.submit(version=version, applicant=applicant, hall=hall, channel=Channel.WINDOW, by=clerk,
                            handed_in=[m.pk for m in version.materials.all() if m.required])  # fmt: skip
        cases.accept(case, by=clerk)
    return True


LOGIN_ROLES = [
    ("zhangwei", "市民（自然人申请人）"),
    ("luwei", "企业（法人申请人）"),
    ("clerk", "综合窗口受理人员"),
    ("reviewer", "市场监管局审查人员"),
    ("head", "市场监管局负责人"),
    ("reviewer_zjj", "住建局审查人员"),
    ("reviewer_gaj", "公安局审查人员（居民身份证等收费事项、制证）"),
    ("head_gaj", "公安局负责人"),
    ("supervisor", "大厅监督人员"),
    ("admin", "大厅管理员（可进管理后台）"),
    ("hotline", "12345 话务员"),
    ("agent", "项目代办员"),
    ("reviewer_zrzy", "自然资源和规划局审查人员（项目阶段牵头）"),
    ("finance", "财务审核人员"),
    ("bank", "银行收费窗口"),
    *citywide.LOGIN_ROLES,  # 德城区: 同城通办 (cases/demo_citywide.py)
    *market_demo.LOGIN_ROLES,  # 中介超市 (market/demo.py)
    *trading_demo.LOGIN_ROLES,  # 公共资源交易 (trading/demo.py)
]
