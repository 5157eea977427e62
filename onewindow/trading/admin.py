"""Operator tools of public resource trading (公共资源交易) for hall management: the expert pool
(experts with their avoidances and penalties) and the bidders' credit library are kept here; the
projects and everything that happens to them — bids, seats, scores, objections, contracts, the
events of the chain and the OCDS releases — are read-only here (their steps live in the trading's
pages and API, each an event of the project's chain).

Sealed bids stay sealed here too: a bid is not listed at all before its project's opening time
(who bids, and how many, is secret until then, as services.visible_events), never shows its
nonce or ciphertext, and shows its opening record only once the bids were opened. A project
never shows its keys, its draw inputs or result; its seed only once the evaluation has started.
The committee (seats) and the scores appear only once they are published (evaluation start,
report)."""

from django.contrib import admin
from django.db.models import Q

from onewindow import clock, inputs
from onewindow.accounts.masking import mask_phone
from onewindow.readonly_admin import ReadOnlyAdmin
from onewindow.trading.audit import SEALED_ACTIONS
from onewindow.trading.models import (
    Avoidance,
    Bid,
    Bidder,
    Contract,
    CreditRecord,
    Expert,
    ExpertPenalty,
    Objection,
    Project,
    ProjectEvent,
    Release,
    Score,
    Seat,
)


def _yuan(fen):
    return "" if fen is None else inputs.yuan(fen)


class CreditRecordInline(admin.TabularInline):
    model = CreditRecord
    extra = 0
    can_delete = False
    fields = ["kind", "occurred_on", "detail", "debarred_until", "recorded_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Bidder)
class BidderAdmin(ReadOnlyAdmin):
    """投标人: registered on the trading pages; read here with the credit library."""

    list_display = ["ref", "name", "credit_code", "legal_representative", "region", "registered_at"]
    search_fields = ["ref", "name", "credit_code"]
    list_select_related = ["region"]
    fields = ["ref", "name", "credit_code", "legal_representative", "masked_phone", "address", "region",
              "user", "registered_at"]  # fmt: skip
    readonly_fields = fields
    inlines = [CreditRecordInline]

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(CreditRecord)
class CreditRecordAdmin(admin.ModelAdmin):
    """信用库: performance and penalties (a penalty with 禁止投标至 refuses the bidder's bids until
    then). Added and corrected here; never deleted (the record is the history)."""

    list_display = ["bidder", "kind", "occurred_on", "debarred_until", "recorded_at"]
    list_filter = ["kind"]
    search_fields = ["bidder__name", "bidder__credit_code", "detail"]
    list_select_related = ["bidder"]
    autocomplete_fields = ["bidder"]
    fields = ["bidder", "kind", "occurred_on", "detail", "debarred_until", "recorded_at"]
    readonly_fields = ["recorded_at"]

    def save_model(self, request, obj, form, change):
        if obj.recorded_at is None:
            obj.recorded_at = clock.now()
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None):
        return False


class AvoidanceInline(admin.TabularInline):
    model = Avoidance
    extra = 0
    fields = ["credit_code", "name", "relation", "declared_on"]


class ExpertPenaltyInline(admin.TabularInline):
    model = ExpertPenalty
    extra = 0
    can_delete = False  # a penalty is a recusal for good
    fields = ["occurred_on", "detail"]


@admin.register(Expert)
class ExpertAdmin(admin.ModelAdmin):
    """评标专家库: the pool, its avoidances (回避申报) and penalties; an expert leaves the pool by
    在库 off (seats refer to it: never deleted)."""

    list_display = ["number", "name", "category", "specialty", "title", "employer", "region", "is_active"]
    list_filter = ["category", "is_active", "specialty"]
    search_fields = ["number", "name", "employer", "employer_credit_code"]
    list_select_related = ["region"]
    fields = ["number", "name", "user", "phone", "category", "specialty", "title", "employer",
              "employer_credit_code", "department", "region", "is_active"]  # fmt: skip
    raw_id_fields = ["user"]
    inlines = [AvoidanceInline, ExpertPenaltyInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Project)
