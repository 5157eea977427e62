"""未找到事项的提问: a question the guide has no item for is logged once per spelling, counted,
listed for the hall admin by frequency and marked handled (decision 0026)."""

import pytest

from onewindow.accounts.models import Role
from onewindow.catalog import unmatched
from onewindow.catalog.models import UnmatchedQuestion
from onewindow.concurrently import run_together
from onewindow.errors import DomainError
from onewindow.personas import new_staff, published_item

NO_ITEM = "公司要申请专利"  # the one-item catalog (食品经营许可) has nothing for it


@pytest.fixture
def catalog(world):
    return published_item(world)


def test_normalize_folds_width_spaces_punctuation_and_control_characters():
    assert unmatched.normalize("  公司要申请\u3000专利？？ ") == "公司要申请 专利"
    assert unmatched.normalize("ＡＢＣ１２３\x00\x1b[31m办证！") == "abc123 [31m办证"
    assert unmatched.normalize("“？。”") == ""
    assert len(unmatched.normalize("长" * 10_000)) == unmatched.MAX_LENGTH


@pytest.mark.django_db
def test_the_same_question_asked_again_counts_on_one_row(world, catalog, client):
    # given: a citizen asks a question the catalog has no item for, three times, spelt a bit differently
    for spelling in (NO_ITEM, f"  {NO_ITEM}？", f"{NO_ITEM}。"):
        page = client.get("/guide/", {"q": spelling}).content.decode()
        assert "没有找到与您的问题相符的事项" in page and "12345" in page and "您的问题已记录" in page
    # then: one row, counted three times, for the city hall and the portal
    row = UnmatchedQuestion.objects.get()
    assert (row.text, row.count, row.hall, row.channel) == (NO_ITEM, 3, world.hall, "portal")
    assert row.first_asked_at <= row.last_asked_at and row.handled_at is None


@pytest.mark.django_db
def test_typing_a_matched_question_or_staff_questions_are_not_logged(world, catalog, client, as_user):
    client.get("/guide/", {"q": NO_ITEM}, HTTP_HX_REQUEST="true")  # typing on the home page
    client.get("/guide/", {"q": "饭店餐饮许可证"})  # found
    as_user(world.hall_admin).get("/guide/", {"q": NO_ITEM})  # staff trying a question out
    assert not UnmatchedQuestion.objects.exists()


@pytest.mark.django_db
def test_a_question_asked_at_a_county_hall_and_by_the_api_count_apart(world, catalog, client):
    client.get("/guide/", {"q": NO_ITEM, "hall": world.other_hall.code})
    assert client.get("/api/v1/guide", {"q": NO_ITEM}).json() == []
    rows = {(r.hall.code, r.channel): r.count for r in UnmatchedQuestion.objects.select_related("hall")}
    assert rows == {("T-OTHER", "portal"): 1, ("T-HALL", "api"): 1}


@pytest.mark.django_db
def test_hostile_input_adds_at_most_one_short_row_per_request_and_is_rate_limited(world, catalog, client):
    # control characters are refused before the search (InputGuardMiddleware); a long question is cut
    assert client.get("/guide/", {"q": "专利\x00" * 5}).status_code == 400
    assert not UnmatchedQuestion.objects.exists()
    client.get("/guide/", {"q": "专利" * 900})
    [row] = UnmatchedQuestion.objects.all()
    assert len(row.text) <= unmatched.MAX_LENGTH
    # one client asking many different questions: no more than LOG_LIMIT rows a minute
    for i in range(unmatched.LOG_LIMIT + 10):
        page = client.get("/guide/", {"q": f"专利{i}号"})
        assert page.status_code == 200  # the search itself still answers
    assert UnmatchedQuestion.objects.count() == unmatched.LOG_LIMIT


