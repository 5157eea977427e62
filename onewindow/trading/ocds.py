"""Open data: every trading project as OCDS 1.1 releases (Open Contracting Data Standard; issue 20).

A release is frozen when a step happens (`record`, in the step's transaction): the announcement
(tag tender), the opening or its failure (tenderUpdate), the candidates and the award (award),
the contract (contract), a cancellation (tenderCancellation). The change feed is the Release rows
in order; a package (`package`) wraps releases as the release package schema asks. `validate`
checks a package against the official 1.1.5 schemas kept in trading/data/ (Apache-2.0, from the
open-contracting/standard repository), offline.

Before the opening a release says nothing of the bids (not even how many): the tender, its
value and its periods only. Amounts are yuan (CNY) as numbers; every party is identified by its
unified social credit code (scheme CN-USCC)."""

import functools
import json
from pathlib import Path

from django.conf import settings

from onewindow import clock
from onewindow.links import public_url
from onewindow.trading import sealing
from onewindow.trading.models import Kind, Method, Project, Release

DATA = Path(__file__).resolve().parent / "data"
SCHEME = "CN-USCC"  # 统一社会信用代码 (org-id.guide's scheme for China's unified social credit codes)
PUBLISHER = {"name": "政务服务中心公共资源交易平台"}

_METHOD = {  # OCDS procurementMethod (closed codelist): open, selective, limited, direct
    Method.OPEN_TENDER: "open", Method.INVITED_TENDER: "selective", Method.NEGOTIATION: "limited",
    Method.CONSULTATION: "limited", Method.INQUIRY: "limited", Method.SINGLE_SOURCE: "direct",
    Method.LAND_TENDER: "open", Method.AUCTION: "open", Method.LISTING: "open",
}  # fmt: skip
_CATEGORY = {Kind.WORKS: "works", Kind.PROCUREMENT: "goods"}  # land and property have none in OCDS
_TENDER_STATUS = {
    Project.Status.ANNOUNCED: "active", Project.Status.OPENED: "active", Project.Status.EVALUATING: "active",
    Project.Status.PUBLICITY: "active", Project.Status.AWARDED: "complete", Project.Status.CONTRACTED: "complete",
    Project.Status.FAILED: "unsuccessful", Project.Status.CANCELLED: "cancelled",
}  # fmt: skip


