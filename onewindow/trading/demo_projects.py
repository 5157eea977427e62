"""The demo's trading projects (issue 20), one or more in every state, made by the services
themselves with the clock moved back (clock.frozen): announced and sealed (bids in, opening ahead),
cancelled, failed (two bids: not opened), opened waiting for the draw (one bid over the budget,
set aside), evaluating (committee drawn and confirmed, three of five have scored — the `expert`
login has not), in publicity with an objection pending (by `bidder`, for `buyer` to answer),
awarded, and contracted over the past months (works, procurement, a land listing and a
property auction), so the statistics have rows.

Every date is counted from clock.today() backwards on the working-day calendar: an announcement
lies MIN_BID_PERIOD working days before its opening, so the services accept each step as they
would have on that day; the demo seeds on any date. Idempotent: a project with its title is not
made twice. PLANS is the declared figures (budgets, bids, technical points) the tests recompute
by hand."""

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import Applicant, Department, User
from onewindow.errors import DomainError
from onewindow.trading import award, bids, committee, evaluation, services
from onewindow.trading.demo import BIDDERS, OFFICER, OWNERS, credit_code
from onewindow.trading.models import Bid, Bidder, Kind, Method, Project
from onewindow.workdays import calendar

log = logging.getLogger("onewindow.trading")

SUPERVISORS = {Kind.WORKS: "371400-zjj", Kind.PROCUREMENT: "371400-fgw", Kind.LAND: "371400-zrzy",
               Kind.PROPERTY: "371400-fgw"}  # fmt: skip
EXPERT_LOGIN = "expert"


@dataclass(frozen=True)
class Plan:
    title: str
    owner: str  # demo.OWNERS key
    kind: str
    method: str
    budget: int  # yuan: the budget (the highest price), or the reserve price of land and property
    state: str  # the Project.Status it is left in
    back: int = 1  # calendar days from today back to the opening (the latest working day then)
    bids: tuple = ()  # (bidder key, price in yuan, technical points: each member gives them ± a spread)
    specialty: str = ""
    committee: tuple = (0, 0)  # (members, of whom economic)
    price_weight: int = 100
    description: str = ""
    resubmit: tuple = ()  # (bidder key, new price): a bid replaced before the deadline
    decline: bool = False  # the first technical member declines: the reserve steps in
    objector: str = ""  # the bidder that objects to the first candidate during the publicity


