"""The check-in device API: a good key records, a retry records nothing twice, a reused record
number with other content is refused, a bad key is refused with its stable code."""

import datetime as dt

from django.test import Client

from onewindow.assessment import attendance
from onewindow.assessment.models import AttendanceDevice, CheckIn, StaffNumber

URL = "/api/v1/attendance/check-ins"
BODY = {"event_id": "F-0001", "staff": "clerk", "at": "2026-03-02T08:58:00+08:00", "method": "face"}


def post(body, key):
    headers = {"X-Device-Key": key} if key is not None else {}
    return Client().post(URL, body, content_type="application/json", headers=headers)


def test_a_good_key_records_once_and_a_retry_answers_the_first_record(world, device):
    dev, key = device
    first = post(BODY, key)
    assert first.status_code == 201, first.content
    assert first.json() == {"event_id": "F-0001", "staff": "clerk", "at": "2026-03-02T08:58:00+08:00",
                            "day": "2026-03-02", "slot": 1, "slot_display": "上午上班", "replayed": False}  # fmt: skip
    again = post(BODY, key)
    assert again.status_code == 200 and again.json()["replayed"] is True
    assert CheckIn.objects.count() == 1
    assert AttendanceDevice.objects.get(pk=dev.pk).last_seen_at is not None

    other = post({**BODY, "at": "2026-03-02T12:01:00+08:00"}, key)
    assert other.status_code == 409 and other.json()["code"] == "assessment.event_id_reused"
    assert CheckIn.objects.count() == 1


def test_the_key_is_stored_hashed(world, device):
    dev, key = device
    assert key not in (dev.key_hash, dev.prefix) and dev.key_hash == attendance._hash(key)


def test_a_bad_or_missing_key_is_refused_with_a_stable_code(world, device):
    for key in ("owd_wrong", None):
        answer = post(BODY, key)
        assert answer.status_code == 401
        assert answer.json()["code"] == "assessment.device_key_invalid"
    dev, key = device
    dev.is_active = False
    dev.save()
    assert post(BODY, key).json()["code"] == "assessment.device_key_invalid"
    assert not CheckIn.objects.exists()


def test_staff_by_number_unknown_staff_and_invalid_input(world, device):
    _, key = device
    StaffNumber.objects.create(staff=world.clerk.staff, number="0107")
    answer = post({**BODY, "staff": "0107", "at": "2026-03-02T17:20:00+08:00"}, key)
    assert answer.status_code == 201 and answer.json()["slot"] == 4
    assert (
        post({**BODY, "event_id": "F-2", "staff": "nobody"}, key).json()["code"]
        == "assessment.staff_not_found"
    )
    # A person of another hall is unknown to this hall's device.
    assert post({**BODY, "event_id": "F-3", "staff": "outsider"}, key).status_code == 404
    bad = post({"event_id": "F-4", "staff": "clerk", "at": "tomorrow"}, key)
    assert bad.status_code == 400 and bad.json()["code"] == "request.invalid"
    naive = post({**BODY, "event_id": "F-5", "at": "2026-03-02T08:58:00"}, key)
    assert naive.status_code == 400 and naive.json()["code"] == "assessment.time_without_offset"


def test_slots_with_grace_and_overlapping_noon_spans(world):
    rules = attendance.settings_of(world.hall)  # 09:00 12:00 13:00 17:00, grace 5, spans 90
    # At noon the spans overlap (上午下班 11:55–13:30, 下午上班 11:30–13:05): the nearer time wins, so
    # a punch leaving early (11:54) or back late (13:06) fills the other noon slot, and its own stays
    # missing — one punch is one slot either way.
    cases = {dt.time(7, 30): 1, dt.time(9, 5): 1, dt.time(9, 6): 0, dt.time(10, 0): 0, dt.time(11, 54): 3,
             dt.time(11, 55): 2, dt.time(12, 29): 2, dt.time(12, 31): 3, dt.time(13, 5): 3, dt.time(13, 6): 2,
             dt.time(14, 0): 0, dt.time(16, 54): 0, dt.time(16, 55): 4, dt.time(18, 30): 4, dt.time(18, 31): 0}  # fmt: skip
    assert {t: attendance.slot_of(rules, t) for t in cases} == cases


def test_the_admin_adds_a_device_and_shows_its_key_once(world, as_user):
    from django.contrib.messages import get_messages

    world.hall_admin.is_superuser = world.hall_admin.is_staff = True
    world.hall_admin.save()
    client = as_user(world.hall_admin)
    answer = client.post("/admin/assessment/attendancedevice/add/",
                         {"hall": world.hall.pk, "name": "二楼考勤机", "is_active": "on"})  # fmt: skip
    assert answer.status_code == 302
    shown = [str(m) for m in get_messages(answer.wsgi_request) if "X-Device-Key" in str(m)]
    key = shown[0].rsplit("：", 1)[1]
    device = AttendanceDevice.objects.get(name="二楼考勤机")
    assert attendance.device_for(key) == device and key not in device.key_hash
    assert client.get("/admin/assessment/criterion/").status_code == 200  # writes the default rows
    assert client.get(f"/admin/assessment/attendancedevice/{device.pk}/change/").status_code == 200
