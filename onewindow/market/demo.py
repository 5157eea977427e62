"""中介超市 in the demo city (issue 19): eight service types with their legal fee and time caps, fee
relief for small and micro enterprises (50 % by default as in Wendeng; per type 40/60 % as in Shan
county), eleven agencies applied and admitted through market.agencies' own steps (graded A–D for
last year, one not yet graded, one application waiting for review), and two logins: `agency` (an
admitted A-grade surveying agency) and `owner` (a company's portal account, a legal person, that
posts needs). Idempotent: service types by code, agencies by credit code, logins by name.

Names and numbers are invented but well-formed (credit codes carry their GB 32100 check character)."""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from onewindow import clock
from onewindow.accounts.identity import credit_code_check_char
from onewindow.accounts.models import Applicant, Region, User
from onewindow.market import agencies, grades, services
from onewindow.market.audit import append_event
from onewindow.market.models import Agency, FeeRelief, OwnerType, ServiceType, YearGrade

PASSWORD = "OneWindow@2026"  # the demo's one password (web.demo.DEMO_PASSWORD)
CITY = "371400000000"

LOGIN_ROLES = [
    ("agency", "中介机构（中介超市已入驻的A级测绘机构）"),
    ("owner", "项目业主（法人，在中介超市发布中介服务需求）"),
]

# code, name, fee cap (yuan), time cap (working days), basis
SERVICE_TYPES = [
    ("CH", "工程测绘", 50_000, 20, "参照《测绘生产成本费用定额》（财建〔2009〕17号）"),
    ("HP", "环境影响评价", 100_000, 30, "参照《建设项目环境影响咨询收费标准》（计价格〔2002〕125号）"),
    ("NP", "节能评估", 50_000, 20, "参照省固定资产投资项目节能评估收费标准"),
    ("FL", "防雷检测", 8_000, 10, "参照省防雷装置检测收费标准"),
    ("DZ", "地质灾害危险性评估", 80_000, 30, "参照《地质灾害危险性评估收费标准》"),
    ("SB", "水土保持方案编制", 60_000, 25, "参照《开发建设项目水土保持咨询服务费用计列指导意见》"),
    ("AP", "安全评价", 80_000, 30, "参照省安全评价收费指导标准"),
    ("ZJ", "工程造价咨询", 100_000, 20, "参照《建设工程造价咨询服务收费标准》"),
]
RELIEFS = [
    # owner type, service type code (None: the default), max percent, basis
    (OwnerType.SMALL_MICRO, None, 50, "小微企业不超过收费上限的50%（文登区做法）"),
    (OwnerType.SMALL_MICRO, "FL", 40, "小微企业防雷检测按收费标准的40%收取（陕县做法）"),
    (OwnerType.SMALL_MICRO, "CH", 60, "小微企业工程测绘按收费标准的60%收取（陕县做法）"),
]


def credit_code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


