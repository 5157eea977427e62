"""The audit chain of a trading project (网上留痕): every step is an event, hash-chained per
project with cases.audit's scheme (the project's number in the hash). Before the opening no event
names a price; the committee's names and the draw's seed join the chain when the evaluation
starts."""

from onewindow.accounts.models import User
from onewindow.cases.audit import append_to_chain, broken_at, verify_chains
from onewindow.trading.models import Project, ProjectEvent

# What each step is called on the pages.
ACTIONS = {
    "announce": "发布公告", "bid": "递交投标文件", "withdraw": "撤回投标文件", "open": "开标", "fail": "流标",
    "draw": "抽取评标专家", "confirm": "专家确认参加", "decline": "专家拒绝参加", "evaluate": "开始评标",
    "score": "专家提交评分", "report": "评标报告/候选人公示", "object": "提出异议", "answer": "答复异议",
    "award": "定标", "contract": "签订合同", "cancel": "终止",
}  # fmt: skip
# Steps whose existence is itself secret before the opening (招标投标法 art. 22: who bids, and how
# many, is not disclosed): shown only once the bids are opened.
SEALED_ACTIONS = frozenset({"bid", "withdraw"})


def append_event(project: Project, *, by: User | None, action: str, from_status: str, reason: str = "",
                 payload: dict | None = None) -> ProjectEvent:  # fmt: skip
    """The next event of the project's chain (saved); the caller holds the project's row and saves it."""
    return append_to_chain(project, project.number, ProjectEvent, "project", by=by, action=action,
                           from_status=from_status, reason=reason, payload=payload)  # fmt: skip


def chain_broken_at(project: Project) -> int | None:
    found = broken_at(project.events.order_by("seq"), project.number, project.event_count, project.last_hash)
    return found and found[0]


def verify_all(batch: int = 2000):
    """Yields (project number, first bad event seq, why) for every project whose chain is broken."""
    yield from verify_chains(Project.objects.values_list("pk", "number", "event_count", "last_hash"),
                             lambda pk: ProjectEvent.objects.filter(project_id=pk), batch)  # fmt: skip
