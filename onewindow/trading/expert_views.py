"""An expert's page (/my/trading/expert/): the draws that named this expert — confirm or decline
while the invitation stands, then score on the project's page once the evaluation starts (the
bids' documents are shown to the committee only from then)."""

from django.shortcuts import render
from django.views.decorators.http import require_GET

from onewindow.accounts.permissions import requires
from onewindow.errors import Forbidden
from onewindow.trading import services
from onewindow.trading.models import Project, Seat


@requires()
@require_GET
def expert_home(request):
    expert = services.expert_of(request.user)
    if expert is None:
        raise Forbidden("trading.not_expert", "只有评标专家库中的专家账号可以查看抽取通知。")
    seats = (Seat.objects.filter(expert=expert).exclude(status=Seat.Status.WAITING)
             .select_related("project").order_by("-project__opened_at", "-pk"))  # fmt: skip
    return render(request, "trading/expert.html", {
        "expert": expert, "seats": seats, "S": Project.Status, "invited": Seat.Status.INVITED,
    })  # fmt: skip
