"""「我的项目」 (issue 15 item 8): a citizen without projects no longer gets an empty 建设项目 page
from the navigation — the link shows to those who have projects or register them (a company), and
the page, reached anyway, says what it is for and where to go instead."""

import pytest

from onewindow.projects.tests.conftest import register

pytestmark = pytest.mark.django_db

LINK = 'data-testid="nav-my-projects"'


def test_a_natural_person_without_projects_has_no_link_and_a_page_that_explains(world, as_user):
    client = as_user(world.alice)
    assert LINK not in client.get("/my/").content.decode()
    html = client.get("/projects/").content.decode()
    assert 'data-testid="projects-empty"' in html and "您名下没有建设项目" in html
    assert 'href="/my/"' in html and 'data-testid="projects"' not in html


def test_a_company_sees_the_link_and_is_invited_to_register(world, cast, as_user):
    client = as_user(cast.owner)
    assert LINK in client.get("/my/").content.decode()
    html = client.get("/projects/").content.decode()
    assert "还没有登记建设项目" in html and 'data-testid="register-link"' in html


def test_a_company_with_a_project_sees_it_listed(world, cast, as_user):
    project = register(world, cast)
    html = as_user(cast.owner).get("/projects/").content.decode()
    assert project.code in html and 'data-testid="projects-empty"' not in html


def test_staff_keep_their_own_links(world, as_user):
    assert LINK not in as_user(world.clerk).get("/staff/").content.decode()
