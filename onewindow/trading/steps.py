"""What a person may do on a project now (one rule for the pages and the API: each offers the
steps listed here, and each step checks the same conditions again when it runs)."""

from onewindow import clock
from onewindow.accounts.models import User
from onewindow.trading import award, services
from onewindow.trading.models import Objection, Project, Seat

S = Project.Status


def allowed_actions(project: Project, user: User) -> list[str]:
    if not user.is_authenticated:
        return []
    now, found = clock.now(), []
    officer = services.is_officer(user)
    if project.status == S.ANNOUNCED and now < project.opening_at:
        bidder = services.bidder_of(user)
        if bidder is not None:
            found.append("bid")
            if project.bids.filter(
                bidder=bidder, withdrawn_at__isnull=True, superseded_at__isnull=True
            ).exists():
                found.append("withdraw")
    if officer and project.status == S.ANNOUNCED and now >= project.opening_at:
        found.append("open")
    if officer and project.status == S.OPENED and not project.is_auction and project.drawn_at is None:
        found.append("draw")
    expert = services.expert_of(user)
    if expert is not None and project.status == S.OPENED:
        if Seat.objects.filter(project=project, expert=expert, status=Seat.Status.INVITED).exists():
            found += ["confirm", "decline"]
    if officer and project.status == S.OPENED and project.drawn_at is not None:
        found.append("evaluate")
    if expert is not None and project.status == S.EVALUATING:
        if Seat.objects.filter(project=project, expert=expert, role=Seat.Role.MEMBER, status=Seat.Status.CONFIRMED,
                               scored_at__isnull=True).exists():  # fmt: skip
            found.append("score")
    if officer and (project.status == S.EVALUATING or (project.is_auction and project.status == S.OPENED)):
        found.append("report")
    if project.status == S.PUBLICITY:
        bidder = services.bidder_of(user)
        if (
            bidder is not None
            and clock.today() <= project.publicity_until
            and project.bids.filter(
                bidder=bidder, withdrawn_at__isnull=True, superseded_at__isnull=True
            ).exists()
        ):
            found.append("object")
        owner = services.is_owner(user, project)
        if owner and project.objections.filter(status=Objection.Status.PENDING).exists():
            found.append("answer")
        if (owner or officer) and award.award_refusal(project) is None:
            found.append("award")
    if project.status == S.AWARDED and services.is_owner(user, project):
        found.append("contract")
    if officer and project.status in (S.ANNOUNCED, S.OPENED, S.EVALUATING, S.PUBLICITY):
        found.append("cancel")
    return found
