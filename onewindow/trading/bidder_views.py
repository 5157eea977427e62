"""A bidder's pages: the receipt shown when a bid is submitted (the SHA-256 and the exact document
that was sealed, to download and keep: the platform stores only the ciphertext, so this page is
the one time it shows the plaintext before the opening) and the list of its bids (/my/trading/bids/)."""

import base64

from django.core.paginator import Paginator
from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow.accounts.permissions import requires
from onewindow.errors import Forbidden
from onewindow.trading import services
from onewindow.trading.models import Bid, Project

PAGE_SIZE = 30


def receipt(request, project: Project, bid: Bid, data: bytes):
    """投标回执: rendered as the answer to the submission itself (never stored in plaintext)."""
    return render(request, "trading/receipt.html", {
        "p": project, "bid": bid, "document": data.decode(),
        "download": "data:application/json;charset=utf-8;base64," + base64.b64encode(data).decode(),
        "filename": f"{project.number}-{bid.bidder.credit_code}-v{bid.version}.json",
    })  # fmt: skip


@requires()
@require_GET
def my_bids(request):
    """我的投标: every bid this bidder submitted (each version), its receipt digest and how it ended."""
    bidder = services.bidder_of(request.user)
    if bidder is None:
        raise Forbidden("trading.not_bidder", "只有注册的投标人（企业）账号可以查看投标记录。")
    rows = Bid.objects.filter(bidder=bidder).select_related("project").order_by("-submitted_at", "-pk")
    page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "trading/my_bids.html", {"page": page, "bidder": bidder})
