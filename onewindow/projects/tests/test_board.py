"""The public key-project board: each key project's current stage and working days used against
the promise — and no personal data of the owner."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.projects import services
from onewindow.projects.tests.conftest import (
    COMPANY_CREDIT_CODE,
    COMPANY_PHONE,
    COMPANY_REPRESENTATIVE,
    MONDAY,
    register,
)

pytestmark = pytest.mark.django_db


def test_the_board_shows_key_projects_without_personal_data(world, cast, project, as_user):
    with clock.frozen(MONDAY):
        ordinary = register(world, cast, name="普通仓储项目", key_project=False)
        services.accept_stage(project, 1, by=world.reviewer_a, form_data={"scale": "新建厂房"})
    with clock.frozen(dt.date(2026, 11, 5)):  # three working days into stage 1
        page = as_user(None).get("/projects/board/")
        api = as_user(None).get("/api/v1/projects/board")
    html = page.content.decode()
    assert page.status_code == 200 and project.code in html and project.name in html
    assert ordinary.code not in html
    assert "1. 立项用地规划许可" in html and "<strong>3</strong> / 20" in html
    for secret in (COMPANY_PHONE, "139****0001", COMPANY_CREDIT_CODE, COMPANY_REPRESENTATIVE, "德州鲁建科技",
                   cast.owner.username):  # fmt: skip
        assert secret not in html, secret
        assert secret not in api.content.decode(), secret
    assert api.json()[0] == {
        "code": project.code, "name": project.name, "region_name": "德城区", "stage_order": 1,
        "stage_name": "立项用地规划许可", "used_days": 3, "promised_days": 20,
    }  # fmt: skip


def test_a_completed_key_project_says_so(world, cast, project, as_user):
    project.stages.update(status="closed", accepted_seq=1, closed_seq=3)
    html = as_user(None).get("/projects/board/").content.decode()
    assert "全部阶段已办结" in html and "<strong>8</strong> / 20" in html
