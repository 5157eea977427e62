"""Use cases of the accounts module: registering applicants, setting up windows and staff,
issuing API tokens, reading personal data. Each runs in one transaction and raises
DomainError (code + Chinese message) without changing anything when a rule fails.
"""

import hashlib
import secrets
import time
from collections.abc import Callable

from django.conf import settings
from django.db import IntegrityError, transaction

from onewindow import clock
from onewindow.accounts import identity
from onewindow.accounts.models import (
    DEPARTMENT_ROLES,
    ApiToken,
    Applicant,
    Department,
    Hall,
    PersonalDataRead,
    Region,
    Role,
    Staff,
    User,
    Window,
)
from onewindow.accounts.queries import may_unmask
from onewindow.errors import Conflict, DomainError, Forbidden, NotFound


def region_by_code(code: str) -> Region:
    code = (code or "").strip()
    if len(code) != 12 or not code.isdigit():
        raise DomainError(
            "accounts.region_code_format", f"行政区划代码“{code}”应为12位数字（统计用区划代码）。"
        )
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise DomainError(
            "accounts.unknown_region", f"行政区划代码“{code}”不存在，请核对或联系管理员维护区划。"
        ) from None


def check_region(code: str, parent: Region | None) -> int:
    """A 12-digit statistical code one level below its parent; returns the level."""
    if len(code or "") != 12 or not code.isdigit():
        raise DomainError(
            "accounts.region_code_format", f"行政区划代码“{code}”应为12位数字（统计用区划代码）。"
        )
    level = parent.level + 1 if parent else Region.Level.PROVINCE
    if level > Region.Level.VILLAGE:
        raise DomainError("accounts.region_too_deep", "村（社区）以下不能再设区划。")
    return level


def create_region(code: str, name: str, parent_code: str | None) -> Region:
    """Adds a node to the region tree; its level is one below its parent's."""
    parent = region_by_code(parent_code) if parent_code else None
    level = check_region(code, parent)
    with transaction.atomic():
        region, created = Region.objects.get_or_create(
            code=code, defaults={"name": name, "level": level, "parent": parent}
        )
    if not created and (region.name != name or region.parent_id != (parent.code if parent else None)):
        raise Conflict("accounts.region_exists", f"行政区划代码“{code}”已登记为“{region.name}”。")
    return region


def validated_identifier(kind: str, id_number: str, credit_code: str) -> tuple[str, str]:
    if kind == Applicant.Kind.NATURAL:
        id_number = (id_number or "").strip().upper()
        error = identity.resident_id_error(id_number, today=clock.today())
        if error:
            raise error
        return id_number, ""
    if kind == Applicant.Kind.LEGAL:
        credit_code = (credit_code or "").strip().upper()
        error = identity.credit_code_error(credit_code)
        if error:
            raise error
        return "", credit_code
    raise DomainError("accounts.applicant_kind", "申请人类型应为自然人（natural）或法人（legal）。")


def register_applicant(
    *,
    kind: str,
    name: str,
    region_code: str,
    id_number: str = "",
    credit_code: str = "",
    phone: str = "",
    address: str = "",
    legal_representative: str = "",
    user: User | None = None,
) -> Applicant:
    """Registers an applicant (at a window or on the portal) after checking the ID number or
    credit code (GB 11643 / GB 32100) and the region. An existing applicant with the same
    number is a conflict, not a second record."""
    name = (name or "").strip()
    if not name:
        raise DomainError("accounts.applicant_name_required", "请填写申请人姓名或单位名称。")
    id_number, credit_code = validated_identifier(kind, id_number, credit_code)
    phone = (phone or "").strip()
    if phone and not (phone.isdigit() and 7 <= len(phone) <= 12):
        raise DomainError("accounts.phone_format", "联系电话应为7至12位数字。")
    region = region_by_code(region_code)
    try:
        with transaction.atomic():
            return Applicant.objects.create(
                kind=kind,
                name=name,
                id_number=id_number,
                credit_code=credit_code,
                phone=phone,
                address=address,
                legal_representative=legal_representative,
                region=region,
                user=user,
            )
    except IntegrityError:
        raise Conflict("accounts.applicant_exists", "该证件号码的申请人已登记，请直接查找使用。") from None


def check_departments_in_hall(hall: Hall, departments: list[Department]) -> None:
    stationed = set(hall.departments.values_list("pk", flat=True))
    outside = [d.name for d in departments if d.pk not in stationed]
    if outside:
        raise DomainError(
            "accounts.department_not_in_hall",
            f"{'、'.join(outside)}未进驻{hall.name}，不能在该中心设窗口或人员。",
            details={"departments": outside},
        )


def check_window(hall: Hall, kind: str, departments: list[Department]) -> None:
    """A departmental window serves stationed departments only; a comprehensive window
    serves every department of its hall (一窗受理) and lists none."""
    if kind not in Window.Kind.values:
        raise DomainError("accounts.window_kind", "窗口类型应为 comprehensive 或 departmental。")
    if kind == Window.Kind.DEPARTMENTAL and not departments:
        raise DomainError("accounts.window_needs_department", "部门窗口至少要服务一个进驻部门。")
    if kind == Window.Kind.COMPREHENSIVE and departments:
        raise DomainError(
            "accounts.comprehensive_window_departments", "综合受理窗口受理本中心全部部门事项，不需指定部门。"
        )
    check_departments_in_hall(hall, departments)


def create_window(*, hall: Hall, number: str, name: str, kind: str, departments: list[Department]) -> Window:
    number = (number or "").strip()
    if not number:
        raise DomainError("accounts.window_number_required", "请填写窗口号。")
    check_window(hall, kind, departments)
    try:
        with transaction.atomic():
            window = Window.objects.create(hall=hall, number=number, name=name, kind=kind)
            window.departments.set(departments)
    except IntegrityError:
        raise Conflict("accounts.window_exists", f"{hall.name}已有{number}号窗口。") from None
    return window


