"""Guided search (智能导办): a citizen types what they want in plain Chinese and gets the items
and bundles that fit, best first.

Text is segmented with jieba, with the catalog's own names, common names and keywords added
to its dictionary so "餐饮许可证" stays one word; character bigrams catch words jieba does not
know. Documents are ranked with BM25 over an inverted index held in memory by each process
(a few thousand items fit easily; only documents sharing a term with the query are scored).
The index is rebuilt when the catalog's version row changes — on publish or withdrawal.
See docs/decisions/0004-guided-search.md.

Each hit carries its relevance, the share of the question it covers; below MIN_RELEVANCE it is
not shown, so a question the catalog has no item for gets an honest "not found" rather than the
items that share its most common word (decision 0026).
"""

import logging
import math
import re
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass

import jieba
import jieba.posseg as pseg
from django.conf import settings

jieba.setLogLevel(logging.WARNING)

# Words that say nothing about which item is meant ("我想…怎么办").
STOPWORDS = frozenset(
    "我 我们 想 想要 要 你 您 的 地 得 了 吗 呢 啊 吧 呀 么 怎么 怎么办 怎样 如何 什么 哪里 哪儿 哪个 哪些 在 去 到 来 "
    "办 办理 办个 需要 要求 可以 能 能否 是否 一个 一家 一下 个 家 请问 请 问 和 与 及 或 给 把 被 让 还 也 都 就 该 "
    "应该 多少 手续 流程 需 有 没有 为 是 这 那 自己 现在 刚 刚刚 已经 咨询 事 事情 相关 关于 找 谁 部门 窗口 "
    # How older citizens and the region speak at the desk: 俺/咱 for 我, 咋/啥 for 怎么/什么, the
    # family member the errand is for, which never decides the item, and 证/照 alone ("要办什么证"
    # asks for some licence; 出生证, 领证, 执照 stay words) (issue 23, 关怀版).
    "证 照 我想 我要 我家 俺 俺们 俺家 咱 咱们 咱家 咋 咋办 咋弄 咋整 啥 过来 过去 些 下 "
    "儿子 女儿 闺女 孙子 孙女 外孙 外孙女 老伴 老伴儿 爱人 媳妇 儿媳 女婿".split()
)
# Words jieba merges from "want to" + a verb ("我想开一家饭店" → 想开): split them again so the
# verb reaches the index.
_UNMERGE = ("想开", "想办", "要开", "想领", "想换", "想补", "想查", "要办")
# jieba's parts of speech that describe, count or point rather than name (ICTCLAS tag set):
# adjectives, adverbs, numerals, measure words, pronouns, prepositions, conjunctions, particles,
# modal words, interjections, onomatopoeia, state words.
FILLER_TAGS = frozenset("a ad ag d df dg m mg mq q r rg rr rz p c u ud ug uj ul uv uz y e o z zg".split())
UNKNOWN_NOUN_WEIGHT = 1.5
_CJK = re.compile(r"[\u4e00-\u9fff]+")
_WORD = re.compile(r"[\u4e00-\u9fff0-9a-zA-Z]")

# Field weights: a word in the name or a common name counts more than one in the keywords.
WEIGHTS = {"name": 3, "common_names": 3, "keywords": 2, "life_events": 1, "license_type": 1, "department": 1,
           "description": 1, "members": 1}  # fmt: skip
K1, B = 1.2, 0.75
QUERY_BIGRAM_WEIGHT = 0.3
# Below this relevance a hit is not shown: the guide says it found no matching item instead of
# showing an unrelated one (decision 0026; measured by bench/guide_threshold.py on the labelled
# questions of catalog/tests/guided_questions.py).
MIN_RELEVANCE = 0.4


def words(text: str) -> list[str]:
    return [
        t.lower()
        for t in jieba.cut_for_search(text or "")
        if t.strip() and _WORD.search(t) and t not in STOPWORDS
    ]


def bigrams(text: str) -> list[str]:
    grams = []
    for run in _CJK.findall(text or ""):
        grams += ["#" + run[i : i + 2] for i in range(len(run) - 1)]
    return grams


