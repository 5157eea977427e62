"""Open311 GeoReport v2 (decision 41): the spec's shapes in JSON and XML, the status mapping with
Chinese notes, the filters, POST through receive with an api_key, and the spec's errors for a
missing key, an unknown service code, a malformed date and hostile input — never a 500."""

import datetime as dt
import json
from xml.etree import ElementTree as ET

import pytest
from django.test import Client

from onewindow import clock
from onewindow.accounts.services import issue_token
from onewindow.hotline import services
from onewindow.hotline.models import Assignment, Category, WorkOrder

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 9, 24, 10, 0, tzinfo=clock.hall_tz())
BASE = "/open311/v2"


@pytest.fixture
def tree():
    top = Category.objects.create(code="CJ", name="城乡建设")
    lift = Category.objects.create(code="CJ01", name="电梯维修", parent=top)
    road = Category.objects.create(code="CJ02", name="道路破损", parent=top, order=1)
    Category.objects.create(code="CJ03", name="停用分类", parent=top, is_active=False)
    return {"top": top, "lift": lift, "road": road}


@pytest.fixture
def key(world):
    return issue_token(world.clerk, "Open311 客户端")[1]


def order(world, category, **kw):
    fields = {"region": world.hall.region, "channel": "phone", "type": "help", "category": category,
              "title": "电梯停运", "content": "3号楼电梯停运，联系13912345678。", "caller_name": "张三",
              "caller_phone": "13912345678", "address": "德城区天衢路1号"}  # fmt: skip
    fields.update(kw)
    return services.receive(**fields)


def get(path, **params):
    return Client().get(BASE + path, params)


def post(**data):
    return Client(enforce_csrf_checks=True).post(BASE + "/requests.json", data)


def xml(response):
    assert response["Content-Type"].startswith("text/xml")
    assert response.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    return ET.fromstring(response.content)


def test_services_are_the_active_leaves_in_both_formats(tree):
    body = get("/services.json").json()
    assert [s["service_code"] for s in body] == ["CJ01", "CJ02"]  # not the parent, not the inactive
    assert body[0] == {"service_code": "CJ01", "service_name": "电梯维修", "description": "城乡建设 › 电梯维修",
                       "metadata": False, "type": "realtime", "keywords": "城乡建设,电梯维修", "group": "城乡建设"}  # fmt: skip
    root = xml(get("/services.xml"))
    assert root.tag == "services" and [s.findtext("service_code") for s in root.findall("service")] == [
        "CJ01",
        "CJ02",
    ]
    assert root.find("service/metadata").text == "false" and root.find("service/group").text == "城乡建设"
    assert get("/services/CJ01.json").json() == {"service_code": "CJ01", "attributes": []}
    definition = xml(get("/services/CJ01.xml"))
    assert definition.tag == "service_definition" and definition.find("attributes") is not None


