"""Open311 against a running server (issue 18 acceptance): the `georeport` client from PyPI lists
services and requests, in JSON and in XML; it has no POST (0.3.1 reads only), so a request is
posted with plain `requests` — form-encoded, as the spec says — and read back with the client.
Under XML the client returns one request as a dict and fails on an empty list (xmltodict):
its limits, not the server's (decision 41)."""

import pytest
import requests
from georeport import GeoReport

from onewindow import personas
from onewindow.accounts.services import issue_token
from onewindow.hotline.models import Category, WorkOrder

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def served(live_server):
    world = personas.build_world()
    top = Category.objects.create(code="CJ", name="城乡建设")
    Category.objects.create(code="CJ01", name="电梯维修", parent=top)
    Category.objects.create(code="CJ02", name="道路破损", parent=top)
    return live_server.url + "/open311/v2", issue_token(world.clerk, "Open311")[1]


def rows(found) -> list[dict]:
    """xmltodict, under the client's XML, gives one <request> as a dict, not a list of one."""
    return [found] if isinstance(found, dict) else found


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_georeport_client_lists_and_a_post_round_trips(served, fmt):
    root, key = served
    client = GeoReport(root, jurisdiction="371400000000", output_format=fmt)
    assert [s["service_code"] for s in client.get_service_list()] == ["CJ01", "CJ02"]
    assert client.get_service_definition("CJ02")["service_code"] == "CJ02"
    numbers = []
    for code, where in [
        ("CJ01", {"address_string": "天衢路1号"}),
        ("CJ02", {"lat": "37.43", "long": "116.36"}),
    ]:
        answer = requests.post(f"{root}/requests.{fmt}", data={"api_key": key, "service_code": code,
                                                               "description": f"{code} 报修", **where}, timeout=10)  # fmt: skip
        assert answer.status_code == 200, answer.text
        numbers.append(WorkOrder.objects.get(category__code=code).number)
        assert numbers[-1] in answer.text
    listed = client.get_service_requests()
    assert {r["service_request_id"] for r in listed} == set(numbers)
    assert [r["service_request_id"] for r in rows(client.get_service_requests(service_code="CJ02"))] == [
        numbers[1]
    ]
    one = client.get_service_request(numbers[1])
    assert (one["status"], one["description"], one["service_code"]) == ("open", "CJ02 报修", "CJ02")
    assert float(one["lat"]) == 37.43 and one["requested_datetime"].endswith("+08:00")
    with pytest.raises(requests.HTTPError) as bad:
        client.get_service_requests(start_date="yesterday")
    assert bad.value.response.status_code == 400
    refused = requests.post(
        f"{root}/requests.{fmt}", data={"service_code": "CJ01", "address_string": "x"}, timeout=10
    )
    assert refused.status_code == 403 and "api_key" in refused.text
    assert WorkOrder.objects.count() == 2
