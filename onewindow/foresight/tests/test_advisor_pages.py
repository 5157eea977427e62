"""The advisor's pages: hall admins and supervisors read them, a hall admin drafts from them; the
evidence shows where the draft is proposed and published."""

import pytest

from onewindow.catalog.models import ItemVersion
from onewindow.foresight.tests.test_advisor import history  # noqa: F401 - the 40 cases of the hand computation

pytestmark = pytest.mark.django_db

LIST = "/staff/foresight/advisor/"


def item_url(item) -> str:
    return f"{LIST}{item.code}/"


@pytest.mark.parametrize("persona", ["hall_admin", "supervisor"])
def test_the_list_shows_each_item_with_its_advice(world, as_user, history, persona):  # noqa: F811
    page = as_user(getattr(world, persona)).get(LIST)
    assert page.status_code == 200
    [row] = page.context["rows"]
    assert (row.n, row.median_days, row.p95_days, row.advised_days, row.current_days, row.legal_days) == (
        40, 2, 4, 4, 5, 20,
    )  # fmt: skip
    html = page.content.decode()
    assert "食品经营许可（新办）" in html and "20.0%" in html and item_url(history) in html


@pytest.mark.parametrize("persona", ["alice", "clerk", "reviewer_a", "head_a", "outsider"])
def test_the_pages_are_refused_to_others(world, as_user, history, persona):  # noqa: F811
    client = as_user(getattr(world, persona))
    assert client.get(LIST).status_code == 403
    assert client.get(item_url(history)).status_code == 403
    assert client.post(item_url(history) + "draft/").status_code == 403
    assert history.versions.count() == 1


def test_a_visitor_is_sent_to_log_in(client, history):  # noqa: F811
    assert client.get(LIST).status_code == 302


def test_the_item_page_shows_the_distribution_and_the_button(world, as_user, history):  # noqa: F811
    page = as_user(world.hall_admin).get(item_url(history))
    assert page.status_code == 200
    assert [(r["days"], r["cases"]) for r in page.context["rows"]] == [(0, 8), (1, 10), (2, 10), (3, 8), (4, 2),
                                                                       (5, 1), (10, 1)]  # fmt: skip
    html = page.content.decode()
    assert 'data-testid="draft-form"' in html and "95.0%" in html and "<progress" in html
    assert "style=" not in html and "<script>" not in html  # CSP


def test_a_supervisor_sees_no_button(world, as_user, history):  # noqa: F811
    html = as_user(world.supervisor).get(item_url(history)).content.decode()
    assert 'data-testid="draft-form"' not in html and "只有大厅管理员" in html


def test_the_button_drafts_and_the_publisher_sees_the_evidence(world, as_user, history):  # noqa: F811
    admin = as_user(world.hall_admin)
    answer = admin.post(item_url(history) + "draft/")
    assert answer.status_code == 302 and answer["Location"] == "/staff/catalog/"
    draft = history.versions.get(state=ItemVersion.State.DRAFT)
    assert draft.promised_limit_days == 4 and draft.promise_advice.cases == 40
    publishing = admin.get("/staff/catalog/").content.decode()
    assert 'data-testid="change-note"' in publishing and "5个工作日 → 4个工作日" in publishing
    # a second press is refused on the page, with the reason
    again = admin.post(item_url(history) + "draft/")
    assert again.status_code == 409 and "第2版" in again.content.decode()
    assert history.versions.count() == 2


def test_the_staff_home_links_the_advisor(world, as_user):
    for persona, shown in [("hall_admin", True), ("supervisor", True), ("clerk", False)]:
        labels = [
            link["label"] for link in as_user(getattr(world, persona)).get("/staff/").context["staff_links"]
        ]
        assert ("承诺时限建议" in labels) is shown, persona
