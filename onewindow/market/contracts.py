"""After the selection (issue 19 item 4): the contract with the selected agency, the delivery of
the result by its working-day due date (watched by supervision: the kind 中介服务交付), the
owner's acceptance — or the result returned for rework, the deadline unchanged — and the
two-way evaluation once accepted (the owner rates the agency, the agency the owner).

The purchase moves selected → contracted → delivered → completed (a return: delivered →
contracted). Each step is one transaction holding the purchase's row (then the contract's: one
lock order), and an event of the purchase's hash chain. `allowed_actions` is the one rule the
contract page and the API offer; each step checks the same rule."""

import datetime as dt

from django.db import IntegrityError, transaction

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.cases import clock_rules
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound
from onewindow.market import services
from onewindow.market.audit import append_event
from onewindow.market.models import Contract, Evaluation, Purchase
from onewindow.workdays import calendar

S = Purchase.Status
NOTE_MAX, REASON_MAX, COMMENT_MAX = 2000, 500, 500
# The statuses after the selection, in which the contract page exists.
AFTER_SELECTION = (S.SELECTED, S.CONTRACTED, S.DELIVERED, S.COMPLETED)

# Who does which step, and from which status (the one table; allowed_actions reads it).
OWNER, AGENCY = "owner", "agency"
STEPS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "sign": ((OWNER,), (S.SELECTED,)),  # 签约
    "deliver": ((AGENCY,), (S.CONTRACTED,)),  # 交付成果
    "return": ((OWNER,), (S.DELIVERED,)),  # 退回修改
    "accept": ((OWNER,), (S.DELIVERED,)),  # 验收
    "evaluate": ((OWNER, AGENCY), (S.COMPLETED,)),  # 双向评价 (either side, once each)
}
SIDE_LABELS = {OWNER: "业主", AGENCY: "选定的中介机构"}
ACTION_LABELS = {"sign": "签订合同", "deliver": "交付成果", "return": "退回修改", "accept": "验收通过",
                 "evaluate": "评价"}  # fmt: skip
DIRECTION_OF = {OWNER: Evaluation.Direction.OF_AGENCY, AGENCY: Evaluation.Direction.OF_OWNER}


# ---- who is who ------------------------------------------------------------------------------------


def side_of(purchase: Purchase, user: User) -> str:
    """OWNER (the purchase's legal person), AGENCY (the selected registration's agency) or ""."""
    owner = services.owner_of(user)
    if owner is not None and owner.pk == purchase.owner_id:
        return OWNER
    agency = services.agency_of(user)
    if agency is not None and purchase.selected_id is not None and purchase.selected.agency_id == agency.pk:
        return AGENCY
    return ""


def can_view(purchase: Purchase, user: User) -> bool:
    """The contract page's readers: the owner, the selected agency and hall management."""
    return purchase.status in AFTER_SELECTION and (
        bool(side_of(purchase, user)) or services.is_management(user)
    )


def purchase_for(user: User, number: str) -> Purchase:
    """The purchase whose contract page `user` may see; 404 otherwise (also for one not selected
    yet: the page does not exist for it)."""
    found = (
        Purchase.objects.select_related("owner", "service_type", "selected__agency")
        .filter(number=number)
        .first()
    )
    if found is None or not can_view(found, user):
        raise NotFound("market.contract_not_found", "未找到该中介服务合同。")
    return found


def contract_of(purchase: Purchase) -> Contract | None:
    return Contract.objects.filter(purchase=purchase).select_related("agency").first()


def allowed_actions(purchase: Purchase, user: User) -> list[str]:
    """The steps `user` may take on the purchase now (the page's buttons, the API's list)."""
    side = side_of(purchase, user)
    if not side:
        return []
    actions = [name for name, (who, statuses) in STEPS.items() if side in who and purchase.status in statuses]
    if "evaluate" in actions:
        done = Evaluation.objects.filter(contract__purchase=purchase, direction=DIRECTION_OF[side]).exists()
        if done:
            actions.remove("evaluate")
    return actions


def _refuse_unless(action: str, purchase: Purchase, by: User) -> str:
    """The side of `by` when the step is allowed now; a Forbidden or Conflict otherwise."""
    who, statuses = STEPS[action]
    side = side_of(purchase, by)
    if side not in who:
        label = "或".join(SIDE_LABELS[w] for w in who)
        raise Forbidden("market.contract_not_yours", f"只有本项目的{label}可以{ACTION_LABELS[action]}。")
    if purchase.status not in statuses:
        raise Conflict("market.contract_state",
                       f"项目当前状态为“{purchase.get_status_display()}”，不能{ACTION_LABELS[action]}。",
                       details={"status": purchase.status})  # fmt: skip
    return side


def _locked(purchase: Purchase) -> Purchase:
    return (
        Purchase.objects.select_for_update(of=("self",))
        .select_related("selected__agency")
        .get(pk=purchase.pk)
    )


def _locked_contract(purchase: Purchase) -> Contract:
    found = Contract.objects.select_for_update().filter(purchase=purchase).first()
    if found is None:
        raise Conflict("market.no_contract", "本项目尚未签订合同。")
    return found


def _moved(purchase: Purchase, to: str, *, by: User, action: str, reason: str = "", payload=None) -> None:
    """The purchase's status moves to `to`, as the next event of its chain."""
    from_status = purchase.status
    purchase.status = to
    append_event(purchase, by=by, action=action, from_status=from_status, reason=reason, payload=payload)
    purchase.save(update_fields=["status", "event_count", "last_hash"])


# ---- the deadline ------------------------------------------------------------------------------------


