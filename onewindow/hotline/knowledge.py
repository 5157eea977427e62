"""The operator's knowledge base (热线知识库) and reply templates (答复模板): issue 18 item 4.

`search` ranks the active KnowledgeEntry rows with the catalog's Chinese search (catalog.search:
jieba words + character bigrams, BM25, the relevance share and a cut-off as in decision 0026), so "暖气不热" finds the heating entry and a question the base does not cover gets
no hit rather than an unrelated one. The entries are few (hundreds): each process keeps an index
and rebuilds it when the base changed (count and latest update: one small query per search).
The index keeps jieba's dictionary untouched (`dictionary=False`), so it never changes how the
catalog's questions are segmented."""

import threading

from django.db.models import Count, Max, Q

from onewindow.catalog.search import Doc, Index
from onewindow.hotline.models import Category, KnowledgeEntry, ReplyTemplate

KIND = "knowledge"
# Below this relevance a hit is not shown. Lower than the citizen's guide (catalog.search's 0.4,
# decision 0026): the operator types the caller's own words ("我家暖气不热，室温才十五度"), most
# of which no entry uses, and reads the answer before giving it. Measured on the demo's entries
# (hotline/tests/test_knowledge.py): the caller's sentence scores 0.33, an unrelated entry
# sharing one common word ≤ 0.15.
MIN_RELEVANCE = 0.3
QUERY_MAX = 200

_lock = threading.Lock()
_cache: tuple[tuple, Index] | None = None


def _signature() -> tuple:
    row = KnowledgeEntry.objects.aggregate(n=Count("pk"), active=Count("pk", filter=Q(is_active=True)),
                                           latest=Max("updated_at"), top=Max("pk"))  # fmt: skip
    return (row["n"], row["active"], row["latest"], row["top"])


def _index() -> Index:
    global _cache
    signature = _signature()
    cached = _cache
    if cached is not None and cached[0] == signature:
        return cached[1]
    with _lock:
        entries = KnowledgeEntry.objects.filter(is_active=True).select_related("department", "category")
        docs = [
            Doc(KIND, str(e.pk), e.question, e.department.name if e.department_id else "", 0, {
                # The question weighs as an item's name, the keywords as its keywords, the answer least.
                "name": e.question, "keywords": e.keywords, "description": e.answer,
                "department": e.category.name if e.category_id else "",
            })
            for e in entries.order_by("pk")
        ]  # fmt: skip
        index = Index(docs, dictionary=False)
        _cache = (signature, index)
        return index


def search(text: str, limit: int = 5) -> list[KnowledgeEntry]:
    """The entries that answer `text`, best first, each with `.relevance` (0–1) set; empty when
    none is relevant enough."""
    text = (text or "").strip()[:QUERY_MAX]
    if not text:
        return []
    hits = _index().search(text, limit, kinds=(KIND,), min_relevance=MIN_RELEVANCE)
    entries = KnowledgeEntry.objects.select_related("category", "department").in_bulk(
        [int(h.code) for h in hits]
    )
    found = []
    for hit in hits:
        entry = entries.get(int(hit.code))
        if entry is not None and entry.is_active:  # changed since the index was built
            entry.relevance = hit.relevance
            found.append(entry)
    return found


def templates_for(category: Category | None) -> list[ReplyTemplate]:
    """The active reply templates for an order of `category`: its own first, then its parent
    domain's, then the general ones (no category)."""
    active = ReplyTemplate.objects.filter(is_active=True).select_related("category")
    if category is None:
        return list(active.filter(category=None).order_by("title"))
    own = [category.pk] + ([category.parent_id] if category.parent_id else [])
    rows = list(active.filter(Q(category_id__in=own) | Q(category=None)))
    rank = {category.pk: 0, category.parent_id: 1, None: 2}
    return sorted(rows, key=lambda t: (rank[t.category_id], t.title, t.pk))
