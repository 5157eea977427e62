"""Accounts API: regions, halls, departments, windows, applicants and the caller (`me`)."""

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status
from ninja.pagination import paginate

from onewindow.accounts import masking, queries, services
from onewindow.accounts.models import (
    Applicant,
    Department,
    Hall,
    PersonalDataRead,
    Region,
    Role,
    Staff,
    Window,
)
from onewindow.accounts.permissions import public, requires
from onewindow.errors import DomainError, Forbidden, NotFound
from onewindow.inputs import column
from onewindow.paging import Paged

TAG = ["accounts"]


class RegionOut(Schema):
    code: str
    name: str
    level: int
    level_display: str
    parent: str | None

    @staticmethod
    def resolve_level_display(obj):
        return obj.get_level_display()

    @staticmethod
    def resolve_parent(obj):
        return obj.parent_id


class DepartmentOut(Schema):
    code: str
    name: str
    short_name: str
    region: str = Field(..., alias="region_id")
    phone: str


class WindowOut(Schema):
    number: str
    name: str
    kind: str
    kind_display: str
    departments: list[str]

    @staticmethod
    def resolve_kind_display(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_departments(obj):
        return [d.code for d in obj.departments.all()]


class HallOut(Schema):
    code: str
    name: str
    kind: str
    kind_display: str
    region: str = Field(..., alias="region_id")
    address: str
    hours: str
    phone: str

    @staticmethod
    def resolve_kind_display(obj):
        return obj.get_kind_display()


class HallDetailOut(HallOut):
    departments: list[DepartmentOut]
    windows: list[WindowOut]

    @staticmethod
    def resolve_departments(obj):
        return list(obj.departments.all())

    @staticmethod
    def resolve_windows(obj):
        return list(obj.windows.filter(is_active=True).prefetch_related("departments"))


class StaffOut(Schema):
    name: str
    role: str
    role_display: str
    department: str | None
    phone: str

    @staticmethod
    def resolve_role_display(obj):
        return obj.get_role_display()

    @staticmethod
    def resolve_department(obj):
        return obj.department.code if obj.department_id else None

    @staticmethod
    def resolve_phone(obj):
        return masking.mask_phone(obj.phone)


class WindowIn(Schema):
    hall: column(Hall, "code") = Field(..., description="中心编码")
    number: column(Window, "number")
    name: column(Window, "name")
    kind: column(Window, "kind") = Field(
        ..., description="comprehensive 综合受理窗口 / departmental 部门窗口"
    )
    departments: list[column(Department, "code")] = Field(default_factory=list, description="部门编码")


class ApplicantIn(Schema):
    kind: column(Applicant, "kind") = Field(..., description="natural 自然人 / legal 法人")
    name: column(Applicant, "name")
    region: column(Region, "code") = Field(..., description="12位行政区划代码")
    id_number: column(Applicant, "id_number") = ""
    credit_code: column(Applicant, "credit_code") = ""
    phone: column(Applicant, "phone") = ""
    address: column(Applicant, "address") = ""
    legal_representative: column(Applicant, "legal_representative") = ""


class ApplicantOut(Schema):
    ref: str
    kind: str
    kind_display: str
    name: str
    id_number: str
    credit_code: str
    phone: str
    region: str = Field(..., alias="region_id")

    @staticmethod
    def resolve_kind_display(obj):
        return obj.get_kind_display()

    @staticmethod
    def resolve_id_number(obj):
        return masking.mask_id(obj.id_number)

    @staticmethod
    def resolve_phone(obj):
        return masking.mask_phone(obj.phone)


class UnmaskIn(Schema):
    purpose: column(PersonalDataRead, "purpose") = "窗口受理核验"


class UnmaskedOut(Schema):
    id_number: str
    credit_code: str
    phone: str


class MeOut(Schema):
    username: str
    name: str
    role: str | None
    role_display: str | None
    hall: str | None
    department: str | None
    applicant: str | None


regions = Router(tags=TAG)
halls = Router(tags=TAG)
departments = Router(tags=TAG)
windows = Router(tags=TAG)
applicants = Router(tags=TAG)
me = Router(tags=TAG)


@regions.get("", response=list[RegionOut], auth=None, operation_id="accounts_list_regions")
@paginate(Paged)
@public
def list_regions(request, parent: str | None = None):
    qs = Region.objects.all()
    return qs.filter(parent_id=parent) if parent else qs


@regions.get("/{code}", response=RegionOut, auth=None, operation_id="accounts_get_region")
@public
def get_region(request, code: str):
    return services.region_by_code(code)


@halls.get("", response=list[HallOut], auth=None, operation_id="accounts_list_halls")
@paginate(Paged)
@public
def list_halls(request, region: str | None = None):
    qs = Hall.objects.all()
    return qs.filter(region__code__startswith=region.rstrip("0")) if region else qs


@halls.get("/{code}", response=HallDetailOut, auth=None, operation_id="accounts_get_hall")
@public
def get_hall(request, code: str):
    return get_object_or_404(Hall, code=code)


@departments.get("", response=list[DepartmentOut], auth=None, operation_id="accounts_list_departments")
@paginate(Paged)
@public
def list_departments(request, hall: str | None = None):
    qs = Department.objects.all()
    return qs.filter(halls__code=hall) if hall else qs


@departments.get("/{code}", response=DepartmentOut, auth=None, operation_id="accounts_get_department")
@public
def get_department(request, code: str):
    return get_object_or_404(Department, code=code)


@departments.get("/{code}/staff", response=list[StaffOut], operation_id="accounts_list_department_staff")
@paginate(Paged)
@requires()
def list_department_staff(request, code: str):
    department = get_object_or_404(Department, code=code)
    if not queries.visible_departments(request.user).filter(pk=department.pk).exists():
        raise Forbidden("accounts.department_out_of_scope", f"您无权查看{department.name}的内部信息。")
    return Staff.objects.filter(department=department, is_active=True).select_related("department")


@windows.post("", response={201: WindowOut}, operation_id="accounts_create_window")
@requires(Role.HALL_ADMIN)
def create_window(request, payload: WindowIn):
    hall = Hall.objects.filter(code=payload.hall).first()
    if hall is None or not queries.may_administer_hall(request.user, hall):
        raise NotFound("accounts.hall_not_found", f"未找到您管理的政务服务中心“{payload.hall}”。")
    found = list(Department.objects.filter(code__in=payload.departments))
    unknown = sorted(set(payload.departments) - {d.code for d in found})
    if unknown:
        raise DomainError("accounts.unknown_department", f"部门编码不存在：{'、'.join(unknown)}。")
    window = services.create_window(
        hall=hall, number=payload.number, name=payload.name, kind=payload.kind, departments=found
    )
    return Status(201, window)


@applicants.post("", response={201: ApplicantOut}, operation_id="accounts_register_applicant")
@requires()
def register_applicant(request, payload: ApplicantIn):
    """A clerk registers a walk-in applicant; a portal user registers themself once."""
    is_clerk = queries.has_role(request.user, Role.CLERK)
    if not is_clerk and Applicant.objects.filter(user=request.user).exists():
        raise DomainError("accounts.already_registered", "您的账号已绑定申请人信息。", status=409)
    applicant = services.register_applicant(
        **payload.dict(exclude={"region"}),
        region_code=payload.region,
        user=None if is_clerk else request.user,
    )
    return Status(201, applicant)


def _applicant_for(request, ref: str) -> Applicant:
    applicant = Applicant.objects.filter(ref=ref).first()
    if applicant is None or not queries.may_see_applicant(request.user, applicant):
        raise NotFound("accounts.applicant_not_found", "未找到该申请人。")
    return applicant


@applicants.get("/{ref}", response=ApplicantOut, operation_id="accounts_get_applicant")
@requires()
def get_applicant(request, ref: str):
    return _applicant_for(request, ref)


@applicants.post("/{ref}/unmask", response=UnmaskedOut, operation_id="accounts_unmask_applicant")
@requires()
def unmask_applicant(request, ref: str, payload: UnmaskIn):
    """Full ID number and phone for intake checks; every call is recorded."""
    return services.read_unmasked(_applicant_for(request, ref), by=request.user, purpose=payload.purpose)


@me.get("", response=MeOut, operation_id="accounts_me")
@requires()
def get_me(request):
    user = request.user
    staff = queries.staff_of(user)
    applicant = Applicant.objects.filter(user=user).values_list("ref", flat=True).first()
    return {
        "username": user.username,
        "name": str(user),
        "role": staff.role if staff else None,
        "role_display": staff.get_role_display() if staff else None,
        "hall": staff.hall.code if staff else None,
        "department": staff.department.code if staff and staff.department_id else None,
        "applicant": applicant,
    }


routers = [
    ("/regions", regions),
    ("/halls", halls),
    ("/departments", departments),
    ("/windows", windows),
    ("/applicants", applicants),
    ("/me", me),
]
