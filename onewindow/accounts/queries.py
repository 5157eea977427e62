"""Who may see what (ARCHITECTURE.md: a staff member acts only inside their scope).

Hall-wide roles (clerk, supervisor, hall admin, hotline operator, agent) see their hall;
department roles (reviewer, department head) see their own department only. A superuser
(the city's system administrator) sees everything.
"""

from django.db.models import QuerySet

from onewindow.accounts.models import DEPARTMENT_ROLES, Applicant, Department, Hall, Role, Staff, User


def staff_of(user: User) -> Staff | None:
    if not user.is_authenticated:
        return None
    try:
        staff = user.staff
    except Staff.DoesNotExist:
        return None
    return staff if staff.is_active else None


def has_role(user: User, *roles: str) -> bool:
    if user.is_authenticated and user.is_superuser:
        return True
    staff = staff_of(user)
    return staff is not None and (not roles or staff.role in roles)


def visible_departments(user: User) -> QuerySet[Department]:
    """Departments whose internal data (staff, cases, inboxes) this user may see."""
    if user.is_authenticated and user.is_superuser:
        return Department.objects.all()
    staff = staff_of(user)
    if staff is None:
        return Department.objects.none()
    if staff.role in DEPARTMENT_ROLES:
        return Department.objects.filter(pk=staff.department_id)
    if staff.role in (Role.HALL_ADMIN, Role.SUPERVISOR):
        return Department.objects.filter(halls=staff.hall_id)
    return Department.objects.none()


def visible_halls(user: User) -> QuerySet[Hall]:
    if user.is_authenticated and user.is_superuser:
        return Hall.objects.all()
    staff = staff_of(user)
    if staff is None or staff.role in DEPARTMENT_ROLES:
        return Hall.objects.none()
    return Hall.objects.filter(pk=staff.hall_id)


def may_administer_hall(user: User, hall: Hall) -> bool:
    if user.is_authenticated and user.is_superuser:
        return True
    staff = staff_of(user)
    return staff is not None and staff.role == Role.HALL_ADMIN and staff.hall_id == hall.pk


def may_unmask(user: User, applicant: Applicant) -> bool:
    """Only intake staff (who must check the ID against the person in front of them) and the
    applicant themself read the full numbers."""
    if not user.is_authenticated:
        return False
    if applicant.user_id == user.pk or user.is_superuser:
        return True
    staff = staff_of(user)
    return staff is not None and staff.role == Role.CLERK


def may_see_applicant(user: User, applicant: Applicant) -> bool:
    if not user.is_authenticated:
        return False
    if applicant.user_id == user.pk or user.is_superuser:
        return True
    staff = staff_of(user)
    # Intake is hall-wide and town centres serve anyone: intake staff may look up any applicant.
    return staff is not None and staff.role in (Role.CLERK, Role.AGENT, Role.SUPERVISOR, Role.HALL_ADMIN)


# The PersonalDataRead.fields a person reads about themselves, in words.
READ_FIELDS = {"id_number": "身份证号码", "credit_code": "统一社会信用代码", "phone": "手机号码",
               "rater_phone": "评价时留的电话", "licenses": "电子证照"}  # fmt: skip


def reads_of(applicant: Applicant, limit: int = 200) -> list[dict]:
    """Who read this applicant's unmasked ID number or phone, when and why, newest first (issue 21:
    every unmasked read is listed for the person it is about). The reader is named with their
    department or hall: staff act in office (亮证亮牌), and the person may complain about a read."""
    from onewindow.accounts.models import PersonalDataRead

    reads = (
        PersonalDataRead.objects.filter(applicant=applicant)
        .select_related("user__staff__department", "user__staff__hall")
        .order_by("-at", "-pk")[:limit]
    )
    rows = []
    for read in reads:
        staff = getattr(read.user, "staff", None)
        office = (staff.department.name if staff.department_id else staff.hall.name) if staff else "系统"
        # A read records both identifiers; a person has no credit code, a company no ID number.
        absent = "credit_code" if applicant.kind == Applicant.Kind.NATURAL else "id_number"
        names = [f.strip() for f in read.fields.split(",") if f.strip() and f.strip() != absent]
        fields = "、".join(READ_FIELDS.get(f, f) for f in names)
        rows.append({"at": read.at, "reader": str(read.user), "office": office, "fields": fields,
                     "purpose": read.purpose})  # fmt: skip
    return rows