@pytest.mark.django_db
def test_the_hall_admin_lists_questions_by_frequency_and_marks_one_handled(world, catalog, client, as_user):
    # given: two questions, one asked three times
    for q in ["怎么申请商标", NO_ITEM, NO_ITEM, NO_ITEM]:
        client.get("/guide/", {"q": q})
    admin = as_user(world.hall_admin)
    # when: the hall admin opens the list
    page = admin.get("/staff/catalog/questions/").content.decode()
    # then: most asked first, with its count
    assert page.index(NO_ITEM) < page.index("怎么申请商标")
    assert "未找到事项的提问" in admin.get("/staff/").content.decode()  # linked from the staff home
    # when: marked handled
    row = UnmatchedQuestion.objects.get(text=NO_ITEM)
    answer = admin.post(f"/staff/catalog/questions/{row.pk}/handled/")
    # then: it leaves the open list and shows among the handled ones
    assert answer.status_code == 302
    assert NO_ITEM not in admin.get("/staff/catalog/questions/").content.decode()
    assert NO_ITEM in admin.get("/staff/catalog/questions/", {"handled": "1"}).content.decode()
    row.refresh_from_db()
    assert row.handled_by == world.hall_admin
    # and twice is refused (compare-and-set)
    assert admin.post(f"/staff/catalog/questions/{row.pk}/handled/").status_code == 409
    # asked again, it is open again, its count kept
    client.get("/guide/", {"q": NO_ITEM})
    row.refresh_from_db()
    assert row.handled_at is None and row.count == 4


@pytest.mark.django_db
def test_only_the_hall_admin_of_the_questions_hall_may_see_or_handle_them(world, catalog, client, as_user):
    client.get("/guide/", {"q": NO_ITEM})
    row = UnmatchedQuestion.objects.get()
    assert as_user(world.clerk).get("/staff/catalog/questions/").status_code == 403
    assert as_user(world.clerk).post(f"/staff/catalog/questions/{row.pk}/handled/").status_code == 403
    other_admin = new_staff("admin_other", "奥德", Role.HALL_ADMIN, world.other_hall)
    assert NO_ITEM not in as_user(other_admin).get("/staff/catalog/questions/").content.decode()
    assert as_user(other_admin).post(f"/staff/catalog/questions/{row.pk}/handled/").status_code == 404
    row.refresh_from_db()
    assert row.handled_at is None


@pytest.mark.django_db
def test_the_admin_lists_the_questions_and_marks_them_handled(world, catalog, client):
    from onewindow.accounts.models import User

    client.get("/guide/", {"q": NO_ITEM})
    row = UnmatchedQuestion.objects.get()
    User.objects.filter(pk=world.hall_admin.pk).update(is_staff=True, is_superuser=True)
    client.force_login(User.objects.get(pk=world.hall_admin.pk))
    url = "/admin/catalog/unmatchedquestion/"
    assert NO_ITEM in client.get(url).content.decode()
    client.post(url, {"action": "mark_handled", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.handled_by_id == world.hall_admin.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_first_askings_make_one_row_with_every_count(world):
    def ask():
        unmatched.record(NO_ITEM, hall=world.hall, channel="portal")
        return "ok"

    for _ in range(3):  # each round: 8 requests race to insert the same new question
        UnmatchedQuestion.objects.all().delete()
        results = run_together(*[ask] * 8)
        assert results == ["ok"] * 8, results
        assert list(UnmatchedQuestion.objects.values_list("count", flat=True)) == [8]


@pytest.mark.django_db
def test_marking_needs_a_hall_admin(world):
    with pytest.raises(DomainError) as err:
        unmatched.mark_handled(1, by=world.clerk)
    assert err.value.code == "catalog.questions_admin_only"


@pytest.mark.django_db
def test_the_demo_hall_has_questions_to_walk_and_seeding_twice_keeps_their_counts():
    from django.core.management import call_command

    call_command("seed_demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    counts = dict(UnmatchedQuestion.objects.values_list("text", "count"))
    assert counts["公司要申请专利"] == 5 and len(counts) >= 5
