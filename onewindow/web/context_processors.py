from onewindow import clock
from onewindow.accounts.models import Role, User
from onewindow.accounts.queries import has_role, staff_of


def hall(request):
    """What every page's frame needs: the viewer's staff profile and, for hall admins, the
    warning that a calendar year in use is still provisional (RULES.md: next year's holidays
    are announced each November and must be entered)."""
    from onewindow.web.navigation import portal_links

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"portal_links": portal_links()}
    staff = staff_of(user)
    context = {"staff": staff, "portal_links": portal_links()}
    if staff is not None or user.is_superuser:
        from onewindow.web.navigation import staff_links

        context["staff_links"] = staff_links(staff.role if staff else None, user.is_superuser)
    else:
        from onewindow.market.services import agency_of, owner_of
        from onewindow.projects.queries import offers_projects
        from onewindow.trading.services import bidder_of, expert_of

        # The portal roles in one query (the reverse one-to-ones, cached on this copy of the user)
        # instead of one query per role on every page.
        user = User.objects.select_related("applicant", "agency", "bidder", "expert").get(pk=user.pk)
        # 「我的项目」 only for a citizen who has projects or registers them (a company).
        context["my_projects"] = offers_projects(user)
        # 中介超市: everyone; 我的采购 for an owner (a legal person), 我的报名 for an agency;
        # 公共资源交易: 我的投标 for a bidder, 评标专家 for an expert of the pool.
        context["portal_links"] = portal_links(
            owner=owner_of(user) is not None,
            agency=agency_of(user) is not None,
            bidder=bidder_of(user) is not None,
            expert=expert_of(user) is not None,
        )
    if has_role(user, Role.HALL_ADMIN):
        from onewindow.workdays import calendar

        this_year = clock.today().year
        context["provisional_calendar_years"] = [
            y for y in calendar.current().provisional_years() if y <= this_year + 1
        ]
    return context


def care(request):
    """关怀版 (web/care.py): whether this page is in the mode, and its five links, read only when
    the page shows them."""
    from onewindow.web import care as mode
    from onewindow.web.navigation import care_links

    on = mode.is_on(request)
    return {"care": on, "care_links": care_links if on else ()}