def check_staff(role: str, hall: Hall, department: Department | None, windows: list[Window]) -> None:
    """Department roles belong to a department stationed in their hall; windows are their hall's."""
    if role not in Role.values:
        raise DomainError("accounts.role", f"未知角色“{role}”。")
    if role in DEPARTMENT_ROLES and department is None:
        raise DomainError("accounts.staff_needs_department", "部门审查人员和部门负责人必须属于一个部门。")
    if department is not None:
        check_departments_in_hall(hall, [department])
    if any(w.hall_id != hall.pk for w in windows):
        raise DomainError("accounts.window_not_in_hall", "工作人员只能安排在本中心的窗口。")


def create_staff(
    *,
    username: str,
    password: str,
    name: str,
    role: str,
    hall: Hall,
    department: Department | None = None,
    windows: list[Window] = (),
    phone: str = "",
) -> Staff:
    check_staff(role, hall, department, list(windows))
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise Conflict("accounts.username_taken", f"登录名“{username}”已被使用。")
        user = User.objects.create_user(
            username=username, password=password, display_name=name, is_staff=False
        )
        staff = Staff.objects.create(
            user=user, name=name, role=role, hall=hall, department=department, phone=phone
        )
        assign_windows(staff, windows)
    return staff


def assign_windows(staff: Staff, windows) -> Staff:
    """The windows a person works at (the hall admin's assignment). The current window
    (`at_window`, where the intake they answer is recorded) stays if still assigned; a person
    with one window stands at it; otherwise none until they take one (`take_window`)."""
    windows = list(windows)
    check_staff(staff.role, staff.hall, staff.department, windows)
    staff.windows.set(windows)
    ids = [w.pk for w in windows]
    at = staff.at_window_id if staff.at_window_id in ids else (ids[0] if len(ids) == 1 else None)
    if at != staff.at_window_id:
        staff.at_window_id = at
        Staff.objects.filter(pk=staff.pk).update(at_window=at)
    return staff


def take_window(user: User, window: Window) -> bool:
    """The person now stands at `window` (calling a ticket there, or choosing it): intake they
    answer is recorded at it (cases: Case.window). Only one of their assigned, active windows;
    returns whether it changed. The staff row is updated in place too, so a cached login (the
    API token's, ONEWINDOW_TOKEN_CACHE_SECONDS) of this process sees it at once."""
    staff = getattr(user, "staff", None) if user.is_authenticated else None
    if staff is None:
        raise Forbidden("accounts.no_window", "只有窗口工作人员可以选择所在窗口。")
    if staff.at_window_id == window.pk:
        return False
    if not window.is_active or not staff.windows.filter(pk=window.pk).exists():
        raise Forbidden(
            "accounts.not_your_window",
            f"您未被安排在{window.number}号窗口（窗口安排由大厅管理员在后台设置）。",
        )
    Staff.objects.filter(pk=staff.pk).update(at_window=window)
    staff.at_window = window
    return True


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def issue_token(user: User, name: str) -> tuple[ApiToken, str]:
    """Returns the token row and its secret; the secret is never stored and shown once."""
    secret = "ow_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name or "API", prefix=secret[:10], key_hash=_hash(secret))
    return token, secret


# Verified tokens of this process: key hash → (user with staff and hall, monotonic expiry).
# A plain dict, not the cache framework: unpickling a user on every request costs more than
# the rest of a no-op request's authentication.
_token_users: dict[str, tuple[User, float]] = {}


def revoke_token(token: ApiToken) -> None:
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=clock.now())
    _token_users.pop(token.key_hash, None)


def user_for_token(secret: str, *, before_lookup: Callable[[], None] | None = None) -> User | None:
    """The user of a valid, unrevoked token, with their staff profile and hall. Kept briefly
    per process: a database lookup on every API request would cost two thirds of the no-op
    request rate (ARCHITECTURE.md). Revocation drops the entry at once in this process and
    within ONEWINDOW_TOKEN_CACHE_SECONDS in the others. `before_lookup` runs before the database
    is asked (the API's refusal of an address that sent too many wrong tokens), not for a
    token this process already knows."""
    key_hash = _hash(secret)
    entry = _token_users.get(key_hash)
    if entry is not None and entry[1] > time.monotonic():
        return entry[0]
    if before_lookup is not None:
        before_lookup()
    row = (
        ApiToken.objects.filter(key_hash=key_hash, revoked_at__isnull=True, user__is_active=True)
        .values_list("pk", "user_id")
        .first()
    )
    if row is None:
        _token_users.pop(key_hash, None)
        return None
    ApiToken.objects.filter(pk=row[0]).update(last_used_at=clock.now())
    user = (
        User.objects.select_related("staff__hall", "staff__department")
        .filter(pk=row[1], is_active=True)
        .first()
    )
    if user is not None:
        if len(_token_users) > 10_000:
            _token_users.clear()
        _token_users[key_hash] = (user, time.monotonic() + settings.ONEWINDOW_TOKEN_CACHE_SECONDS)
    return user


def read_unmasked(applicant: Applicant, *, by: User, purpose: str) -> dict:
    """The unmasked ID number and phone, for a role that needs them; the read is recorded."""
    if not may_unmask(by, applicant):
        raise NotFound("accounts.applicant_not_found", "未找到该申请人。")
    PersonalDataRead.objects.create(
        user=by, applicant=applicant, fields="id_number,credit_code,phone", purpose=purpose or "窗口受理核验"
    )
    return {"id_number": applicant.id_number, "credit_code": applicant.credit_code, "phone": applicant.phone}