def ocid(project: Project) -> str:
    return f"{settings.ONEWINDOW_OCDS_PREFIX}-{project.number}"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def _money(fen: int | None) -> dict | None:
    if fen is None:
        return None
    return {"amount": fen / 100 if fen % 100 else fen // 100, "currency": "CNY"}


def _org(name: str, code: str) -> dict:
    return {"id": f"{SCHEME}-{code}", "name": name}


def build(project: Project, tag: str) -> dict:
    """The project's release now, as a step tagged `tag` leaves it."""
    seq = project.release_count + 1
    owner = project.owner
    parties = [{**_org(owner.name, owner.credit_code), "identifier": {"scheme": SCHEME, "id": owner.credit_code,
                "legalName": owner.name}, "roles": ["buyer", "procuringEntity"]}]  # fmt: skip
    tender = {
        "id": project.number,
        "title": project.title,
        "description": project.description,
        "status": _TENDER_STATUS[project.status],
        "procuringEntity": _org(owner.name, owner.credit_code),
        "value": _money(project.budget_fen),
        "procurementMethod": _METHOD[project.method],
        "procurementMethodDetails": project.get_method_display(),
        "awardCriteria": "priceOnly" if project.is_auction or project.price_weight == 100 else "ratedCriteria",
        "awardCriteriaDetails": (f"综合评分法：价格分{project.price_weight}分（评标基准价为最低有效报价，价格分=基准价÷报价×"
                                 f"{project.price_weight}），技术商务分{100 - project.price_weight}分"
                                 if not project.is_auction else "价高者得"),
        "submissionMethod": ["electronicSubmission"],
        "enquiryPeriod": {"startDate": _iso(project.announced_at), "endDate": _iso(project.clarification_until)},
        "tenderPeriod": {"startDate": _iso(project.announced_at), "endDate": _iso(project.opening_at)},
    }  # fmt: skip
    if project.kind in _CATEGORY:
        tender["mainProcurementCategory"] = _CATEGORY[project.kind]
    release = {
        "ocid": ocid(project),
        "id": f"{project.number}-{seq:04d}",
        "date": _iso(clock.now()),
        "tag": [tag],
        "initiationType": "tender",
        "language": "zh",
        "buyer": _org(owner.name, owner.credit_code),
        "parties": parties,
        "tender": tender,
    }
    if project.opened_at is not None:  # after the opening, never before
        bids = list(project.bids.filter(withdrawn_at__isnull=True, superseded_at__isnull=True)
                    .select_related("bidder").order_by("submitted_at"))  # fmt: skip
        tender["numberOfTenderers"] = len(bids)
        tender["tenderers"] = [_org(b.bidder.name, b.bidder.credit_code) for b in bids]
        for bid in bids:
            parties.append({**_org(bid.bidder.name, bid.bidder.credit_code),
                            "identifier": {"scheme": SCHEME, "id": bid.bidder.credit_code, "legalName": bid.bidder.name},
                            "roles": ["tenderer"]})  # fmt: skip
    elif project.status == Project.Status.FAILED and sealing.is_open(
        project
    ):  # failed unopened: only how many
        tender["numberOfTenderers"] = project.bids.filter(
            withdrawn_at__isnull=True, superseded_at__isnull=True
        ).count()
    if project.reported_at is not None:
        tender["awardPeriod"] = {"startDate": _iso(project.reported_at)}
    awards = []
    if project.awarded_bid_id is not None:
        winner = project.awarded_bid
        awards.append({"id": f"{project.number}-award", "title": "中标（成交）结果", "status": "active",
                       "date": _iso(project.awarded_at), "value": _money(project.award_fen),
                       "suppliers": [_org(winner.bidder.name, winner.bidder.credit_code)]})  # fmt: skip
        for party in parties:
            if party["id"] == f"{SCHEME}-{winner.bidder.credit_code}":
                party["roles"] = ["tenderer", "supplier"]
        tender["awardPeriod"]["endDate"] = _iso(project.awarded_at)
    elif project.status == Project.Status.PUBLICITY:
        first = project.bids.filter(rank=1).select_related("bidder").first()
        if first is not None:
            awards.append({"id": f"{project.number}-award", "title": "第一中标候选人（公示中）", "status": "pending",
                           "value": _money(first.opened_price_fen),
                           "suppliers": [_org(first.bidder.name, first.bidder.credit_code)]})  # fmt: skip
    if awards:
        release["awards"] = awards
    contract = getattr(project, "contract", None) if project.status == Project.Status.CONTRACTED else None
    if contract is not None:
        release["contracts"] = [{"id": f"{project.number}-contract", "awardID": f"{project.number}-award",
                                 "title": project.title, "status": "active", "value": _money(contract.amount_fen),
                                 "dateSigned": _iso(contract.recorded_at)}]  # fmt: skip
    return release


def record(project: Project, tag: str) -> Release:
    """Freezes the project's release for the step tagged `tag` (in the step's transaction; the
    caller saves the project, whose release_count it advances)."""
    data = build(project, tag)
    project.release_count += 1
    return Release.objects.create(
        project=project, release_id=data["id"], date=clock.now(), tag=tag, data=data
    )


def package(releases, path: str) -> dict:
    """A release package (release-package-schema) of `releases` (Release rows), published at the
    site path `path` (its absolute address at the hall's public address)."""
    return {
        "uri": public_url(path),
        "version": "1.1",
        "publishedDate": _iso(clock.now()),
        "publisher": PUBLISHER,
        "license": "https://creativecommons.org/licenses/by/4.0/",
        "publicationPolicy": public_url("/trading/"),
        "releases": [r.data for r in releases],
    }


@functools.cache
def _validator():
    from jsonschema import Draft4Validator, FormatChecker
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    docs = {name: json.loads((DATA / name).read_text()) for name in ("release-schema.json",
                                                                      "release-package-schema.json")}  # fmt: skip
    registry = Registry().with_resources(
        (doc["id"], Resource.from_contents(doc, default_specification=DRAFT4)) for doc in docs.values()
    )
    return Draft4Validator(
        docs["release-package-schema.json"], registry=registry, format_checker=FormatChecker()
    )


def validate(pkg: dict) -> list[str]:
    """Every error of the package against the official OCDS 1.1.5 schemas ([] when valid)."""
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in _validator().iter_errors(pkg)]
