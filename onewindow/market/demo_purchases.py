"""Demo purchases on the board (中介超市), for the owner and agencies of market/demo.py (logins
"owner" and "agency", service type "CH" 工程测绘): one open for registration, one closed by a
random draw (the draw published), one failed (流标) and reposted, one best-value purchase whose
short list waits for the owner's choice; one completed (the demo agency's: delivered on time,
accepted, rated both ways) and one signed a month ago and not delivered (red in 电子监察). Idempotent (a purchase with its title is not made
twice); 0 when the owner or enough qualified agencies are missing.

The closed ones are posted ten days back (the clock moved for the demo only), so their draws and
events carry past times; the open ones are posted now."""

import datetime as dt
import logging

from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.errors import DomainError
from onewindow.market import contracts, selection, services
from onewindow.market.models import Agency, Method, OwnerType, Purchase, ServiceType

log = logging.getLogger("onewindow.market")

SERVICE_TYPE = "CH"
OWNER_LOGIN, AGENCY_LOGIN = "owner", "agency"
OPEN = "德州经济技术开发区标准厂房二期 1:500 地形测绘"
DRAWN = "宏达机械厂区扩建用地勘测定界"
FAILED = "厂区道路改造竣工测量"
CHOOSING = "新建仓储中心规划放线测量"
COMPLETED = "职工宿舍楼竣工规划核实测量"
OVERDUE = "污水处理站选址地形测绘"
SCOPE = "1:500 数字化地形图测绘，约 {ha} 公顷，含地下管线调查；成果提交纸质版3套及电子版。"


def _at(days: int, hour: int = 10) -> dt.datetime:
    """`days` from today (negative: back) at `hour` in the hall's time zone."""
    day = clock.today() + dt.timedelta(days=days)
    return dt.datetime.combine(day, dt.time(hour, 0), tzinfo=clock.hall_tz())


def _agencies(service_type: ServiceType, purchase_like: Purchase, day: dt.date) -> list[Agency]:
    """Admitted agencies eligible for the service type on `day`, the demo login's first."""
    found = [
        a
        for a in Agency.objects.filter(
            status=Agency.Status.ADMITTED, qualifications__service_type=service_type
        )
        .select_related("user")
        .distinct()
        .order_by("ref")
        if services.eligibility_refusal(a, purchase_like, day) is None
    ]
    return sorted(found, key=lambda a: a.user.username != AGENCY_LOGIN)


def _post(
    owner: User, service_type: ServiceType, title: str, method: str, at, deadline, budget_fen: int
) -> Purchase:
    with clock.frozen(at):
        return services.post(by=owner, owner_type=OwnerType.OTHER, title=title, service_type=service_type,
                             scope=SCOPE.format(ha=budget_fen // 150_000), budget_fen=budget_fen,
                             time_limit_days=min(15, service_type.time_cap_days), method=method,
                             registration_deadline=deadline)  # fmt: skip


def _register(purchase: Purchase, agencies: list[Agency], at, offers: list[int]) -> None:
    cap = min(services.fee_cap(purchase.service_type, purchase.owner_type), purchase.budget_fen)
    days = min(purchase.service_type.time_cap_days, purchase.time_limit_days)
    for i, (agency, share) in enumerate(zip(agencies, offers, strict=False)):
        with clock.frozen(at + dt.timedelta(minutes=17 * (i + 1))):
            services.register(purchase, by=agency.user, offer_fen=cap * share // 100,
                              offer_days=max(1, days - i), note="可三个工作日内进场作业。")  # fmt: skip


def seed() -> int:
    """The demo purchases not yet on the board; how many were made."""
    owner = User.objects.filter(username=OWNER_LOGIN).first()
    service_type = ServiceType.objects.filter(code=SERVICE_TYPE, is_active=True).first()
    if owner is None or service_type is None or services.owner_of(owner) is None:
        return 0
    budget = min(services.fee_cap(service_type, OwnerType.OTHER), 4_000_000)
    posted, deadline, closed = _at(-10), _at(-3, 17), _at(-3, 17) + services.CLOSE_GRACE
    probe = Purchase(service_type=service_type, government_invested=False)
    agencies = _agencies(service_type, probe, posted.date())
    if len(agencies) < 4 or any(
        not _agencies(service_type, probe, d) for d in (deadline.date(), clock.today())
    ):
        return 0
    existing = set(Purchase.objects.filter(owner=services.owner_of(owner)).values_list("title", flat=True))

    def drawn():
        p = _post(owner, service_type, DRAWN, Method.RANDOM, posted, deadline, budget)
        _register(p, agencies[:4], posted, [92, 85, 88, 95])
        with clock.frozen(closed):
            selection.close(p)

    def choosing():
        p = _post(owner, service_type, CHOOSING, Method.BEST_VALUE, posted, deadline, budget)
        _register(p, agencies[:6], posted, [90, 87, 93, 80, 96, 84])
        with clock.frozen(closed):
            selection.close(p)

    def failed():
        p = _post(owner, service_type, FAILED, Method.LOWEST_PRICE, posted, deadline, budget // 2)
        _register(p, agencies[1:2], posted, [90])
        with clock.frozen(closed):
            selection.close(p)
        selection.repost(p, by=owner, registration_deadline=_at(7, 17))

    def open_():
        p = _post(owner, service_type, OPEN, Method.RANDOM, clock.now(), _at(7, 17), budget)
        # The demo agency's own login is left to register on the page; two others already have.
        _register(p, agencies[1:3], clock.now(), [91, 86])

    def contracted(title, days_back, offers, *, deliver_after=None):
        """A lowest-price purchase `days_back` days ago, signed the day after its close; delivered
        `deliver_after` days after signing, accepted and rated both ways (None: not delivered)."""
        start, end = _at(-days_back), _at(-days_back + 5, 17)
        p = _post(owner, service_type, title, Method.LOWEST_PRICE, start, end, budget)
        _register(p, agencies[:3], start, offers)
        with clock.frozen(end + services.CLOSE_GRACE):
            p = selection.close(p)
        with clock.frozen(_at(-days_back + 6)):
            contract = contracts.sign(p, by=owner)
        if deliver_after is None:
            return
        agency_user = contract.agency.user
        with clock.frozen(_at(-days_back + 6 + deliver_after, 15)):
            contract = contracts.deliver(contract, by=agency_user, note="成果已提交纸质版3套及电子版。")
        with clock.frozen(_at(-days_back + 8 + deliver_after)):
            contract = contracts.accept(contract, by=owner)
            contracts.evaluate(
                contract, by=owner, quality=5, timeliness=5, conduct=4, comment="成果规范，按时交付。"
            )
            contracts.evaluate(
                contract, by=agency_user, quality=5, timeliness=4, conduct=5, comment="业主配合及时。"
            )

    made = 0
    for title, make in (
        (COMPLETED, lambda: contracted(COMPLETED, 70, [80, 90, 95], deliver_after=10)),  # the demo agency's
        (OVERDUE, lambda: contracted(OVERDUE, 45, [95, 82, 90])),  # signed a month ago, not delivered: red
        (DRAWN, drawn), (CHOOSING, choosing), (FAILED, failed), (OPEN, open_),
    ):  # fmt: skip
        if title in existing:
            continue
        try:
            with transaction.atomic():  # each whole or not at all
                make()
        except DomainError as exc:  # the other seeds' agencies changed: the others are still made
            log.warning("中介超市演示项目“%s”未能生成：%s", title, exc.message)
        else:
            made += 1
    return made
