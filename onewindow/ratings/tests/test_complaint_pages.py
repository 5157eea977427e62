"""投诉 pages and API: the citizen's form and list, the staff list's filters, the complaint page
offering exactly allowed_actions, the API's shape, errors and Idempotency-Key."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.cases import services as cases
from onewindow.cases.models import Channel
from onewindow.personas import published_item
from onewindow.ratings import complaints
from onewindow.ratings.models import Complaint

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def accepted(world):
    version = published_item(world).current
    with clock.frozen(D(2026, 9, 30)):
        case = cases.submit(version=version, applicant=world.alice_applicant, hall=world.hall, channel=Channel.WINDOW,
                            by=world.clerk, handed_in=[m.pk for m in version.materials.all()])  # fmt: skip
        return cases.accept(case, by=world.clerk)


def test_the_citizen_files_on_the_form_and_reads_the_answer_in_their_list(world, accepted, as_user):
    alice = as_user(world.alice)
    page = alice.get("/my/complaints/")
    assert page.status_code == 200 and accepted.number in page.content.decode()
    refused = alice.post("/my/complaints/", {"case": accepted.number, "subject": "", "text": "t"})
    assert refused.status_code == 400 and "请填写投诉事由" in refused.content.decode()
    with clock.frozen(D(2026, 9, 30)):
        done = alice.post("/my/complaints/", {"case": accepted.number, "subject": "态度差", "text": "不耐烦"})
    complaint = Complaint.objects.get()
    assert done.status_code == 302 and complaint.number in done["Location"]
    assert complaint.case == accepted and complaint.complainant_user == world.alice
    complaints.assign(complaint, by=world.hall_admin, department=world.dept_a)
    complaints.answer(complaint, by=world.head_a, text="已批评教育当事人")
    page = alice.get("/my/complaints/").content.decode()
    assert "已批评教育当事人" in page and "已答复待回访" in page
    # Another citizen sees none of it; a citizen has no staff pages.
    assert complaint.number not in as_user(world.outsider).get("/my/complaints/").content.decode()
    assert as_user(world.alice).get(f"/staff/complaints/{complaint.number}/").status_code == 403


def test_the_staff_list_filters_and_the_page_offers_the_allowed_actions(world, accepted, as_user):
    with clock.frozen(D(2026, 9, 30)):
        late = complaints.file_complaint(
            by=world.supervisor, source="desk", name="王五", subject="排队久", text="t"
        )
    with clock.frozen(D(2026, 10, 12)):
        fresh = complaints.file_complaint(
            by=world.alice, subject="材料反复要", text="t", case_number=accepted.number
        )
        admin = as_user(world.hall_admin)
        listed = admin.get("/staff/complaints/").content.decode()
        assert late.number in listed and fresh.number in listed
        overdue = admin.get("/staff/complaints/", {"overdue": "1"}).content.decode()
        assert late.number not in overdue  # due 13 October
    with clock.frozen(D(2026, 10, 14)):
        overdue = admin.get("/staff/complaints/", {"overdue": "1"}).content.decode()
        assert late.number in overdue and fresh.number not in overdue
        assert fresh.number not in admin.get("/staff/complaints/", {"source": "desk"}).content.decode()
        page = admin.get(f"/staff/complaints/{late.number}/")
        assert [a for a in ("form-assign", "form-answer", "form-callback", "form-decide", "form-close")
                if a in page.content.decode()] == ["form-assign"]  # fmt: skip
        assert (
            admin.post(f"/staff/complaints/{late.number}/assign/", {"department": "T-A"}).status_code == 302
        )
        head = as_user(world.head_a)
        assert late.number in head.get("/staff/complaints/").content.decode()
        assert fresh.number not in head.get("/staff/complaints/").content.decode()  # not assigned to A yet
        assert as_user(world.reviewer_b).get(f"/staff/complaints/{late.number}/").status_code == 404
        refused = head.post(f"/staff/complaints/{late.number}/answer/", {"text": ""})
        assert refused.status_code == 400 and "请填写答复内容" in refused.content.decode()
        assert (
            head.post(f"/staff/complaints/{late.number}/answer/", {"text": "已加开窗口"}).status_code == 302
        )
        refused = head.post(f"/staff/complaints/{late.number}/answer/", {"text": "again"})
        assert refused.status_code == 409
        page = admin.get(f"/staff/complaints/{late.number}/").content.decode()
        assert "form-callback" in page and "form-decide" in page and "form-close" not in page
        assert admin.post(f"/staff/complaints/{late.number}/nope/").status_code == 404


def test_the_api_files_reads_and_moves_a_complaint(world, accepted, api):
    body = {"subject": "态度差", "text": "不耐烦", "case": accepted.number}
    with clock.frozen(D(2026, 9, 30)):
        first = api(world.alice).post("/complaints", body, **{"Idempotency-Key": "k-1"})
        again = api(world.alice).post("/complaints", body, **{"Idempotency-Key": "k-1"})
        other = api(world.alice).post("/complaints", {**body, "text": "别的"}, **{"Idempotency-Key": "k-1"})
    assert first.status_code == 201, first.content
    data = first.json()
    assert again.json()["number"] == data["number"] and Complaint.objects.count() == 1
    assert other.status_code == 409
    assert data["status"] == "filed" and data["status_display"] == "待分派" and data["due_on"] == "2026-10-13"
    assert data["phone"] == "139****5678" and data["window"] == "01" and data["department"] == "T-A"
    assert data["allowed_actions"] == []
    number = data["number"]
    bad = api(world.alice).post("/complaints", {"subject": "s"})
    assert bad.status_code == 400 and bad.json()["code"] == "request.invalid"
    empty = api(world.alice).post("/complaints", {"subject": "", "text": "t", "hall": "T-HALL"})
    assert empty.status_code == 400 and empty.json()["code"] == "complaint.subject_required"
    assert api(world.hall_admin).get(f"/complaints/{number}").json()["allowed_actions"] == ["assign"]
    refused = api(world.head_a).post(f"/complaints/{number}/answer", {"text": "x"})
    assert refused.status_code == 404  # not assigned to A: A does not see it
    done = api(world.hall_admin).post(f"/complaints/{number}/assign", {"department": "T-A"})
    assert done.status_code == 200 and done.json()["status"] == "assigned"
    refused = api(world.hall_admin).post(f"/complaints/{number}/close")
    assert refused.status_code == 409 and refused.json()["code"] == "complaint.state"
    assert refused.json()["message"].startswith("投诉当前状态")
    assert api(world.reviewer_b).get(f"/complaints/{number}").status_code == 404
    assert (
        api(world.head_a).post(f"/complaints/{number}/answer", {"text": "已处理"}).json()["status"]
        == "answered"
    )
    for path, payload in (("callback", {"outcome": "satisfied"}), ("decide", {"finding": "upheld", "reason": "属实"}),
                          ("close", {})):  # fmt: skip
        assert api(world.supervisor).post(f"/complaints/{number}/{path}", payload).status_code == 200, path
    listed = api(world.alice).get("/complaints").json()
    assert listed["count"] == 1 and listed["results"][0]["finding"] == "upheld"
    assert api(world.outsider).get("/complaints").json()["count"] == 0
    assert api(world.head_a).get("/complaints", {"status": "closed"}).json()["count"] == 1
    assert api(world.head_a).get("/complaints", {"status": "bogus"}).status_code == 400
    assert api(None).get("/complaints").status_code == 401


def test_the_admin_sets_a_halls_answer_limit(world, as_user):
    from onewindow.personas import new_user

    root = new_user("root", "管理员")
    root.is_staff = root.is_superuser = True
    root.save()
    admin = as_user(root)
    assert admin.get("/admin/ratings/complaintlimit/add/").status_code == 200
    done = admin.post("/admin/ratings/complaintlimit/add/", {"hall": world.hall.pk, "answer_days": 3})
    assert done.status_code == 302
    refused = admin.post(
        "/admin/ratings/complaintlimit/add/", {"hall": world.other_hall.pk, "answer_days": 0}
    )
    assert refused.status_code == 200  # the form again: 1 to 60 working days
    assert complaints.answer_days_of(world.hall.pk) == 3
    assert complaints.answer_days_of(world.other_hall.pk) == 5
    assert admin.get("/admin/ratings/complaint/").status_code == 200
    # Read-only: changes go through the services.
    assert admin.get("/admin/ratings/complaint/add/").status_code == 403
