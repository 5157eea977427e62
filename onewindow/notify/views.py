"""The messages page of hall management (/staff/messages/): counts by state, the dead messages
with their errors, and the hall admin's retry. Thin views over queries and services."""

from django.conf import settings
from django.contrib import messages as flash
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from onewindow.accounts.masking import mask_phone
from onewindow.accounts.models import Role
from onewindow.accounts.permissions import public, requires
from onewindow.accounts.queries import has_role
from onewindow.errors import DomainError
from onewindow.notify import queries, services
from onewindow.notify.models import Message


@requires(Role.SUPERVISOR, Role.HALL_ADMIN)
@require_GET
def messages_page(request):
    counts = queries.counts(request.user)
    states = [{"value": s, "label": Message.State(s).label, "count": counts[s]} for s in Message.State.values]
    dead = [{"m": m, "phone": mask_phone(m.phone)} for m in queries.dead(request.user)]
    may_retry = has_role(request.user, Role.HALL_ADMIN)
    return render(request, "notify/messages.html", {"states": states, "dead": dead, "may_retry": may_retry})


@requires(Role.HALL_ADMIN)
@require_POST
def retry(request):
    try:
        message = services.retry((request.POST.get("key") or "")[:120], by=request.user)
    except DomainError as exc:
        flash.error(request, exc.message)
    else:
        flash.success(request, f"发往 {mask_phone(message.phone)} 的短信已重新排队发送。")
    return redirect("notify:messages")


@public
@require_GET
def dev_outbox(request):
    """开发演示用的短信发件箱 (/dev/sms/): the latest messages as the SMS gateway would receive them,
    so a demo can read a sign-up code or an acceptance SMS without a phone. Only with DEBUG on;
    otherwise it does not exist (404)."""
    if not settings.DEBUG:
        raise Http404
    rows = [
        {"m": m, "phone": mask_phone(m.phone)} for m in Message.objects.order_by("-created_at", "-pk")[:50]
    ]
    return render(request, "notify/dev_outbox.html", {"rows": rows})
