"""差评整改 pages and API: who sees which list, the forms offered are exactly the allowed actions,
a refused POST shows the message and changes nothing, the phone is whole only for the callback,
hall management's appeals list, the API mirroring the pages, and verify_audit over the chains."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from onewindow import clock
from onewindow.accounts.models import PersonalDataRead
from onewindow.conftest import client_for
from onewindow.ratings import rectification
from onewindow.ratings.models import RatingEvent, Rectification
from onewindow.ratings.tests.rectification_story import PHONE, bad_rating, rectification_of
from onewindow.web.navigation import staff_links

pytestmark = pytest.mark.django_db
D = dt.date


def page(user, rating, path=""):
    with clock.frozen(D(2026, 11, 3)):
        return client_for(user).get(f"/staff/ratings/{rating.pk}/{path}")


def test_the_list_is_the_departments_and_hall_managements_with_lights(world):
    rating = bad_rating(world)
    with clock.frozen(D(2026, 11, 4)):
        mine = client_for(world.reviewer_a).get("/staff/ratings/")
        other = client_for(world.reviewer_b).get("/staff/ratings/")
        hall = client_for(world.supervisor).get("/staff/ratings/", {"overdue": "1"})
        clerk = client_for(world.clerk).get("/staff/ratings/")
    assert mine.status_code == 200 and f"差评{rating.pk}" in mine.content.decode()
    assert "红灯" in mine.content.decode() and "超期1个工作日" in mine.content.decode()
    assert other.status_code == 200 and f"差评{rating.pk}" not in other.content.decode()
    assert (
        f"差评{rating.pk}" in hall.content.decode() and 'data-testid="appeals-link"' in hall.content.decode()
    )
    assert clerk.status_code == 403
    assert page(world.reviewer_b, rating).status_code == 404
    labels = [link["label"] for link in staff_links("reviewer")]
    assert "差评整改" in labels and "差评整改" not in [link["label"] for link in staff_links("clerk")]


def test_the_page_offers_the_allowed_steps_and_the_phone_only_for_the_callback(world):
    rating = bad_rating(world)
    html = page(world.reviewer_a, rating).content.decode()
    assert 'data-testid="form-callback"' in html and 'data-testid="form-verify"' not in html
    assert PHONE in html and "窗口人员态度生硬" in html and "差评整改开始" in html
    assert PersonalDataRead.objects.filter(user=world.reviewer_a, purpose__contains="差评回访").count() == 1
    with clock.frozen(D(2026, 11, 3)):
        done = client_for(world.reviewer_a).post(f"/staff/ratings/{rating.pk}/callback/",
                                                 {"reached": "yes", "note": "联系上了"})  # fmt: skip
    assert done.status_code == 302
    html = page(world.reviewer_a, rating).content.decode()
    assert PHONE not in html and "139****5678" in html
    assert 'data-testid="form-verify"' in html and 'data-testid="form-callback"' not in html


def test_a_refused_post_shows_the_message_and_changes_nothing(world):
    rating = bad_rating(world)
    before = list(RatingEvent.objects.filter(rating=rating).values_list("pk", flat=True))
    with clock.frozen(D(2026, 11, 3)):
        wrong_order = client_for(world.reviewer_a).post(
            f"/staff/ratings/{rating.pk}/feedback/", {"text": "已整改"}
        )
        no_note = client_for(world.reviewer_a).post(
            f"/staff/ratings/{rating.pk}/callback/", {"reached": "no"}
        )
        unknown = client_for(world.reviewer_a).post(f"/staff/ratings/{rating.pk}/delete/")
    assert wrong_order.status_code == 409 and "不能反馈评价人" in wrong_order.content.decode()
    assert no_note.status_code == 400 and "请填写回访记录" in no_note.content.decode()
    assert unknown.status_code == 404
    assert list(RatingEvent.objects.filter(rating=rating).values_list("pk", flat=True)) == before
    assert Rectification.objects.get(rating=rating).status == "callback"


def test_hall_management_decides_an_appeal_from_the_appeals_list(world):
    rating = bad_rating(world)
    rect = rectification_of(rating)
    with clock.frozen(D(2026, 11, 3)):
        rect = rectification.callback(rect, by=world.reviewer_a, reached=True, note="联系上")
        rect = rectification.verify(rect, by=world.reviewer_a, finding="malicious", note="非办事人")
    client = client_for(world.head_a)
    with clock.frozen(D(2026, 11, 3)):
        filed = client.post(
            f"/staff/ratings/{rating.pk}/appeal/", {"ground": "malicious", "reason": "恶意差评"}
        )
        assert filed.status_code == 302
        assert client.get("/staff/ratings/appeals/").status_code == 403  # a department's staff
        listed = client_for(world.supervisor).get("/staff/ratings/appeals/")
        assert 'data-testid="form-decide-appeal"' in listed.content.decode()
        decided = client_for(world.supervisor).post(f"/staff/ratings/{rating.pk}/decide_appeal/",
                                                    {"outcome": "upheld", "reason": "属实", "back": "appeals"})  # fmt: skip
    assert decided.status_code == 302 and decided["Location"] == "/staff/ratings/appeals/"
    rect.refresh_from_db()
    assert rect.status == "closed" and rect.rating.excluded
    html = page(world.supervisor, rating).content.decode()
    assert 'data-testid="excluded"' in html and "申诉成立" in html


def test_the_api_mirrors_the_pages(world, api):
    rating = bad_rating(world)
    with clock.frozen(D(2026, 11, 3)):
        listed = api(world.head_a).get("/rectifications", {"status": "callback"})
        assert listed.status_code == 200
        [row] = listed.json()["results"]
        assert (
            row["rating"] == rating.pk and row["allowed_actions"] == ["callback"] and row["light"] == "yellow"
        )
        assert row["rater_phone"] == PHONE  # the head may make the callback now
        assert api(world.reviewer_b).get(f"/rectifications/{rating.pk}").status_code == 404
        refused = api(world.head_a).post(
            f"/rectifications/{rating.pk}/verify", {"finding": "valid", "note": "x"}
        )
        assert refused.status_code == 409 and refused.json()["code"] == "rectification.state"
        done = api(world.head_a).post(
            f"/rectifications/{rating.pk}/callback", {"reached": True, "note": "已联系"}
        )
        assert done.status_code == 200 and done.json()["status"] == "verifying"
        assert done.json()["rater_phone"] == "139****5678"
        for step, body in (("verify", {"finding": "valid", "note": "属实"}), ("rectify", {"measures": "培训"}),
                           ("feedback", {"text": "已整改，致歉"})):  # fmt: skip
            assert api(world.head_a).post(f"/rectifications/{rating.pk}/{step}", body).status_code == 200
    got = api(world.supervisor).get(f"/rectifications/{rating.pk}").json()
    assert got["status"] == "fed_back" and got["allowed_actions"] == []  # hall management does not appeal
    assert got["feedback"] == "已整改，致歉" and got["fed_back_on_time"] is True


def test_verify_audit_reads_the_ratings_chains(world, capsys):
    rating = bad_rating(world)
    with clock.frozen(D(2026, 11, 3)):
        rectification.callback(rectification_of(rating), by=world.reviewer_a, reached=True, note="联系上")
    call_command("verify_audit")
    assert "留痕完整" in capsys.readouterr().out
    event = RatingEvent.objects.get(rating=rating, action="callback")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {RatingEvent._meta.db_table} SET reason = %s WHERE id = %s", ["改过的记录", event.pk]
        )
    with pytest.raises(CommandError):
        call_command("verify_audit")
    assert f"评价{rating.pk}: 第{event.seq}条事件起" in capsys.readouterr().out


def test_the_admin_sets_the_limits_and_lists_rectifications_read_only(world):
    bad_rating(world)
    world.hall_admin.is_staff = True
    world.hall_admin.is_superuser = True
    world.hall_admin.save()
    admin = client_for(world.hall_admin)
    added = admin.post("/admin/ratings/ratingsettings/add/",
                       {"hall": world.hall.pk, "callback_days": 2, "rectify_days": 15, "sms_invites": "on"})  # fmt: skip
    assert added.status_code == 302
    assert rectification.limits_of(world.hall.pk) == (2, 15)
    assert admin.get("/admin/ratings/rectification/").status_code == 200
    assert admin.get("/admin/ratings/rectification/add/").status_code == 403