def due(signed_on: dt.date, days: int) -> tuple[int, dt.date]:
    """(due_seq, due_on): `days` working days after signing, the day of signing not counted
    (ARCHITECTURE.md "The case clock"; a contract signed on a rest day counts from the next
    working day)."""
    due_seq = calendar.seq(signed_on) + days
    return due_seq, calendar.date_of_seq(due_seq)


def days_left(contract: Contract, today: dt.date | None = None) -> int:
    """Working days left to the due date (negative: overdue)."""
    return contract.due_seq - calendar.seq(today or clock.today())


def light(contract: Contract, today: dt.date | None = None) -> str:
    """The delivery's light while undelivered (RULES.md "Supervision", as the watch computes it in
    SQL); "" once delivered."""
    if contract.delivered_at is not None:
        return ""
    return clock_rules.light(contract.due_seq, contract.days, calendar.seq(today or clock.today()))


# ---- the steps ---------------------------------------------------------------------------------------


@transaction.atomic
def sign(purchase: Purchase, *, by: User) -> Contract:
    """签约: the owner signs with the selected agency; fee and days are its offer's; the delivery is
    due `days` working days after today."""
    p = _locked(purchase)
    _refuse_unless("sign", p, by)
    registration = p.selected
    if registration is None:
        raise Conflict("market.not_selected", "本项目尚未选定中介机构。")
    now, today = clock.now(), clock.today()
    due_seq, due_on = due(today, registration.offer_days)
    contract = Contract.objects.create(
        purchase=p, agency=registration.agency, fee_fen=registration.offer_fen, days=registration.offer_days,
        signed_at=now, signed_on=today, due_seq=due_seq, due_on=due_on,
    )  # fmt: skip
    _moved(p, S.CONTRACTED, by=by, action="sign",
           payload={"agency": registration.agency.credit_code, "fee_fen": contract.fee_fen, "days": contract.days,
                    "signed_on": today.isoformat(), "due_on": due_on.isoformat()})  # fmt: skip
    return contract


@transaction.atomic
def deliver(contract: Contract, *, by: User, note: str = "") -> Contract:
    """交付成果: the agency delivers; on time when today's working-day ordinal is within the due
    date's (a delivery on a rest day counts as the working day before it)."""
    p = _locked(contract.purchase)
    _refuse_unless("deliver", p, by)
    note = services.text(note, "note", "交付说明", NOTE_MAX)
    c = _locked_contract(p)
    c.delivered_at = clock.now()
    c.delivered_on_time = calendar.seq(clock.today()) <= c.due_seq
    c.delivery_note = note
    c.save(update_fields=["delivered_at", "delivered_on_time", "delivery_note"])
    _moved(p, S.DELIVERED, by=by, action="deliver", reason=note,
           payload={"on_time": c.delivered_on_time, "due_on": c.due_on.isoformat()})  # fmt: skip
    return c


@transaction.atomic
def return_delivery(contract: Contract, *, by: User, reason: str) -> Contract:
    """退回修改: the owner returns the result for rework. The deadline does not move: a late
    re-delivery is a late delivery."""
    p = _locked(contract.purchase)
    _refuse_unless("return", p, by)
    reason = services.text(reason, "reason", "退回理由", REASON_MAX)
    c = _locked_contract(p)
    c.returned_count += 1
    c.delivered_at, c.delivered_on_time = None, None
    c.save(update_fields=["returned_count", "delivered_at", "delivered_on_time"])
    _moved(
        p, S.CONTRACTED, by=by, action="return", reason=reason, payload={"returned_count": c.returned_count}
    )
    return c


@transaction.atomic
def accept(contract: Contract, *, by: User) -> Contract:
    """验收通过: the owner accepts the result; the purchase is completed."""
    p = _locked(contract.purchase)
    _refuse_unless("accept", p, by)
    c = _locked_contract(p)
    c.accepted_at = clock.now()
    c.save(update_fields=["accepted_at"])
    _moved(p, S.COMPLETED, by=by, action="accept", payload={"on_time": c.delivered_on_time})
    return c


def _score(value, field: str, label: str) -> int:
    try:
        score = int(str(value).strip())
    except ValueError:
        score = 0
    if not 1 <= score <= 5:
        raise DomainError("market.score", f"{label}请打1至5分。", details={"field": field})
    return score


def evaluate(contract: Contract, *, by: User, quality, timeliness, conduct, comment: str = "") -> Evaluation:
    """双向评价 after acceptance: the owner rates the agency, the agency the owner; 1–5 on quality,
    timeliness and conduct; once per direction (a second, even a concurrent one, is refused)."""
    scores = {"quality": _score(quality, "quality", "服务质量"),
              "timeliness": _score(timeliness, "timeliness", "服务时效"),
              "conduct": _score(conduct, "conduct", "诚信规范")}  # fmt: skip
    comment = services.text(comment, "comment", "评价意见", COMMENT_MAX, required=False)
    try:
        with transaction.atomic():
            p = _locked(contract.purchase)
            side = _refuse_unless("evaluate", p, by)
            c = _locked_contract(p)
            direction = DIRECTION_OF[side]
            if Evaluation.objects.filter(contract=c, direction=direction).exists():
                raise Conflict("market.evaluated_once", "本合同已评价过，不能重复评价。")
            evaluation = Evaluation.objects.create(
                contract=c, direction=direction, **scores, comment=comment, by=by, at=clock.now()
            )
            append_event(p, by=by, action="evaluate", from_status=p.status, reason=comment,
                         payload={"direction": direction, **scores})  # fmt: skip
            p.save(update_fields=["event_count", "last_hash"])
            return evaluation
    except IntegrityError:  # the unique (contract, direction): a concurrent duplicate
        raise Conflict("market.evaluated_once", "本合同已评价过，不能重复评价。") from None