S = Project.Status
W, P, L, R = Kind.WORKS, Kind.PROCUREMENT, Kind.LAND, Kind.PROPERTY
M = Method
PLANS = [
    Plan("德州市城区雨污分流改造工程（一期）", "city", W, M.OPEN_TENDER, 18_600_000, S.CONTRACTED, 200,
         (("shizheng", 17_280_000, 52), ("jian", 17_650_000, 55), ("dexin", 17_900_000, 50)), "市政", (7, 2), 40,
         "城区主干道雨污分流管网改造约12.6公里，含检查井、路面恢复。"),
    Plan("德城区天衢东路北侧15号地块国有建设用地使用权", "land", L, M.LISTING, 56_000_000, S.CONTRACTED, 175,
         (("anju", 58_800_000, 0), ("lubei", 61_500_000, 0)),
         description="出让面积21,350平方米，住宅用地，容积率≤2.2，出让年限70年；挂牌起始价即底价。"),
    Plan("德州市人民医院彩色多普勒超声诊断仪采购", "hospital", P, M.OPEN_TENDER, 6_800_000, S.CONTRACTED, 150,
         (("zhongxing", 6_350_000, 62), ("tianqu", 6_480_000, 58), ("huake", 6_720_000, 55)), "医疗设备", (5, 1), 30,
         "高端彩色多普勒超声诊断仪4台，含安装调试、培训及五年保修。"),
    Plan("德州宾馆有限公司30%国有股权转让", "capital", R, M.AUCTION, 8_000_000, S.CONTRACTED, 125,
         (("lubei", 8_400_000, 0), ("anju", 8_960_000, 0)),
         description="转让方所持德州宾馆有限公司30%股权；评估值800万元，拍卖底价800万元。"),
    Plan("德州市第一中学智慧教室建设项目", "school", P, M.CONSULTATION, 2_400_000, S.CONTRACTED, 110,
         (("tianqu", 2_198_000, 60), ("huake", 2_256_000, 63), ("yuntu", 2_305_000, 58)), "信息化", (3, 1), 30,
         "智慧教室24间：交互式智能黑板、录播系统、教学管理平台。"),
    Plan("德城区老旧小区改造配套绿化工程", "city", W, M.INVITED_TENDER, 3_250_000, S.CONTRACTED, 90,
         (("shizheng", 3_010_000, 50), ("jian", 3_080_000, 54), ("dexin", 2_990_000, 48)), "园林绿化", (5, 1), 40,
         "12个老旧小区绿化提升约4.8万平方米，含苗木种植及一年养护。"),
    Plan("德州市第一中学办公用品及耗材采购", "school", P, M.INQUIRY, 480_000, S.CONTRACTED, 65,
         (("tianqu", 452_000, 0), ("yuntu", 446_500, 0), ("huake", 468_000, 0)), "", (3, 1), 100,
         "全年办公用品及打印耗材，按清单报价，价格最低者成交。"),
    Plan("德州市人民医院信息系统运维服务采购", "hospital", P, M.OPEN_TENDER, 1_560_000, S.CONTRACTED, 45,
         (("yuntu", 1_398_000, 56), ("huake", 1_452_000, 60), ("zhilian", 1_488_000, 57)), "信息化", (5, 2), 30,
         "HIS、LIS、PACS等系统三年运维服务，7×24小时响应。"),
    Plan("德州市人民医院病房护理床采购", "hospital", P, M.OPEN_TENDER, 920_000, S.FAILED, 38,
         (("zhongxing", 868_000, 0), ("tianqu", 905_000, 0)), "医疗设备", (5, 1), 30,
         "多功能电动护理床120张。"),
    Plan("德州市第一中学理化生实验室设备采购", "school", P, M.OPEN_TENDER, 3_600_000, S.AWARDED, 20,
         (("tianqu", 3_420_000, 60), ("huake", 3_380_000, 52), ("yuntu", 3_495_000, 55)), "教学设备", (5, 1), 30,
         "物理、化学、生物实验室各4间的实验台及仪器设备。", decline=True),
    Plan("德州市第一中学运动场及附属设施改造工程", "school", W, M.OPEN_TENDER, 2_850_000, S.PUBLICITY, 1,
         (("jian", 2_690_000, 45), ("dexin", 2_640_000, 50), ("shizheng", 2_720_000, 47)), "房屋建筑", (5, 1), 40,
         "400米标准塑胶跑道、人造草坪足球场及看台改造。", objector="jian"),
    Plan("德州市第一中学校园网络及安防系统升级", "school", P, M.OPEN_TENDER, 4_300_000, S.EVALUATING, 1,
         (("huake", 4_050_000, 57), ("zhilian", 3_980_000, 55), ("yuntu", 4_120_000, 52)), "信息化", (5, 1), 30,
         "校园万兆骨干网、无线覆盖及视频监控系统升级。"),
    Plan("德城区新湖南路道路提升改造工程", "city", W, M.OPEN_TENDER, 9_800_000, S.OPENED, 1,
         (("shizheng", 9_260_000, 0), ("jian", 9_410_000, 0), ("dexin", 9_860_000, 0)), "市政", (5, 1), 40,
         "道路全长2.3公里：路面翻建、人行道及排水设施改造。"),
    Plan("德州市第一中学学生宿舍楼维修改造工程", "school", W, M.OPEN_TENDER, 1_980_000, S.ANNOUNCED,
         bids=(("dexin", 1_890_000, 0), ("shizheng", 1_925_000, 0)), specialty="房屋建筑", committee=(5, 1),
         price_weight=40, description="学生宿舍楼3栋屋面防水、外墙保温及卫生间改造。", resubmit=("dexin", 1_868_000)),
    Plan("德城区崇德五大道东侧3号地块国有建设用地使用权", "land", L, M.AUCTION, 42_000_000, S.ANNOUNCED,
         description="出让面积16,800平方米，商服用地，容积率≤3.0，出让年限40年；拍卖起始价即底价。"),
    Plan("德州市第一中学校园广播系统升级改造", "school", P, M.SINGLE_SOURCE, 260_000, S.CANCELLED,
         specialty="", committee=(3, 1), price_weight=30, description="原广播系统的兼容扩容，拟向原供应商单一来源采购。"),
]  # fmt: skip
DOCUMENTS = {
    False: "资格条件：具备相应资质，近三年无重大违法记录，未被列入失信名单。评标办法：综合评分法（价格分按招标公告公式计算，"
           "技术商务分由评标委员会各成员独立评分取平均）。合同条款：按中标价签订，不得再行订立背离合同实质性内容的协议。",
    True: "竞买人资格：依法设立的企业，未被列入失信名单。竞价规则：价高者得，报价不得低于底价；成交后5个工作日内签订成交确认书和合同。",
}  # fmt: skip


