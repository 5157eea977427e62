"""公共资源交易 in the demo city (issue 20): the people — the trading center's officer (`trading`),
the owners (招标人/采购人/出让人: `buyer` and four more), eleven bidders with their credit records
(one debarred by a penalty, one with a penalty served), and the expert pool: 60 experts (46
technical in six specialties, 14 economic), some employed by a bidder or by an owner, some with
declared avoidances, one penalised, one on the staff of a supervising department. The projects
in every state are demo_projects.py's. Idempotent: logins by name, bidders by credit code, experts
by number.

These are registry rows (the platform's enterprise and expert libraries), written here directly;
every step of a project goes through the services (demo_projects.py). Names and numbers are
invented but well-formed (credit codes carry their GB 32100 check character)."""

import datetime as dt

from django.contrib.auth.hashers import make_password
from django.db import transaction

from onewindow import clock
from onewindow.accounts.identity import credit_code_check_char
from onewindow.accounts.models import Applicant, Department, Hall, Region, Role, Staff, User
from onewindow.trading.models import Avoidance, Bidder, CreditRecord, Expert, ExpertPenalty

PASSWORD = "OneWindow@2026"  # the demo's one password (web.demo.DEMO_PASSWORD)
CITY, HALL = "371400000000", "371400-zwfw"
OFFICER = ("trading", "韩冰", "13805340030")

LOGIN_ROLES = [
    ("trading", "公共资源交易中心工作人员（登记项目、开标、抽取专家、发布结果）"),
    ("bidder", "投标人（德州鲁建建设集团有限公司，对公示中的候选人提出了异议）"),
    ("expert", "评标专家（信息化，已被抽入评标中的项目，待评分）"),
    ("buyer", "招标人/采购人（德州市第一中学，答复异议、定标、登记合同）"),
]


def credit_code(first17: str) -> str:
    return first17 + credit_code_check_char(first17)


# key, login, name, credit code (first 17), legal representative, phone
OWNERS = [
    ("school", "buyer", "德州市第一中学", "12371400MB2850146", "王立强", "0534-2311001"),
    ("city", "owner_ct", "德州市城市建设投资发展集团有限公司", "91371400MA3C0T2K5", "赵建华", "0534-2312002"),
    ("hospital", "owner_yy", "德州市人民医院", "12371400MB2851120", "李卫东", "0534-2313003"),
    ("land", "owner_td", "德州市土地储备中心", "12371400MB2852331", "孙国栋", "0534-2314004"),
    ("capital", "owner_gz", "德州市国有资本投资运营有限公司", "91371400MA3D7G8H2", "周立平", "0534-2315005"),
]  # fmt: skip

# key, login, name, credit code (first 17), legal representative, phone, address, what it does
BIDDERS = [
    ("jian", "bidder", "德州鲁建建设集团有限公司", "91371400MA3TR1101", "张建军", "13905343101",
     "德州市德城区东方红路1088号", "建筑工程施工总承包一级"),
    ("dexin", "bidder2", "山东德信建工有限公司", "91371402MA3TR1202", "刘德信", "13905343102",
     "德州市德城区湖滨南大道58号", "建筑工程施工总承包二级"),
    ("huake", "bidder3", "德州华科信息技术有限公司", "91371402MA3TR1303", "陈华", "13905343103",
     "德州市德城区天衢东路1566号", "信息系统集成及服务"),
    ("zhilian", "bidder4", "山东智联网络科技有限公司", "91371400MA3TR1404", "王智", "13905343104",
     "德州市经济技术开发区东方红东路5号", "安防及网络工程"),
    ("shizheng", "bidder5", "德州市政工程建设有限公司", "91371400MA3TR1505", "马正", "13905343105",
     "德州市德城区新湖南路16号", "市政公用工程施工总承包一级"),
    ("tianqu", "bidder6", "德州天衢教学设备有限公司", "91371402MA3TR1606", "杨天", "13905343106",
     "德州市德城区三八中路230号", "教学设备及办公用品"),
    ("lubei", "bidder7", "山东鲁北置业有限公司", "91371400MA3TR1707", "高北", "13905343107",
     "德州市德城区大学西路99号", "房地产开发"),
    ("hongyuan", "bidder8", "德州宏远建筑工程有限公司", "91371403MA3TR1808", "郑宏", "13905343108",
     "德州市陵城区中兴大街18号", "建筑工程施工总承包三级"),
    ("yuntu", "bidder9", "德州云图软件有限公司", "91371402MA3TR1909", "许云", "13905343109",
     "德州市德城区崇德七大道8号", "软件开发及运维服务"),
    ("zhongxing", "bidder10", "山东中兴医疗器械有限公司", "91371400MA3TR2000", "黄兴", "13905343110",
     "德州市经济技术开发区袁桥路12号", "医疗器械经营"),
    ("anju", "bidder11", "德州安居房地产开发有限公司", "91371402MA3TR2101", "吴安", "13905343111",
     "德州市德城区长河大道66号", "房地产开发"),
]  # fmt: skip
DEBARRED, PENALTY_SERVED = "hongyuan", "dexin"

