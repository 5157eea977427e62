"""The audit chains of the market (网上留痕): every step of an agency and of a purchase is an
event, hash-chained per subject with cases.audit's scheme (the agency's ref, the purchase's
number in the hash). A draw's seed, candidates and result are in its event's payload."""

from onewindow.accounts.models import User
from onewindow.cases.audit import append_to_chain, broken_at, verify_chains
from onewindow.market.models import Agency, AgencyEvent, Purchase, PurchaseEvent

# What each step of a purchase's chain is called on its pages (one list for the purchase page and
# the contract page): selection.py, contracts.py and agencies.py (an expelled agency's withdrawal).
PURCHASE_ACTIONS = {
    "post": "发布需求", "register": "报名", "withdraw": "撤回报名", "withdraw_expelled": "清退撤回报名",
    "fail": "流标", "close": "报名截止", "draw": "随机抽取", "choose": "业主选定", "select": "选定机构",
    "cancel": "撤销", "repost": "重新发布", "sign": "签订合同", "deliver": "交付成果", "return": "退回修改",
    "accept": "验收通过", "evaluate": "评价",
}  # fmt: skip


def _key(subject: Agency | Purchase) -> str:
    return subject.ref if isinstance(subject, Agency) else subject.number


def append_event(subject: Agency | Purchase, *, by: User | None, action: str, from_status: str, reason: str = "",
                 payload: dict | None = None) -> AgencyEvent | PurchaseEvent:  # fmt: skip
    """The next event of the subject's chain (saved); the caller holds the subject's row and saves it."""
    model, field = (AgencyEvent, "agency") if isinstance(subject, Agency) else (PurchaseEvent, "purchase")
    return append_to_chain(subject, _key(subject), model, field, by=by, action=action, from_status=from_status,
                           reason=reason, payload=payload)  # fmt: skip


def chain_broken_at(subject: Agency | Purchase) -> int | None:
    """The seq of the first event whose hash does not verify (None: the chain is whole)."""
    events = subject.events.order_by("seq")
    found = broken_at(events, _key(subject), subject.event_count, subject.last_hash)
    return found and found[0]


def verify_all(batch: int = 2000):
    """Yields (agency ref or purchase number, first bad event seq, why) for every agency and
    purchase whose chain is broken (manage.py verify_audit)."""
    yield from verify_chains(Agency.objects.values_list("pk", "ref", "event_count", "last_hash"),
                             lambda pk: AgencyEvent.objects.filter(agency_id=pk), batch)  # fmt: skip
    yield from verify_chains(Purchase.objects.values_list("pk", "number", "event_count", "last_hash"),
                             lambda pk: PurchaseEvent.objects.filter(purchase_id=pk), batch)  # fmt: skip