def test_discovery_names_the_spec_and_formats():
    body = get("/discovery.json").json()
    assert body["endpoints"][0]["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert body["endpoints"][0]["url"].endswith("/open311/v2")
    root = xml(get("/discovery.xml"))
    assert [f.text for f in root.findall("endpoints/endpoint/formats/format")] == [
        "application/json",
        "text/xml",
    ]


def test_statuses_map_to_open_and_closed_with_chinese_notes(world, tree):
    with clock.frozen(NOW):
        first = order(world, tree["lift"])
        second = order(world, tree["road"], content="路面塌陷", latitude="37.434564", longitude="116.359711")
        duplicate = order(world, tree["lift"])
    Assignment.objects.create(order=first, department=world.dept_a, role="lead", assigned_at=NOW,
                              assigned_by=world.clerk)  # fmt: skip
    WorkOrder.objects.filter(pk=first.pk).update(status="dispatched", lead_department=world.dept_a)
    WorkOrder.objects.filter(pk=second.pk).update(status="closed", reply="已修复路面，谢谢。", replied_at=NOW,
                                                  closed_at=NOW)  # fmt: skip
    WorkOrder.objects.filter(pk=duplicate.pk).update(status="merged", merged_into=first)
    with clock.frozen(NOW + dt.timedelta(days=1)):
        rows = {r["service_request_id"]: r for r in get("/requests.json").json()}
    assert rows[first.number]["status"] == "open"
    assert rows[first.number]["status_notes"] == f"已派单至{world.dept_a.name}办理。"
    assert rows[first.number]["agency_responsible"] == world.dept_a.name
    assert (
        rows[second.number]["status"] == "closed"
        and rows[second.number]["status_notes"] == "已修复路面，谢谢。"
    )
    assert (rows[second.number]["lat"], rows[second.number]["long"]) == (37.434564, 116.359711)
    assert rows[duplicate.number]["status_notes"] == f"已合并至工单{first.number}。"
    assert rows[first.number]["requested_datetime"] == "2026-09-24T10:00:00+08:00"
    assert rows[first.number]["expected_datetime"].endswith("T23:59:59+08:00")
    # Never personal data: no caller's name, the phone in the content masked.
    text = json.dumps(list(rows.values()), ensure_ascii=False)
    assert "13912345678" not in text and "张三" not in text and "139****5678" in text
    with clock.frozen(NOW + dt.timedelta(days=1)):
        closed = get("/requests.json", status="closed").json()
        by_code = get("/requests.json", service_code="CJ02").json()
        by_id = get("/requests.xml", service_request_id=f"{first.number},{second.number}")
    assert [r["service_request_id"] for r in closed] == [duplicate.number, second.number]
    assert [r["service_request_id"] for r in by_code] == [second.number]
    assert {r.findtext("service_request_id") for r in xml(by_id).findall("request")} == {
        first.number,
        second.number,
    }


def test_the_date_range_filters_and_defaults_to_90_days(world, tree):
    with clock.frozen(NOW - dt.timedelta(days=100)):
        old = order(world, tree["lift"])
    with clock.frozen(NOW):
        new = order(world, tree["lift"])
        assert [r["service_request_id"] for r in get("/requests.json").json()] == [new.number]
        earlier = get(
            "/requests.json", start_date="2026-06-01T00:00:00+08:00", end_date="2026-06-30T00:00:00Z"
        )
    assert [r["service_request_id"] for r in earlier.json()] == [old.number]


def test_post_round_trips_in_json_and_xml(world, tree, key):
    with clock.frozen(NOW):
        answer = post(api_key=key, service_code="CJ02", lat="37.43", long="116.36", description="井盖缺失\n很危险",
                      first_name="四", last_name="李", phone="+86 13700001111", email="li@example.com")  # fmt: skip
        assert answer.status_code == 200, answer.content
        [created] = answer.json()
        assert created["account_id"] is None and "RX2026" in created["service_notice"]
        saved = WorkOrder.objects.get(number=created["service_request_id"])
        assert (saved.channel, saved.type, saved.title, saved.caller_name, saved.caller_phone) == (
            "app",
            "help",
            "井盖缺失",
            "李四",
            "13700001111",
        )
        assert saved.received_by == world.clerk and saved.events.get().action == "receive"
        [again] = get(f"/requests/{saved.number}.json").json()
        assert again["description"] == "井盖缺失\n很危险" and again["status"] == "open"
        assert "13700001111" not in json.dumps(again) and "li@example.com" not in json.dumps(again)
        xml_post = Client().post(BASE + "/requests.xml", {"api_key": key, "service_code": "CJ01",
                                                           "address_string": "天衢路<1>号 & 2号"})  # fmt: skip
        number = xml(xml_post).findtext("request/service_request_id")
        request = xml(get(f"/requests/{number}.xml")).find("request")
    assert request.findtext("address") == "天衢路<1>号 & 2号" and request.findtext("service_code") == "CJ01"
    token = WorkOrder.objects.get(number=number).token
    assert get(f"/tokens/{token}.json").json() == [{"service_request_id": number, "token": token}]
    assert xml(get(f"/tokens/{token}.xml")).findtext("request/service_request_id") == number


def error(response, status):
    assert response.status_code == status, response.content
    if response["Content-Type"].startswith("text/xml"):
        root = xml(response)
        assert root.tag == "errors" and root.findtext("error/code") == str(status)
        return root.findtext("error/description")
    [body] = response.json()
    assert body["code"] == status and body["description"]
    return body["description"]


def test_the_spec_errors(world, tree, key):
    assert "api_key" in error(post(service_code="CJ01", address_string="天衢路"), 403)
    assert "api_key" in error(post(api_key="ow_wrong", service_code="CJ01", address_string="天衢路"), 403)
    assert "CJ99" in error(post(api_key=key, service_code="CJ99", address_string="天衢路"), 404)
    error(post(api_key=key, service_code="CJ03", address_string="天衢路"), 404)  # inactive
    assert "start_date" in error(get("/requests.json", start_date="last tuesday"), 400)
    assert "end_date" in error(get("/requests.xml", end_date="2026-13-45"), 400)
    error(get("/services/CJ99.xml"), 404)
    error(get("/requests/RX0000.json"), 404)
    error(get("/tokens/nope.xml"), 404)
    error(get("/requests.json", status="pending"), 400)
    error(
        get("/requests.json", start_date="2026-01-01T00:00:00+08:00", end_date="2026-09-01T00:00:00+08:00"),
        400,
    )
    assert WorkOrder.objects.count() == 0


@pytest.mark.parametrize("data", [
    {"address_string": "a\x00b"},
    {"address_string": "长" * 5000},
    {"lat": "91", "long": "116"},
    {"lat": "north", "long": "east"},
    {"lat": "1e999999", "long": "1"},
    {"lat": "37.4"},
    {},  # no location at all
    {"address_string": "天衢路", "description": "x" * 4001},
    {"address_string": "天衢路", "description": "a\x00"},
    {"address_string": "天衢路", "phone": "call me"},
    {"address_string": "天衢路", "first_name": "名" * 300},
])  # fmt: skip
def test_hostile_posts_get_a_400_and_change_nothing(world, tree, key, data):
    error(post(api_key=key, service_code="CJ01", **data), 400)
    assert WorkOrder.objects.count() == 0


@pytest.mark.parametrize("params", [
    {"service_request_id": "RX\x001"}, {"service_code": "a" * 5000}, {"service_request_id": ",".join(["RX1"] * 101)},
    {"start_date": "\x00"}, {"start_date": "9999-12-31T23:59:59-12:00"}, {"end_date": "0001-01-01T00:00:00+14:00"}, {"jurisdiction_id": "x", "status": "open,whatever"},
])  # fmt: skip
def test_hostile_queries_get_a_400(params):
    error(get("/requests.json", **params), 400)
    error(get("/requests.xml", **params), 400)


def test_control_characters_never_break_the_xml(world, tree):
    with clock.frozen(NOW):
        made = order(world, tree["lift"], content="铃\x07声\x1b")
        assert xml(get(f"/requests/{made.number}.xml")).findtext("request/description") == "铃声"
