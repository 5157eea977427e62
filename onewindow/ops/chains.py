"""The hall's audit chains (网上留痕, ARCHITECTURE.md "Audit trail"), one list for `manage.py
verify_audit` and for backups, which record each chain's head and verify every chain after a
restore. Here in ops, above every module whose chain it reads."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from django.db.models import Model

from onewindow.cases import audit as cases
from onewindow.cases.models import Case
from onewindow.hotline import audit as hotline
from onewindow.hotline.models import WorkOrder
from onewindow.market import audit as market
from onewindow.market.models import Agency, Purchase
from onewindow.ratings import audit as ratings
from onewindow.ratings import complaints
from onewindow.ratings.models import Complaint, Rating
from onewindow.trading import audit as trading
from onewindow.trading.models import Project


@dataclass(frozen=True)
class Chain:
    name: str  # its key in a backup's manifest
    label: str  # what a broken subject's key is prefixed with in verify_audit's report
    verify: Callable[[], Iterator[tuple]]  # yields (key, first bad seq, why) per broken subject
    subjects: tuple[type[Model], ...]  # the rows carrying each chain's head (event_count, last_hash)


CHAINS = (
    Chain("cases", "", cases.verify, (Case,)),
    Chain("ratings", "评价", ratings.verify, (Rating,)),
    Chain("complaints", "投诉", complaints.verify_all, (Complaint,)),
    Chain("work_orders", "热线工单", hotline.verify_all, (WorkOrder,)),
    Chain("market", "中介超市", market.verify_all, (Agency, Purchase)),
    Chain("trading", "交易项目", trading.verify_all, (Project,)),
)


def broken() -> list[tuple[str, int, str]]:
    """(subject, first bad event seq, why) for every subject of every chain whose history no longer verifies."""
    return [(f"{chain.label}{key}", seq, why) for chain in CHAINS for key, seq, why in chain.verify()]
