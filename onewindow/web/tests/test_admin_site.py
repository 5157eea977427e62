"""The admin's frame is the project's own (admin/base_site.html): it must shadow Django's, show
hall management the provisional-calendar warning, and greet a user by name as written."""

import datetime as dt

import pytest
from django.contrib.staticfiles import finders
from django.template import loader

from onewindow import clock

pytestmark = pytest.mark.django_db


def test_the_projects_base_site_shadows_djangos():
    origin = loader.get_template("admin/base_site.html").origin.name
    assert "onewindow/web/templates" in origin.replace("\\", "/")


def _admin_page(world, as_user, *, display_name=""):
    admin = world.hall_admin
    admin.is_staff = admin.is_superuser = True
    admin.display_name = display_name
    admin.save()
    # 2027 is still provisional in the tests' calendar: the warning's year.
    with clock.frozen(dt.date(2026, 12, 2)):
        page = as_user(admin).get("/admin/")
    assert page.status_code == 200
    return page.content.decode()


def test_the_admin_warns_of_a_provisional_calendar_year(world, as_user):
    html = _admin_page(world, as_user)
    assert 'data-testid="provisional-warning"' in html and "临时推算日历" in html and "2027" in html


def test_the_admin_greets_a_login_name_as_written_not_in_capitals(world, as_user):
    html = _admin_page(world, as_user)
    # Django's admin CSS sets #user-tools in capitals (「欢迎，HALL_ADMIN」); the frame undoes it.
    assert "<strong>hall_admin</strong>" in html
    # The rule lives in a static file (the CSP refuses a <style> element, decision 45).
    assert 'href="/static/web/admin.css"' in html
    css = finders.find("web/admin.css")
    assert "#user-tools, #logout-form button { text-transform: none; }" in open(css).read()


def test_the_admin_greets_by_display_name_when_there_is_one(world, as_user):
    html = _admin_page(world, as_user, display_name="艾达")
    assert "<strong>艾达</strong>" in html
