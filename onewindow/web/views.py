"""Portal and staff landing pages; thin views over the accounts services and queries."""

from django.contrib.auth import login
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.views.decorators.http import require_http_methods

from onewindow.accounts import masking, queries, services
from onewindow.accounts.models import Applicant, Department, Hall, Role, Staff
from onewindow.accounts.permissions import public, requires
from onewindow.cases import pre_review
from onewindow.errors import DomainError, Forbidden
from onewindow.web.forms import RegisterForm

STAFF_ROLES = tuple(Role.values)


@public
def home(request):
    halls = Hall.objects.select_related("region").order_by("code")
    main_hall = halls.filter(kind=Hall.Kind.CITY).first() or halls.first()
    departments = main_hall.departments.order_by("code") if main_hall else Department.objects.none()
    return render(
        request, "web/home.html", {"main_hall": main_hall, "halls": halls, "departments": departments}
    )


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
    form = RegisterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = services.register_portal_user(
                username=data["username"], password=data["password"], kind=data["kind"], name=data["name"],
                id_number=data["id_number"], credit_code=data["credit_code"], phone=data["phone"],
                region_code=data["region"].code,
            )  # fmt: skip
        except DomainError as exc:
            form.add_error(
                "credit_code"
                if "credit_code" in exc.code
                else "id_number"
                if "id_number" in exc.code
                else None,
                exc.message,
            )
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            return redirect("web:my")
    return render(request, "web/register.html", {"form": form}, status=400 if form.errors else 200)


@requires()
def my(request):
    applicant = Applicant.objects.filter(user=request.user).select_related("region").first()
    return render(request, "web/my.html", {"applicant": applicant})


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