# username, name, credit code (first 17), legal representative, contact, phone, address, fee commitment,
# [(service type, certificate number, level)], [(staff name, title, certificate)], last year's
# grade ("" not graded: admitted this year; None: an application waiting for review), points
AGENCIES = [
    ("agency", "德州正元测绘地理信息有限公司", "91371402MA3C2E7K1", "高建国", "刘晓敏", "13905342001",
     "德州市德城区天衢东路166号", "在收费标准基础上下浮30%", [("CH", "乙测资字37503571", "乙级")],
     [("刘晓敏", "注册测绘师", "CH2019370021"), ("王海涛", "测绘工程师", "CH2016370118")], "A", "94.50"),
    ("agency_hp", "山东绿源环境科技有限公司", "91371400MA3D4H2L5", "陈立", "周婷", "13905342002",
     "德州市经济技术开发区崇德三大道8号", "环评报告表按标准下浮20%",
     [("HP", "环评信用平台编号 HP3714026", ""), ("SB", "水保方案编制能力评价 SB-37-0211", "三星")],
     [("周婷", "环境影响评价工程师", "HP00018762"), ("陈晨", "水土保持工程师", "")], "A", "91.00"),
    ("agency_np", "德州恒信节能技术服务有限公司", "91371402MA3E1G5N2", "张恒", "李倩", "13905342003",
     "德州市德城区东方红路586号", "按收费标准下浮15%", [("NP", "节能评估备案 NP-371400-012", "")],
     [("李倩", "节能评估师", "NP2020-0331")], "B", "82.00"),
    ("agency_fl", "德州安雷防雷检测有限公司", "91371403MA3F6K8P3", "孙雷", "孙雷", "13905342004",
     "德州市陵城区安德路29号", "小型建筑防雷检测3000元以内", [("FL", "鲁雷检字〔2024〕第0117号", "乙级")],
     [("孙雷", "防雷检测工程师", "FL-3714-0092")], "B", "79.50"),
    ("agency_dz", "山东鲁北地质工程勘察院", "12371400MB2851763", "王振华", "赵敏", "13905342005",
     "德州市德城区新华路112号", "", [("DZ", "地灾评估资质 鲁地灾评字0063", "甲级"), ("CH", "甲测资字37100088", "甲级")],
     [("赵敏", "高级工程师（地质）", ""), ("王振华", "注册岩土工程师", "AY371400067")], "B", "86.00"),
    ("agency_ap", "德州安泰安全评价有限公司", "91371402MA3G2L9Q6", "刘安", "刘安", "13905342006",
     "德州市德城区湖滨北大道90号", "", [("AP", "APJ-（鲁）-558", "")], [("刘安", "安全评价师（一级）", "S011037000110192001")],
     "C", "66.00"),
    ("agency_zj", "德州诚信工程造价咨询有限公司", "91371402MA3H5M2R8", "马诚", "吴丹", "13905342007",
     "德州市德城区三八东路77号", "按收费标准下浮25%", [("ZJ", "造价咨询企业 甲级 鲁建价021", "甲级")],
     [("吴丹", "一级造价工程师", "建[造]11370000123"), ("马诚", "一级造价工程师", "建[造]11370000456")], "A", "92.00"),
    ("agency_ch2", "德州新地测绘服务有限公司", "91371403MA3J8N4T1", "李新", "李新", "13905342008",
     "德州市陵城区迎宾街15号", "下浮20%", [("CH", "丙测资字37505520", "丙级"), ("FL", "鲁雷检字〔2021〕第0300号", "乙级")],
     [("李新", "测绘工程师", "")], "B", "77.00"),
    ("agency_d", "德州速达工程咨询有限公司", "91371402MA3K1P6U4", "钱达", "钱达", "13905342009",
     "德州市德城区解放南路200号", "", [("ZJ", "鲁建价丙字0871", "乙级"), ("NP", "NP-371400-044", "")],
     [("钱达", "二级造价工程师", "")], "D", "48.00"),
    ("agency_sb", "德州禹泽水保科技有限公司", "91371403MA3L4Q8W7", "禹泽", "韩梅", "13905342010",
     "德州市陵城区临齐街3号", "按收费标准下浮10%", [("SB", "水保方案编制能力评价 SB-37-0388", "二星")],
     [("韩梅", "水土保持工程师", "")], "", ""),
    ("agency_ch3", "德州天元测绘有限公司", "91371402MA3P9A2B4", "高天", "高天", "13905342012",
     "德州市德城区天衢东路66号", "按收费标准下浮30%", [("CH", "乙测资字37100215", "乙级")],
     [("高天", "注册测绘师", "CH2018370041")], "A", "90.50"),
    ("agency_ch4", "山东同创地理信息有限公司", "91371403MA3Q3C6D8", "林同", "许静", "13905342013",
     "德州市陵城区中兴大街120号", "下浮20%", [("CH", "乙测资字37100388", "乙级"), ("DZ", "鲁地灾评字0102", "乙级")],
     [("许静", "测绘工程师", ""), ("林同", "注册测绘师", "CH2016370112")], "B", "80.00"),
    ("agency_new", "德州环宇测绘有限公司", "91371402MA3M7R1X9", "周宇", "周宇", "13905342011",
     "德州市德城区广川大道58号", "下浮35%", [("CH", "丙测资字37506012", "丙级")],
     [("周宇", "测绘工程师", "CH2021370233")], None, ""),
]  # fmt: skip
# The demo's owner: a small company's portal account (a legal person) that posts needs.
OWNER = ("owner", "德州鑫源机械制造有限公司", "91371402MA3N2T5Y6", "冯鑫", "13905341688", "371402002000")


def _user(username: str, name: str) -> User:
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": name})
    if created:
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return user


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.hall_tz())