def _latest_workday(day: dt.date) -> dt.date:
    """The latest working day on or before `day`."""
    return calendar.date_of_seq(calendar.seq(day))


def _before(day: dt.date, n: int) -> dt.date:
    """The working day n working days before the working day `day` (add_workdays' inverse)."""
    return calendar.date_of_seq(calendar.seq(day) - n)


def _at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=clock.hall_tz()) + dt.timedelta(minutes=minute)


def _points(tech: int, i: int) -> str:
    """Member i's technical points for a bid declared at `tech`: the spread 0, +1, −1, +2, −2 …
    sums to 0 over an odd committee, so the mean is exactly `tech`."""
    return str(tech + ((i + 1) // 2) * (1 if i % 2 else -1)) if tech else "0"


class _World:
    def __init__(self):
        self.officer = User.objects.get(username=OFFICER[0])
        codes = {key: credit_code(first17) for key, _l, _n, first17, _r, _p in OWNERS}
        self.owners = {key: Applicant.objects.select_related("user").get(kind=Applicant.Kind.LEGAL, credit_code=code)
                       for key, code in codes.items()}  # fmt: skip
        codes = {key: credit_code(first17) for key, _l, _n, first17, *_ in BIDDERS}
        found = {
            b.credit_code: b
            for b in Bidder.objects.select_related("user").filter(credit_code__in=codes.values())
        }
        self.bidders = {key: found[code] for key, code in codes.items()}
        self.departments = {d.code: d for d in Department.objects.filter(code__in=SUPERVISORS.values())}


def _make(plan: Plan, w: _World) -> Project:
    minimum = services.MIN_BID_PERIOD[plan.method]
    last = _latest_workday(clock.today() - dt.timedelta(days=max(plan.back, 1)))
    if plan.state in (S.ANNOUNCED, S.CANCELLED):
        announced = _before(last, 2)
        opening, bid_day = calendar.add_workdays(announced, minimum), last
    else:
        opening = last
        announced = _before(opening, minimum)
        bid_day = _before(opening, 1)
    owner = w.owners[plan.owner]
    documents = DOCUMENTS[plan.kind in (L, R)]
    size, economic = plan.committee
    with clock.frozen(_at(announced, 9)):
        project = services.announce(
            by=w.officer, owner=owner, kind=plan.kind, method=plan.method, title=plan.title,
            budget_fen=plan.budget * 100, supervisor=w.departments[SUPERVISORS[plan.kind]],
            description=plan.description or plan.title, documents=documents,
            clarification_until=_at(calendar.add_workdays(announced, max(1, minimum - 5)), 17),
            opening_at=_at(opening, 9, 30), price_weight=plan.price_weight, committee_size=size,
            economic_experts=economic, specialty=plan.specialty, agency="山东正信招标代理有限公司",
        )  # fmt: skip
    for i, (key, price, _tech) in enumerate(plan.bids):
        with clock.frozen(_at(bid_day, 10, 25 * i)):
            bids.submit(project, by=w.bidders[key].user, price_fen=price * 100, days=90 + 30 * i,
                        proposal=f"{w.bidders[key].name}对{plan.title}的技术商务响应：实施方案、进度计划、"
                                 "质量保证措施及售后服务承诺。")  # fmt: skip
    if plan.resubmit:
        key, price = plan.resubmit
        with clock.frozen(_at(bid_day, 15)):
            bids.submit(project, by=w.bidders[key].user, price_fen=price * 100, days=80,
                        proposal=f"{w.bidders[key].name}：修正报价后的技术商务响应。")  # fmt: skip
    if plan.state == S.CANCELLED:
        with clock.frozen(_at(last, 11)):
            return services.cancel(
                project, by=w.officer, reason="采购需求发生变更，经采购人申请终止本次采购。"
            )
    if plan.state == S.ANNOUNCED:
        return project
    with clock.frozen(_at(opening, 9, 31)):
        project = bids.open_bids(project, by=w.officer)
    if plan.state in (S.FAILED, S.OPENED):
        return project
    if project.is_auction:
        with clock.frozen(_at(opening, 10, 30)):
            evaluation.report(project, by=w.officer)
    else:
        _committee(project, plan, w, opening)
        if plan.state == S.EVALUATING:
            return project
        with clock.frozen(_at(opening, 16, 30)):
            evaluation.report(project, by=w.officer)
    if plan.objector:
        first = Bid.objects.get(project=project, rank=1)
        with clock.frozen(_at(opening, 17)):
            award.file_objection(project, by=w.bidders[plan.objector].user, target=first,
                                 reason="第一中标候选人拟派项目经理目前有在建工程，不符合招标文件要求。")  # fmt: skip
    if plan.state == S.PUBLICITY:
        return project
    with clock.frozen(_at(calendar.add_workdays(opening, services.PUBLICITY_DAYS + 1), 10)):
        project = award.award(project, by=owner.user)
    if plan.state == S.AWARDED:
        return project
    signed_on = calendar.add_workdays(opening, services.PUBLICITY_DAYS + 2)
    with clock.frozen(_at(calendar.add_workdays(opening, services.PUBLICITY_DAYS + 3), 10)):
        award.sign_contract(project, by=owner.user, amount_fen=project.award_fen, signed_on=signed_on)
    project.refresh_from_db()
    return project


def _committee(project: Project, plan: Plan, w: _World, opening: dt.date) -> None:
    """The draw after the opening, the members' answers (with a reserve called when one
    declines), the evaluation started and the scores: every member's, or — evaluating — three."""
    with clock.frozen(_at(opening, 10)):
        committee.draw(project, by=w.officer)
    declined, minute = not plan.decline, 5
    while True:
        waiting = [
            s for s in committee.members(project).order_by("category", "order") if s.status == "invited"
        ]
        if not waiting:
            break
        for seat in waiting:
            accept = declined or seat.category != "technical"
            declined = declined or not accept
            with clock.frozen(_at(opening, 10, minute)):
                committee.answer(project, by=seat.expert.user, accept=accept)
            minute += 3
    with clock.frozen(_at(opening, 13, 30)):
        committee.start_evaluation(project, by=w.officer)
    techs = {w.bidders[key].credit_code: tech for key, _price, tech in plan.bids}
    valid = evaluation.valid_bids(project)
    seated = list(committee.members(project).order_by("category", "order"))
    if plan.state == S.EVALUATING:  # three have scored; the `expert` login and one more have not
        seated = [s for s in seated if s.expert.user.username != EXPERT_LOGIN][:3]
    for i, seat in enumerate(seated):
        with clock.frozen(_at(opening, 14, 10 * i)):
            evaluation.submit_scores(project, by=seat.expert.user,
                                     points={b.pk: _points(techs[b.bidder.credit_code], i) for b in valid})  # fmt: skip


def seed() -> int:
    """The demo projects not yet made; how many were made (0 without trading.demo's people)."""
    if not User.objects.filter(username=OFFICER[0]).exists():
        return 0
    w = _World()
    existing = set(Project.objects.filter(title__in=[p.title for p in PLANS]).values_list("title", flat=True))
    made = 0
    for plan in PLANS:
        if plan.title in existing:
            continue
        try:
            with transaction.atomic():  # each whole or not at all
                _make(plan, w)
        except DomainError as exc:
            log.warning("交易演示项目“%s”未能生成：%s", plan.title, exc.message)
        else:
            made += 1
    return made