# The pool: specialty, category, how many. The first 信息化 expert is the `expert` login.
SPECIALTIES = [
    ("房屋建筑", Expert.Category.TECHNICAL, 14),
    ("市政", Expert.Category.TECHNICAL, 10),
    ("信息化", Expert.Category.TECHNICAL, 7),
    ("教学设备", Expert.Category.TECHNICAL, 5),
    ("医疗设备", Expert.Category.TECHNICAL, 5),
    ("园林绿化", Expert.Category.TECHNICAL, 5),
    ("工程造价", Expert.Category.ECONOMIC, 8),
    ("财务", Expert.Category.ECONOMIC, 6),
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚"  # fmt: skip
GIVEN = [
    "建国",
    "海燕",
    "志强",
    "丽华",
    "国庆",
    "秀英",
    "晓东",
    "红梅",
    "立新",
    "春雨",
    "文博",
    "静怡",
    "明远",
]
EMPLOYERS = {  # per specialty: (employer, credit code first 17), taken in turn
    "房屋建筑": [("德州市建筑设计研究院有限公司", "91371400MA3EX0011"), ("德州学院", "12370000MB2851011")],
    "市政": [("德州市市政设计院有限公司", "91371400MA3EX0022"), ("山东华宇工学院", "52370000MB2851022")],
    "信息化": [("德州学院", "12370000MB2851011"), ("德州市大数据中心", "12371400MB2851033")],
    "教学设备": [("德州学院", "12370000MB2851011"), ("德州市教育科学研究院", "12371400MB2851044")],
    "医疗设备": [("德州市中医院", "12371400MB2851055"), ("德州联合医院", "52371400MB2851066")],
    "园林绿化": [("德州市园林设计院有限公司", "91371400MA3EX0077"), ("德州职业技术学院", "12370000MB2851088")],
    "工程造价": [("德州诚信工程造价咨询有限公司", "91371402MA3H5M2R8"), ("德州正衡造价事务所有限公司", "91371400MA3EX0099")],
    "财务": [("德州德正会计师事务所有限公司", "91371400MA3EX0100"), ("德州学院", "12370000MB2851011")],
}  # fmt: skip
TITLES = {
    Expert.Category.TECHNICAL: ("高级工程师", "正高级工程师"),
    Expert.Category.ECONOMIC: ("高级经济师", "高级会计师"),
}

# The pool's ties (expert number → tie): what the draws must exclude (committee.eligible).
EMPLOYED_BY_BIDDER = {"ZJ0001": "jian", "ZJ0026": "huake"}  # works at a bidder
EMPLOYED_BY_OWNER = {"ZJ0055": "school"}  # a 财务 expert of 德州市第一中学
AVOIDANCES = {  # declared: a close relative works there, or an economic interest
    "ZJ0002": ("dexin", Avoidance.Relation.RELATIVE),
    "ZJ0027": ("zhilian", Avoidance.Relation.RELATIVE),
    "ZJ0050": ("jian", Avoidance.Relation.INTEREST),
}
DEPARTMENT_STAFF = {"ZJ0003": "371400-zjj", "ZJ0028": "371400-fgw"}  # staff of a supervising department
PENALISED = {"ZJ0004": "2024年评标中明显倾向特定投标人，被行政监督部门通报批评并暂停评标资格"}
EXPERT_LOGIN = "ZJ0025"  # the first 信息化 expert


def expert_numbers() -> list[tuple[str, str, str]]:
    """(number, specialty, category) of the whole pool, in order."""
    found, n = [], 0
    for specialty, category, count in SPECIALTIES:
        for _ in range(count):
            n += 1
            found.append((f"ZJ{n:04d}", specialty, category))
    return found


def _user(username: str, name: str, password: str) -> User:
    """The demo login `username` (one hash made once for all of them: the demo's one password)."""
    user, created = User.objects.get_or_create(username=username, defaults={"display_name": name})
    if created:
        user.password = password
        user.save(update_fields=["password"])
    return user


def _owners(city: Region, password: str) -> None:
    for _key, login, name, first17, representative, phone in OWNERS:
        user = _user(login, name, password)
        if not Applicant.objects.filter(user=user).exists():
            Applicant.objects.create(kind=Applicant.Kind.LEGAL, name=name, credit_code=credit_code(first17),
                                     legal_representative=representative, phone=phone, region=city, user=user)  # fmt: skip


def _bidders(city: Region, password: str) -> dict[str, Bidder]:
    today = clock.today()
    registered = dt.datetime.combine(dt.date(today.year - 2, 3, 1), dt.time(9), tzinfo=clock.hall_tz())
    made = {}
    for key, login, name, first17, representative, phone, address, scope in BIDDERS:
        code = credit_code(first17)
        bidder = Bidder.objects.filter(credit_code=code).first()
        if bidder is None:
            user = _user(login, name, password)
            bidder = Bidder.objects.create(ref=f"TB{first17[-4:]}", name=name, credit_code=code,
                                           legal_representative=representative, phone=phone, address=address,
                                           region=city, user=user, registered_at=registered)  # fmt: skip
            _credit(bidder, key, scope, today)
        made[key] = bidder
    return made


def _credit(bidder: Bidder, key: str, scope: str, today: dt.date) -> None:
    """The credit library's rows of a new bidder: a performance, and for two a penalty — one
    still debarring (bids refused until it ends), one served."""
    at = clock.now()
    K = CreditRecord.Kind
    CreditRecord.objects.create(bidder=bidder, kind=K.PERFORMANCE, occurred_on=dt.date(today.year - 1, 6, 30),
                                detail=f"{scope}：近三年完成同类项目合同3项，履约评价优良。", recorded_at=at)  # fmt: skip
    if key == DEBARRED:
        fined = today - dt.timedelta(days=90)
        CreditRecord.objects.create(bidder=bidder, kind=K.PENALTY, occurred_on=fined,
                                    detail="在德城区某学校维修工程招标中串通投标，处中标金额千分之五罚款，"
                                           f"取消投标资格一年（德住建罚字〔{fined.year}〕第17号）。",
                                    debarred_until=fined + dt.timedelta(days=365), recorded_at=at)  # fmt: skip
    elif key == PENALTY_SERVED:
        CreditRecord.objects.create(bidder=bidder, kind=K.PENALTY, occurred_on=dt.date(today.year - 3, 4, 12),
                                    detail="施工现场扬尘治理不到位，责令整改并处罚款（已履行）。",
                                    debarred_until=dt.date(today.year - 3, 10, 12), recorded_at=at)  # fmt: skip


def _experts(city: Region, bidders: dict[str, Bidder], password: str) -> int:
    today = clock.today()
    owners = {key: credit_code(first17) for key, _l, _n, first17, _r, _p in OWNERS}
    owner_names = {key: name for key, _l, name, _c, _r, _p in OWNERS}
    departments = {d.code: d for d in Department.objects.filter(code__in=DEPARTMENT_STAFF.values())}
    existing = set(Expert.objects.values_list("number", flat=True))
    added = 0
    for i, (number, specialty, category) in enumerate(expert_numbers()):
        if number in existing:
            continue
        name = SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)]
        employer, first17 = EMPLOYERS[specialty][i % 2]
        code = credit_code(first17)
        if number in EMPLOYED_BY_BIDDER:
            bidder = bidders[EMPLOYED_BY_BIDDER[number]]
            employer, code = bidder.name, bidder.credit_code
        if number in EMPLOYED_BY_OWNER:
            key = EMPLOYED_BY_OWNER[number]
            employer, code = owner_names[key], owners[key]
        department = departments.get(DEPARTMENT_STAFF.get(number, ""))
        if department is not None:
            employer, code = department.name, ""
        login = "expert" if number == EXPERT_LOGIN else number.lower()
        expert = Expert.objects.create(
            number=number, name=name, user=_user(login, name, password), phone=f"1390534{5000 + i:04d}",
            category=category, specialty=specialty, title=TITLES[category][i % 2], employer=employer,
            employer_credit_code=code, department=department, region=city,
        )  # fmt: skip
        if number in AVOIDANCES:
            key, relation = AVOIDANCES[number]
            Avoidance.objects.create(expert=expert, credit_code=bidders[key].credit_code, name=bidders[key].name,
                                     relation=relation, declared_on=dt.date(today.year - 1, 3, 1))  # fmt: skip
        if number in PENALISED:
            ExpertPenalty.objects.create(expert=expert, occurred_on=dt.date(today.year - 2, 9, 20),
                                         detail=PENALISED[number])  # fmt: skip
        added += 1
    return added


@transaction.atomic
def seed() -> int:
    """The trading's people; returns how many experts it added (0 on a second run)."""
    city = Region.objects.filter(code=CITY).first()
    hall = Hall.objects.filter(code=HALL).first()
    if city is None or hall is None:
        return 0
    password = make_password(PASSWORD)
    login, name, phone = OFFICER
    officer = _user(login, name, password)
    Staff.objects.get_or_create(user=officer, defaults={"name": name, "role": Role.TRADING_OFFICER, "hall": hall,
                                                        "phone": phone})  # fmt: skip
    _owners(city, password)
    bidders = _bidders(city, password)
    return _experts(city, bidders, password)