class ProjectAdmin(ReadOnlyAdmin):
    """交易项目, read-only: announced, opened, drawn … on the trading pages (each step an event)."""

    list_display = [
        "number",
        "title",
        "kind",
        "method",
        "budget_yuan",
        "status",
        "announced_at",
        "opening_at",
    ]
    list_filter = ["kind", "method", "status"]
    search_fields = ["number", "title", "owner__name"]
    list_select_related = ["owner"]
    date_hierarchy = "announced_at"
    # Never the keys (public_key, sealed_key), the seed before its time, the draw's inputs or result.
    fields = ["number", "title", "kind", "method", "budget_yuan", "owner", "owner_user", "agency", "supervisor",
              "description", "documents", "announced_at", "clarification_until", "opening_at", "price_weight",
              "committee_size", "economic_experts", "specialty", "reserves", "status", "seed_commitment",
              "published_seed", "opened_at", "drawn_at", "evaluation_started_at", "reported_at", "publicity_from",
              "publicity_until", "awarded_bid", "awarded_at", "award_yuan", "closed_reason", "created_by",
              "event_count", "last_hash"]  # fmt: skip
    readonly_fields = fields

    @admin.display(description="预算/底价（元）", ordering="budget_fen")
    def budget_yuan(self, obj):
        return _yuan(obj.budget_fen)

    @admin.display(description="中标/成交金额（元）")
    def award_yuan(self, obj):
        return _yuan(obj.award_fen)

    @admin.display(description="抽取种子（评标开始时公布）")
    def published_seed(self, obj):
        return obj.seed if obj.evaluation_started_at is not None else "（评标开始前保密）"


@admin.register(Bid)
class BidAdmin(ReadOnlyAdmin):
    """投标: listed from the opening time on; the opening record once the bids were opened; never
    the sealed bytes (nonce, ciphertext)."""

    list_display = ["project", "bidder", "version", "submitted_at", "withdrawn_at", "superseded_at",
                    "opened_price_yuan", "rank"]  # fmt: skip
    list_filter = ["project__kind"]
    search_fields = ["project__number", "bidder__name", "bidder__credit_code"]
    list_select_related = ["project", "bidder"]
    SEALED = ["project", "bidder", "version", "digest", "submitted_at", "withdrawn_at", "superseded_at"]
    OPENING = ["opened_price_yuan", "opened_days", "opened_proposal", "disqualified", "price_score",
               "technical_score", "total_score", "rank"]  # fmt: skip

    def get_queryset(self, request):
        return super().get_queryset(request).filter(project__opening_at__lte=clock.now())

    def get_fields(self, request, obj=None):
        if obj is not None and obj.project.opened_at is not None:
            return self.SEALED + self.OPENING
        return self.SEALED

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)

    @admin.display(description="投标报价（元）", ordering="opened_price_fen")
    def opened_price_yuan(self, obj):
        return _yuan(obj.opened_price_fen) if obj.project.opened_at is not None else ""


@admin.register(Seat)
class SeatAdmin(ReadOnlyAdmin):
    """评标委员会: listed once the evaluation started (the list is secret until then)."""

    list_display = ["project", "expert", "category", "role", "order", "status", "answered_at", "scored_at"]
    list_filter = ["category", "role", "status"]
    search_fields = ["project__number", "expert__number", "expert__name"]
    list_select_related = ["project", "expert"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(project__evaluation_started_at__isnull=False)


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    """专家评分: listed once the report published them."""

    list_display = ["seat", "bid", "points", "comment"]
    search_fields = ["bid__project__number", "seat__expert__name"]
    list_select_related = ["seat__expert", "seat__project", "bid__bidder", "bid__project"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(bid__project__reported_at__isnull=False)


@admin.register(Objection)
class ObjectionAdmin(ReadOnlyAdmin):
    list_display = ["project", "bidder", "target", "filed_at", "answer_due_on", "status", "answered_at"]
    list_filter = ["status"]
    search_fields = ["project__number", "bidder__name", "reason"]
    list_select_related = ["project", "bidder", "target__bidder", "target__project"]


@admin.register(Contract)
class ContractAdmin(ReadOnlyAdmin):
    list_display = ["project", "amount_yuan", "signed_on", "recorded_at", "recorded_by"]
    search_fields = ["project__number", "project__title"]
    list_select_related = ["project", "recorded_by"]

    @admin.display(description="合同金额（元）", ordering="amount_fen")
    def amount_yuan(self, obj):
        return _yuan(obj.amount_fen)


@admin.register(ProjectEvent)
class ProjectEventAdmin(ReadOnlyAdmin):
    """The chain of each project; its bids' events only from the opening time on, the members'
    scores only from the report on (as the bids and the scores themselves)."""

    list_display = ["project", "seq", "at", "action", "from_status", "to_status", "actor"]
    list_filter = ["action"]
    search_fields = ["project__number"]
    list_select_related = ["project", "actor"]

    def get_queryset(self, request):
        sealed = Q(action__in=SEALED_ACTIONS, project__opening_at__gt=clock.now())
        unpublished = Q(action="score", project__reported_at__isnull=True)
        return super().get_queryset(request).exclude(sealed | unpublished)


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = ["release_id", "project", "tag", "date"]
    list_filter = ["tag"]
    search_fields = ["release_id", "project__number"]
    list_select_related = ["project"]
    ordering = ["-pk"]
