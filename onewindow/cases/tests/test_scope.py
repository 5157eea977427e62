"""A reviewer of another department gets 403/404 on every case URL and API of this one."""

import pytest

from onewindow.cases import services
from onewindow.cases.models import Case, CaseEvent, Channel
from onewindow.personas import all_required

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(world, food):
    case = services.submit(version=food.current, applicant=world.alice_applicant, hall=world.hall,
                           channel=Channel.WINDOW, by=world.clerk, handed_in=all_required(food.current))  # fmt: skip
    return services.accept(case, by=world.clerk)


def _case_urls(number):
    from onewindow.api import api

    urls = []
    for bound in api._get_bound_routers():
        for path, view in bound.path_operations.items():
            if "{number}" in path and bound.prefix.startswith("/cases"):
                for op in view.operations:
                    urls += [
                        (m, "/api/v1" + bound.prefix + path.replace("{number}", number)) for m in op.methods
                    ]
    return urls


BODIES = {  # valid bodies, so the answer is about the case, not the input
    "request-supplement": {"materials": [{"no": 1, "note": "x"}]}, "return-for-correction": {"materials": [{"no": 1, "note": "x"}]},
    "supplement": {"materials": [1]}, "receive": {"materials": [1]}, "mark-material": {"no": 1, "mark": "passed"}, "supply-tolerated": {"materials": [3]},
    "refuse": {"reason": "x", "where_to_turn": "y"}, "accept-tolerantly": {"supply_by": "2030-01-01"},
    "approve-by-commitment": {"commitment": "x"}, "review": {"opinion": "x"}, "decide": {"approve": True},
    "suspend": {"kind": "hearing", "reason": "x"}, "extend": {"days": 1, "reason": "x"},
}  # fmt: skip


def test_reviewer_b_gets_404_on_every_case_api_and_nothing_changes(world, case, api):
    before = (case.status, CaseEvent.objects.filter(case=case).count())
    urls = _case_urls(case.number)
    assert len(urls) >= 14
    for method, url in urls:
        client = api(world.reviewer_b).client
        body = BODIES.get(url.rsplit("/", 1)[1], {})
        answer = (
            client.get(url) if method == "GET" else client.post(url, body, content_type="application/json")
        )
        assert answer.status_code in (403, 404), (method, url, answer.status_code)
        assert "艾丽" not in answer.content.decode()
    case.refresh_from_db()
    assert (case.status, CaseEvent.objects.filter(case=case).count()) == before


def test_reviewer_b_does_not_see_it_in_lists(world, case, api):
    assert api(world.reviewer_b).get("/cases").json()["count"] == 0
    assert api(world.reviewer_a).get("/cases").json()["count"] == 1
    assert api(world.reviewer_a).get("/cases", {"light": "green"}).json()["count"] == 1


def test_the_clerk_and_applicant_see_it_and_an_outsider_does_not(world, case, api):
    assert api(world.clerk).get(f"/cases/{case.number}").status_code == 200
    mine = api(world.alice).get(f"/cases/{case.number}").json()
    assert mine["applicant_id_number"].count("*") == 10
    assert api(world.outsider).get(f"/cases/{case.number}").status_code == 404
    assert Case.objects.count() == 1
