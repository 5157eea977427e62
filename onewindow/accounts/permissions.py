"""Every URL declares who may use it (STYLE.md, after manage.get.gov): a test walks all
URLs and fails on any view or API operation without one of these marks.

- `@public`: anyone, logged in or not.
- `@requires()`: any logged-in user; `@requires(Role.CLERK, …)`: staff of those roles
  (a superuser passes every role check). Finer scope (department A vs B) is checked by the
  view through accounts.queries, because it depends on the object asked for.
"""

import functools

from django.contrib.auth.views import redirect_to_login

from onewindow.accounts.queries import has_role
from onewindow.errors import DomainError, Forbidden

PERMISSION_ATTR = "ow_permission"


def public(view):
    setattr(view, PERMISSION_ATTR, "public")
    return view


def requires(*roles: str):
    def decorate(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            user = request.user
            if not user.is_authenticated:
                if request.path.startswith("/api/"):
                    raise DomainError("auth.required", "请先登录或提供有效的接口令牌。", status=401)
                return redirect_to_login(request.get_full_path())
            if roles and not has_role(user, *roles):
                raise Forbidden("auth.forbidden", "您的角色无权执行此操作。")
            if not roles and not user.is_active:
                raise Forbidden("auth.forbidden", "账号已停用。")
            return view(request, *args, **kwargs)

        setattr(wrapper, PERMISSION_ATTR, "roles:" + ",".join(roles) if roles else "login")
        return wrapper

    return decorate


def declared_permission(view) -> str | None:
    while view is not None:
        mark = getattr(view, PERMISSION_ATTR, None)
        if mark:
            return mark
        view = getattr(view, "__wrapped__", None)
    return None