@dataclass(frozen=True)
class Hit:
    kind: str  # "item" or "bundle"
    code: str
    name: str
    department: str
    promised_limit_days: int
    score: float
    relevance: float = 1.0  # the share of the question's weight this document matches, 0–1


@dataclass(frozen=True)
class Doc:
    kind: str
    code: str
    name: str
    department: str
    promised_limit_days: int
    fields: dict  # field name → text


class Index:
    def __init__(self, docs: list[Doc], version: int = 0, *, dictionary: bool = True):
        """`dictionary`: add the documents' names and keywords to jieba's (process-wide)
        dictionary. Another index over other text (the hotline's knowledge base) passes False, so
        building it never changes how the catalog's questions are segmented."""
        self.version = version
        self.docs = docs
        self.postings: dict[str, dict[int, float]] = defaultdict(dict)
        self.lengths: list[float] = []
        for word in _UNMERGE:
            jieba.del_word(word)
        phrases = {
            p for d in docs for f in ("name", "common_names", "keywords") for p in d.fields.get(f, "").split()
        }
        for phrase in phrases if dictionary else ():
            if len(phrase) >= 2:
                jieba.add_word(phrase, freq=2000)
        for i, doc in enumerate(docs):
            tf: Counter = Counter()
            for field, text in doc.fields.items():
                weight = WEIGHTS.get(field, 1)
                for token in words(text):
                    tf[token] += weight
                for gram in bigrams(text):
                    tf[gram] += 1
            for token, count in tf.items():
                self.postings[token][i] = count
            self.lengths.append(sum(tf.values()))
        self.avg_length = (sum(self.lengths) / len(self.lengths)) if self.lengths else 1.0

    def _idf(self, token: str) -> float:
        n = len(self.postings.get(token, ()))
        return math.log(1 + (len(self.docs) - n + 0.5) / (n + 0.5))

    def _query_words(self, query: str) -> list[tuple[str, float]]:
        """The question's words with their weights, read the way a clerk at the desk hears them.

        A word the catalog never uses weighs most in a hit's relevance (see search), so what
        the citizen says around the errand must not count as such a word:
        - what jieba glued onto an unknown word is taken off again ("开个" is 开 + 个, "我想" is
          我 + 想): the stopword characters at either end;
        - an unknown describing or counting word (adjective, adverb, numeral, measure word,
          pronoun — jieba's part of speech) is left out: "小饭馆" asks for a 饭馆, "八十多了"
          says how old;
        - an unknown noun weighs UNKNOWN_NOUN_WEIGHT: the citizen named a thing the catalog never
          mentions ("狗丢了"), so an item that shares only the verb is not the answer.
        Words the catalog knows keep weight 1. Callers cap the question (100 characters for the
        guide), which bounds the pairwise checks below. Decision 0026, issue 23."""
        tokens = [t for t in map(self._trimmed, words(query)) if t not in STOPWORDS]
        known = [t for t in tokens if t in self.postings]
        # jieba's search mode gives an unknown word with its pieces ("申请专利", "专利"; "女朋友",
        # "朋友"): what the catalog does not know is the word less the known words inside it,
        # and it counts once, in its longest form ("申请专利" asks 申请, known, and 专利).
        unknown = set()
        for token in tokens:
            if token not in self.postings:
                for k in sorted(known, key=len, reverse=True):
                    token = token.replace(k, "")
                if token and token not in STOPWORDS:
                    unknown.add(token)
        unknown = {t for t in unknown if not any(t != other and t in other for other in unknown)}
        kept = [(t, 1.0) for t in known]
        if not unknown:
            return kept  # no part-of-speech tagging on the common path
        tags = {}
        for word, flag in pseg.lcut(query):
            tags.setdefault(word, flag)
        for token in sorted(unknown):
            tag = tags.get(token) or next((f for w, f in tags.items() if token in w), "")
            if tag not in FILLER_TAGS:
                kept.append((token, UNKNOWN_NOUN_WEIGHT if tag.startswith("n") else 1.0))
        return kept

    def _trimmed(self, token: str) -> str:
        """`token` without the stopword characters jieba glued to its ends, when the index lacks it."""
        while token not in self.postings and len(token) > 1:
            if token[0] in STOPWORDS:
                token = token[1:]
            elif token[-1] in STOPWORDS:
                token = token[:-1]
            else:
                break
        return token

    def search(
        self,
        query: str,
        limit: int = 10,
        kinds: tuple[str, ...] = ("item", "bundle"),
        min_relevance: float = 0.0,
    ) -> list[Hit]:
        """The documents that share a term with the query, best BM25 score first. A hit's
        relevance is the idf-weighted share of the query's terms it contains: a word the catalog
        never uses ("注销" in a catalog without 注销) weighs most, so a question that matches
        only its common words ("公司") scores low. Hits below `min_relevance` are left out."""
        terms: Counter = Counter()
        for token, weight in self._query_words(query):
            terms[token] += weight
            # Bigrams only inside meaningful words, so "我想问一下怎么办" matches nothing.
            for gram in bigrams(token):
                terms[gram] += QUERY_BIGRAM_WEIGHT
        scores: dict[int, float] = defaultdict(float)
        matched: dict[int, float] = defaultdict(float)
        total = 0.0
        for term, qweight in terms.items():
            idf = self._idf(term)
            total += qweight * idf
            postings = self.postings.get(term)
            if not postings:
                continue
            for i, tf in postings.items():
                norm = K1 * (1 - B + B * self.lengths[i] / self.avg_length)
                scores[i] += qweight * idf * tf * (K1 + 1) / (tf + norm)
                matched[i] += qweight * idf
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], self.docs[kv[0]].code))
        hits = []
        for i, score in ranked:
            doc = self.docs[i]
            relevance = matched[i] / total
            if doc.kind in kinds and relevance >= min_relevance:
                hits.append(
                    Hit(doc.kind, doc.code, doc.name, doc.department, doc.promised_limit_days, round(score, 3),
                        round(relevance, 3))
                )  # fmt: skip
                if len(hits) >= limit:
                    break
        return hits


