"""Portal and staff landing pages; thin views over the accounts services and queries."""

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_http_methods

from onewindow import ratelimit
from onewindow.accounts import masking, queries, services
from onewindow.accounts.models import Applicant, Department, Hall, Role, Staff
from onewindow.accounts.permissions import public, requires
from onewindow.cases import pre_review
from onewindow.errors import DomainError, Forbidden
from onewindow.web import care, signup
from onewindow.web.forms import RegisterForm

STAFF_ROLES = tuple(Role.values)
SIGNUP_SESSION = "signup"  # the session's pending sign-up (SignupCode.ref)


@public
def home(request):
    halls = Hall.objects.select_related("region").order_by("code")
    main_hall = halls.filter(kind=Hall.Kind.CITY).first() or halls.first()
    departments = main_hall.departments.order_by("code") if main_hall else Department.objects.none()
    return render(
        request, "web/home.html", {"main_hall": main_hall, "halls": halls, "departments": departments}
    )


@public
@require_http_methods(["POST"])
def care_switch(request):
    """关怀版 on or off (`on` = "1" or "0"), remembered; back to the page the switch was on."""
    return care.switched(request, on=request.POST.get("on") == "1")


@public
def favicon(request):
    return redirect(static("web/favicon.svg"), permanent=True)


@requires()
def after_login(request):
    if queries.staff_of(request.user) or request.user.is_superuser:
        return redirect("web:staff-home")
    return redirect("web:my")


@public
@require_http_methods(["GET", "POST"])
def register(request):
    """注册, step 1 of 2: the form; then the SMS code (web/signup.py). The answer never tells
    whether the ID number is on file (decision 24)."""
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            checked = signup.check(
                username=data["username"], password=data["password"], kind=data["kind"], name=data["name"],
                id_number=data["id_number"], credit_code=data["credit_code"], phone=data["phone"],
                region_code=data["region"].code,
            )  # fmt: skip
            row = signup.start(checked, ip=ratelimit.client_address(request))
        except DomainError as exc:
            form.add_error(_field_of(exc.code), exc.message)
        else:
            request.session[SIGNUP_SESSION] = row.ref
            return redirect("web:register-verify")
    return render(request, "web/register.html", {"form": form}, status=400 if form.errors else 200)


def _field_of(code: str) -> str | None:
    for field in ("credit_code", "id_number", "phone", "username"):
        if field in code:
            return field
    return None


@public
@require_http_methods(["GET", "POST"])
def register_verify(request):
    """注册, step 2 of 2: the SMS code. The same page whatever the ID number typed."""
    row = signup.pending(request.session.get(SIGNUP_SESSION))
    if row is None:
        return redirect("web:register")
    error, status = None, 200
    if request.method == "POST":
        try:
            if request.POST.get("resend"):
                row = signup.resend(row.ref, ip=ratelimit.client_address(request))
                request.session[SIGNUP_SESSION] = row.ref
                flash.success(request, "验证码已重新发送。")
                return redirect("web:register-verify")
            user = signup.verify(row.ref, request.POST.get("code", "")[:20])
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            request.session.pop(SIGNUP_SESSION, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            flash.success(request, "注册成功。")
            return redirect("web:my")
    context = {
        "phone": masking.mask_phone(row.phone),
        "error": error,
        "minutes": settings.ONEWINDOW_SIGNUP_CODE_MINUTES,
    }
    return render(request, "web/register_verify.html", context, status=status)


@requires()
def my(request):
    applicant = Applicant.objects.filter(user=request.user).select_related("region").first()
    return render(request, "web/my.html", {"applicant": applicant})


@requires()
def my_data_reads(request):
    """个人信息查看记录: who read my unmasked ID number or phone (issue 21 item 3)."""
    applicant = Applicant.objects.filter(user=request.user).first()
    reads = queries.reads_of(applicant) if applicant else []
    return render(request, "web/my_data_reads.html", {"applicant": applicant, "reads": reads})


@requires(*STAFF_ROLES)
def staff_home(request):
    staff = queries.staff_of(request.user)
    departments = queries.visible_departments(request.user).order_by("code")
    # 网上预审: how many online submissions wait for their written answer (issue 15 item 1).
    waiting = None
    if request.user.is_superuser or (staff and staff.role in pre_review.ROLES):
        waiting = pre_review.counts(request.user)
    return render(request, "web/staff_home.html", {"staff": staff, "departments": departments, "waiting": waiting,
                                                   "waiting_total": sum(waiting.values()) if waiting else 0})  # fmt: skip


@requires(*STAFF_ROLES)
@require_http_methods(["POST"])
def take_window(request):
    """当前窗口: the staff member says which of their windows they stand at (accounts.services.take_window)."""
    staff, chosen = queries.staff_of(request.user), request.POST.get("window", "")
    window = staff.windows.filter(pk=int(chosen)).first() if staff and chosen.isdigit() else None
    if window is None:
        flash.error(request, "请选择本人所在的窗口。")
    else:
        try:
            services.take_window(request.user, window)
        except DomainError as error:
            flash.error(request, error.message)
        else:
            flash.success(request, f"当前窗口：{window.number}号窗口。")
    return redirect("web:staff-home")


@requires(*STAFF_ROLES)
def department_staff(request, code: str):
    department = get_object_or_404(Department, code=code)
    if not queries.visible_departments(request.user).filter(pk=department.pk).exists():
        raise Forbidden("accounts.department_out_of_scope", f"您无权查看{department.name}的内部信息。")
    members = Staff.objects.filter(department=department, is_active=True).prefetch_related("windows")
    rows = [
        {
            "name": s.name,
            "role": s.get_role_display(),
            "phone": masking.mask_phone(s.phone),
            "windows": ", ".join(w.number for w in s.windows.all()),
        }
        for s in members
    ]
    windows = department.windows.filter(is_active=True).select_related("hall")
    return render(
        request, "web/department_staff.html", {"department": department, "rows": rows, "windows": windows}
    )
