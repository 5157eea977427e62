"""否决报备 (Shan county; RULES.md "Parallel approval"): a refusal (不予受理) or a denial (不予准予)
of a project's case is filed to hall management with its legal basis before its notice goes out.

The rule has one home: cases.services.refuse and .decide call `file` when the case carries a
project code (the case owns that fact; no callback from projects). The filing is written in the
transaction of the refusal or denial, before its event: the notice (read from that event) and the
SMS (queued with it) cannot exist without it. docs/decisions/0016-written-answers-and-checks.md."""

from django.db.models import QuerySet

from onewindow import clock
from onewindow.accounts.models import Role, User
from onewindow.accounts.queries import staff_of
from onewindow.cases.models import Case, VetoFiling
from onewindow.errors import DomainError

BASIS_MAX = 1000
# Who reads the filings: hall management (RULES.md "Supervision").
READERS = (Role.SUPERVISOR, Role.HALL_ADMIN)


KINDS = {"refuse": VetoFiling.Kind.REFUSAL, "decide": VetoFiling.Kind.DENIAL}


def file(case: Case, action: str, *, by: User, reason: str, legal_basis: str) -> dict:
    """Writes the filing of a project case's refusal (`refuse`) or denial (`decide`); returns
    what the transition's event records of it ({"legal_basis": …}, so the notice prints it as
    filed). Without a legal basis: refused, nothing written."""
    basis = (legal_basis or "").strip()
    if not basis:
        raise DomainError("case.veto_legal_basis_required",
                          "建设项目办件的不予受理或不予准予须写明法律依据，并向大厅管理部门报备。")  # fmt: skip
    if len(basis) > BASIS_MAX:
        raise DomainError("case.veto_legal_basis_too_long", f"法律依据不超过{BASIS_MAX}字。")
    VetoFiling.objects.create(case=case, hall_id=case.hall_id, department_id=case.department_id,
                              project_code=case.project_code, kind=KINDS[action], reason=(reason or "").strip(),
                              legal_basis=basis, filed_by=by, filed_at=clock.now())  # fmt: skip
    return {"legal_basis": basis}


def visible_to(user: User) -> QuerySet[VetoFiling]:
    """The filings hall management reads: its hall's (a superuser: all); nobody else's."""
    qs = VetoFiling.objects.select_related("case", "department", "filed_by")
    if user.is_superuser:
        return qs
    staff = staff_of(user)
    if staff is None or staff.role not in READERS:
        return qs.none()
    return qs.filter(hall_id=staff.hall_id)


def is_filed(case: Case) -> bool:
    return VetoFiling.objects.filter(case=case).exists()