def _documents() -> list[Doc]:
    from onewindow.catalog.models import Bundle, ItemVersion

    docs = []
    versions = (
        ItemVersion.objects.filter(state=ItemVersion.State.PUBLISHED)
        .select_related("item__department")
        .prefetch_related("life_events")
    )
    for v in versions:
        department = v.item.department
        docs.append(
            Doc("item", v.item.code, v.name, department.name, v.promised_limit_days, {
                "name": v.name, "common_names": v.common_names, "keywords": v.keywords,
                "life_events": " ".join(e.name for e in v.life_events.all()), "license_type": v.license_type,
                "department": department.short_name or department.name,
            })
        )  # fmt: skip
    bundles = Bundle.objects.filter(is_active=True).select_related("lead_department", "life_event")
    for b in bundles.prefetch_related("items__current"):
        current = [i.current for i in b.items.all() if i.current_id]
        members = " ".join(f"{v.name} {v.common_names} {v.keywords}" for v in current)
        docs.append(
            Doc("bundle", b.code, b.name, b.lead_department.name, b.promised_limit_days, {
                "name": b.name, "description": b.description, "members": members,
                "life_events": b.life_event.name if b.life_event_id else "",
            })
        )  # fmt: skip
    return docs


_lock = threading.Lock()
_index: Index | None = None
_next_check = 0.0


def current() -> Index:
    """This process's index, rebuilt when the catalog changed (checked every few seconds)."""
    global _index, _next_check
    index = _index
    if index is not None and time.monotonic() < _next_check:
        return index
    from onewindow.catalog.models import CatalogState

    with _lock:
        version = CatalogState.current()
        if _index is None or _index.version != version:
            _index = Index(_documents(), version)
        _next_check = time.monotonic() + settings.ONEWINDOW_CATALOG_CHECK_SECONDS
        return _index


def invalidate() -> None:
    global _index
    _index = None


def guide(query: str, limit: int = 10) -> list[Hit]:
    """The items and bundles that answer the question, best first; empty when none is relevant
    enough (the caller then gives the honest answer and logs the question: catalog/unmatched.py)."""
    return current().search(query, limit, min_relevance=MIN_RELEVANCE)
