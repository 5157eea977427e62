"""网上缴费 pages (issue 15 item 3): the citizen's payment page of a notice of their own case
(去缴费 → the provider's checkout → back to 已缴费, polling until the callback lands), and the
demo's provider simulator under /dev/pay/ (404 unless ONEWINDOW_PAYMENT_PROVIDER=simulator).
Thin views: the rules are services.online_payment_refusal and the callback's."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from onewindow.accounts.permissions import public, requires
from onewindow.cases.models import Case
from onewindow.errors import DomainError
from onewindow.payments import providers, queries, services, simulator
from onewindow.payments.models import PAID_STATES, yuan

RESULTS = {  # what the provider said when it sent the browser back (the notice's state decides)
    "paid": "支付已完成，正在等待支付机构的到账通知……",
    "failed": "支付未成功，未扣款。缴款通知仍为未缴费，您可以重新缴费。",
    "cancelled": "您已取消支付。缴款通知仍为未缴费，您可以重新缴费。",
}


def _page(request, notice, *, error: str = "", status: int = 200, template: str = "payments/my_payment.html"):
    result = request.GET.get("result") if request.GET.get("result") in RESULTS else ""
    return render(request, template, {
        "notice": notice, "paid": notice.state in PAID_STATES, "refusal": services.online_payment_refusal(notice, request.user),
        "result": result, "result_message": RESULTS.get(result, ""), "error": error,
    }, status=status)  # fmt: skip


@requires()
@require_GET
def my_case_payment(request, number: str):
    """去缴费 from 我的办件: the notice the case owes (issued first if it is due); asked by htmx,
    the page's fee card with the notice's state."""
    services.issue_due_notices(Case.objects.filter(number=number, applicant__user=request.user))
    notice = queries.my_live_notice_of_case(request.user, number)
    if request.headers.get("HX-Request"):  # the fee card of 我的办件 (cases cannot ask payments itself)
        return render(
            request, "payments/_my_case_fee.html", {"notice": notice, "paid": notice.state in PAID_STATES}
        )
    return redirect("payments:my-payment", notice.number)


@requires()
@require_GET
def my_payment(request, number: str):
    return _page(request, queries.my_notice(request.user, number))


@requires()
@require_GET
def my_payment_state(request, number: str):
    """The state fragment the page polls (htmx, every 2 s) until the callback lands."""
    return _page(request, queries.my_notice(request.user, number), template="payments/_my_payment_state.html")


@requires()
@require_POST
def my_payment_start(request, number: str):
    notice = queries.my_notice(request.user, number)
    back = reverse("payments:my-payment", args=[number])
    try:
        return redirect(services.start_online_payment(notice, by=request.user, return_url=back))
    except DomainError as exc:
        return _page(request, notice, error=exc.message, status=exc.status)


def _order(token: str) -> providers.Order:
    order = providers.simulator_order(token) if providers.simulator_on() else None
    if order is None or not order.return_url.startswith("/") or order.return_url.startswith("//"):
        raise Http404
    return order


def _simulator(request, order, *, status: int = 200, **extra):
    return render(request, "payments/simulator.html", {"order": order, "amount": yuan(order.amount_fen), **extra},
                  status=status)  # fmt: skip


@public
@require_http_methods(["GET", "POST"])
def simulator_page(request, token: str):
    """模拟支付 · 仅供演示: 支付成功 makes the provider's signed callback; 支付失败 and 取消支付
    send the citizen back with the notice unpaid."""
    order = _order(token)
    if request.method == "GET":
        return _simulator(request, order)
    outcome = request.POST.get("outcome")
    if outcome in ("failed", "cancelled"):
        return redirect(f"{order.return_url}?result={outcome}")
    if outcome != "paid":
        return _simulator(request, order, error="请选择支付结果。", status=400)
    try:
        simulator.pay(order)
    except DomainError as exc:
        return _simulator(request, order, error=exc.message, code=exc.code, status=exc.status)
    return redirect(f"{order.return_url}?result=paid")