def _grade(agency: Agency, grade: str, points: str, year: int, by: User) -> None:
    """Last year's grade as published (the yearly grading's own step is market.grades'). The
    figures are made to give about `points` by the grades' own formula (grades.points_of), and
    the points and grade shown are that formula's, so the report adds up."""
    settings = services.market_settings()
    on_time = Decimal({"A": "0.9600", "B": "0.8500", "C": "0.7000", "D": "0.4000"}[grade])
    complaints, violations = (1 if grade in "CD" else 0), (1 if grade == "D" else 0)
    deducted = settings.deduct_complaint * complaints + settings.deduct_violation * violations
    evaluation = (
        (Decimal(points) + deducted - settings.weight_on_time * on_time) * 5 / settings.weight_evaluation
    )
    evaluation = min(Decimal(5), max(Decimal(1), evaluation)).quantize(Decimal("0.01"))
    scored = grades.points_of(evaluation, on_time, complaints, violations, settings)
    grade = grades.grade_of(scored, settings)
    published = min(_at(dt.date(year + 1, 1, 15), 10), clock.now())
    YearGrade.objects.get_or_create(agency=agency, year=year, defaults={
        "contracts": {"A": 12, "B": 7, "C": 4, "D": 3}[grade], "evaluation_avg": evaluation, "on_time_rate": on_time,
        "complaints": complaints, "violations": violations, "points": scored, "grade": grade,
        "status": YearGrade.Status.PUBLISHED, "computed_at": published, "published_at": published,
        "appeal_due_on": dt.date(year + 1, 1, 29),
    })  # fmt: skip
    locked = Agency.objects.select_for_update().get(pk=agency.pk)
    locked.grade, locked.grade_year = grade, year
    with clock.frozen(published):
        append_event(locked, by=by, action="grade", from_status=locked.status,
                     payload={"year": year, "grade": grade, "points": str(scored)})  # fmt: skip
    locked.save(update_fields=["grade", "grade_year", "event_count", "last_hash"])


@transaction.atomic
def seed() -> int:
    """The market's demo; returns how many agencies it added (0 on a second run)."""
    city = Region.objects.filter(code=CITY).first()
    admin = User.objects.filter(username="admin").first()
    if city is None or admin is None:
        return 0
    types = {}
    for code, name, cap_yuan, days, basis in SERVICE_TYPES:
        types[code], _ = ServiceType.objects.get_or_create(
            code=code, defaults={"name": name, "fee_cap_fen": cap_yuan * 100, "time_cap_days": days, "fee_basis": basis}
        )  # fmt: skip
    for owner_type, code, percent, note in RELIEFS:
        FeeRelief.objects.get_or_create(owner_type=owner_type, service_type=types[code] if code else None,
                                        defaults={"max_percent": percent, "note": note})  # fmt: skip
    username, name, first17, representative, phone, region = OWNER
    owner = _user(username, name)
    if not Applicant.objects.filter(user=owner).exists():
        Applicant.objects.create(kind=Applicant.Kind.LEGAL, name=name, credit_code=credit_code(first17),
                                 legal_representative=representative, phone=phone,
                                 region=Region.objects.filter(code=region).first() or city, user=owner)  # fmt: skip
    today = clock.today()
    last_year = today.year - 1
    added = 0
    for (username, name, first17, representative, contact, phone, address, commitment, quals, people, grade,
         points) in AGENCIES:  # fmt: skip
        code = credit_code(first17)
        if Agency.objects.filter(credit_code=code).exists():
            continue
        user = _user(username, name)
        applied_on = (
            dt.date(last_year, 1, 6) if grade else today - dt.timedelta(days=3 if grade is None else 60)
        )
        qualifications = [{"service_type": types[t], "certificate_no": no, "level": level,
                           "valid_from": dt.date(last_year - 1, 1, 1), "valid_until": dt.date(today.year + 2, 12, 31)}
                          for t, no, level in quals]  # fmt: skip
        with clock.frozen(_at(applied_on, 9)):
            agency = agencies.apply(by=user, name=name, credit_code=code, legal_representative=representative,
                                    contact=contact, phone=phone, address=address, fee_commitment=commitment,
                                    introduction=f"{name}，专业从事{'、'.join(types[t].name for t, _, _ in quals)}服务。",
                                    qualifications=qualifications, region=city,
                                    staff=[{"name": n, "title": t, "certificate_no": c} for n, t, c in people])  # fmt: skip
        added += 1
        if grade is None:
            continue  # waits for hall management's review
        with clock.frozen(_at(applied_on + dt.timedelta(days=2), 10)):
            agency = agencies.admit(agency, by=admin, note="资质、人员材料齐全，准予入驻。")
        if grade:
            _grade(agency, grade, points, last_year, admin)
    # One qualification that ran out last month: the agency's page shows it expired, and it may no
    # longer register for that type (services.eligibility_refusal).
    expired = Agency.objects.filter(user__username="agency_ch2").first()
    if expired is not None:
        expired.qualifications.filter(service_type=types["FL"]).update(
            valid_from=dt.date(last_year - 2, 1, 1), valid_until=today.replace(day=1) - dt.timedelta(days=1)
        )
    return added
