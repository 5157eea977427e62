"""The case pages as people use them: the clerk at the workbench, the case page's forms, the
department inbox, the applicant's own pages, the public progress page and the portal."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow import clock, pii
from onewindow.accounts.masking import mask_id, mask_phone
from onewindow.accounts.models import Applicant, User
from onewindow.cases import services
from onewindow.cases.models import Case, Channel, Status
from onewindow.catalog import search
from onewindow.personas import all_required, published_item
from onewindow.web.demo import id_number

pytestmark = pytest.mark.django_db
D = dt.date
MONDAY = D(2026, 11, 2)
PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def item(world):
    return published_item(world)


@pytest.fixture
def materials(item):
    """key: 申请书 (never tolerable); shared: 营业执照; tolerable: 管理制度."""
    by_name = {m.name: m for m in item.current.materials.all()}
    return {
        "key": by_name["食品经营许可申请书"],
        "shared": by_name["营业执照"],
        "tolerable": by_name["食品安全管理制度"],
    }


@pytest.fixture
def fresh_search():
    """The guided-search index is per process: build it from this test's catalog, and leave
    none behind for the next test (its rollback never commits, so nothing invalidates it)."""
    search.invalidate()
    yield
    search.invalidate()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _submit(world, item, applicant=None, handed_in=None) -> Case:
    return services.submit(version=item.current, applicant=applicant or world.alice_applicant, hall=world.hall,
                           channel=Channel.WINDOW, by=world.clerk,
                           handed_in=all_required(item.current) if handed_in is None else handed_in)  # fmt: skip


def _accepted(world, item, on=MONDAY, applicant=None) -> Case:
    with clock.frozen(on):
        return services.accept(_submit(world, item, applicant), by=world.clerk)


def _bob(world) -> User:
    bob = User.objects.create_user(username="bob", password="x", display_name="鲍勃")
    Applicant.objects.create(kind="natural", name="鲍勃", id_number=id_number("37140219800101002"),
                             phone="13700009999", region=world.district, user=bob)  # fmt: skip
    return bob


# ---- the window workbench ------------------------------------------------------------------


def test_it_registers_a_walk_in_finds_them_again_and_submits_at_the_workbench(
    world, item, materials, as_user
):
    # given a clerk and a walk-in citizen not yet known to the hall
    clerk = as_user(world.clerk)
    number = id_number("37140219900307001")
    # when the clerk registers them
    registered = clerk.post("/staff/workbench/applicants/", {"kind": "natural", "name": "李四", "id_number": number,
                            "phone": "13700001234", "region": world.district.code})  # fmt: skip
    # then the workbench continues with them, numbers masked
    applicant = Applicant.objects.get(id_number_digest=pii.digest("id_number", number))
    assert registered.status_code == 302 and registered.url == f"/staff/workbench/?applicant={applicant.ref}"
    page = clerk.get(registered.url).content.decode()
    assert "李四" in page and mask_id(number) in page and number not in page and "137****1234" in page
    # and the number finds them again (posted: the number stays out of the URL)
    found = clerk.post("/staff/workbench/find/", {"number": f" {number} "})
    assert found.status_code == 302 and found.url == registered.url
    # when the item is chosen, the checklist asks for the applicant's materials; the shared one
    # may be ticked as handed in on paper
    checklist = clerk.get(
        "/staff/workbench/", {"applicant": applicant.ref, "item": "T-SPJY-0001"}
    ).content.decode()
    assert f'name="handed_in" value="{materials["key"].pk}"' in checklist
    assert f'name="handed_in" value="{materials["shared"].pk}"' in checklist and "共享获取" in checklist
    # and the clerk submits with both materials ticked
    submitted = clerk.post("/staff/workbench/submit/", {"applicant": applicant.ref, "item": "T-SPJY-0001",
                           "handed_in": [materials["key"].pk, materials["tolerable"].pk]})  # fmt: skip
    # then the case exists and its page opens
    case = Case.objects.get(applicant=applicant)
    assert submitted.status_code == 302 and submitted.url == f"/staff/cases/{case.number}/"
    assert (case.channel, case.hall, case.status) == ("window", world.hall, "submitted")
    # (a new applicant holds no license: the shared 营业执照 is missing, 证照共享 found none)
    assert [m.state for m in case.materials.order_by("material__order")] == [
        "received",
        "missing",
        "received",
    ]
    page = clerk.get(submitted.url).content.decode()
    assert case.number in page and "已接件" in page and "接件" in page
    # a required material is missing: 受理 (which the service would refuse) is not offered; the
    # one-time notice and the window receipt of the paper copy are (issue 14: allowed_actions)
    assert 'data-testid="form-accept"' not in page
    assert 'data-testid="form-request-supplement"' in page and 'data-testid="form-receive"' in page


def test_it_shows_why_a_walk_in_cannot_be_registered(world, as_user):
    clerk = as_user(world.clerk)
    wrong = id_number("37140219900307001")[:-1] + ("0" if id_number("37140219900307001")[-1] != "0" else "1")
    answer = clerk.post("/staff/workbench/applicants/", {"kind": "natural", "name": "李四", "id_number": wrong,
                        "phone": "13700001234", "region": world.district.code})  # fmt: skip
    assert answer.status_code == 400 and "身份证号码校验位不正确" in answer.content.decode()
    again = clerk.post("/staff/workbench/applicants/", {"kind": "natural", "name": "艾丽", "phone": "13912345678",
                       "id_number": world.alice_applicant.id_number, "region": world.district.code})  # fmt: skip
    assert again.status_code == 409 and "该证件号码的申请人已登记" in again.content.decode()
    assert Applicant.objects.count() == 1


def test_it_offers_registration_when_nobody_has_the_number(world, as_user):
    answer = as_user(world.clerk).post("/staff/workbench/find/", {"number": id_number("37140219900307001")})
    page = answer.content.decode()
    assert answer.status_code == 404 and "未找到该证件号码的申请人" in page and "登记新申请人" in page


def test_it_finds_items_as_the_clerk_types(world, item, fresh_search, as_user):
    partial = as_user(world.clerk).get("/staff/workbench/", {"q": "开饭店", "applicant": world.alice_applicant.ref},
                                       HTTP_HX_REQUEST="true").content.decode()  # fmt: skip
    assert partial.lstrip().startswith('<div id="item-hits"')
    assert f"applicant={world.alice_applicant.ref}&amp;item=T-SPJY-0001" in partial


def test_it_keeps_the_workbench_for_window_staff(world, as_user):
    assert as_user(world.reviewer_a).get("/staff/workbench/").status_code == 403
    assert as_user(world.alice).post("/staff/workbench/find/", {"number": "x"}).status_code == 403


# ---- the case page and its forms -----------------------------------------------------------


def test_a_clerk_accepts_a_complete_case_and_cannot_accept_an_incomplete_one(world, item, as_user):
    clerk = as_user(world.clerk)
    complete, incomplete = _submit(world, item), _submit(world, item, handed_in=[])
    with clock.frozen(MONDAY):
        accepted = clerk.post(f"/staff/cases/{complete.number}/accept/")
        refused = clerk.post(f"/staff/cases/{incomplete.number}/accept/")
    assert accepted.status_code == 302 and accepted.url == f"/staff/cases/{complete.number}/"
    complete.refresh_from_db()
    assert (complete.status, complete.due_on) == (Status.IN_REVIEW, D(2026, 11, 9))
    assert refused.status_code == 409 and "材料不齐全，不能受理" in refused.content.decode()
    assert Case.objects.get(pk=incomplete.pk).status == Status.SUBMITTED


def test_a_one_time_notice_lists_each_material_with_its_note(world, item, materials, as_user):
    clerk = as_user(world.clerk)
    case = _submit(world, item, handed_in=[materials["shared"].pk])  # the 营业执照 on paper
    key, tolerable = materials["key"].pk, materials["tolerable"].pk
    no_note = clerk.post(f"/staff/cases/{case.number}/request-supplement/",
                         {"material": [key, tolerable], f"note_{key}": "申请书未签字"})  # fmt: skip
    assert no_note.status_code == 400 and "请写明“食品安全管理制度”需如何补正" in no_note.content.decode()
    answer = clerk.post(f"/staff/cases/{case.number}/request-supplement/", {
        "material": [key, tolerable], f"note_{key}": "申请书未签字", f"defective_{key}": "on",
        f"note_{tolerable}": "缺少食品安全管理制度",
    })  # fmt: skip
    assert answer.status_code == 302
    case.refresh_from_db()
    assert case.status == Status.SUPPLEMENT_REQUESTED
    notes = {m.name: (m.state, m.note) for m in case.materials.all()}
    assert notes["食品经营许可申请书"] == ("defective", "申请书未签字")
    assert notes["食品安全管理制度"] == ("missing", "缺少食品安全管理制度")
    page = clerk.get(f"/staff/cases/{case.number}/").content.decode()
    assert "一次性告知补正" in page and 'data-testid="form-supplement"' in page


def test_a_refusal_needs_a_reason_and_where_to_turn(world, item, as_user):
    clerk = as_user(world.clerk)
    case = _submit(world, item)
    half = clerk.post(f"/staff/cases/{case.number}/refuse/", {"reason": "不属于本中心职权范围"})
    assert half.status_code == 400 and "不予受理须写明理由" in half.content.decode()
    assert Case.objects.get(pk=case.pk).status == Status.SUBMITTED
    answer = clerk.post(f"/staff/cases/{case.number}/refuse/", {"reason": "不属于本中心职权范围",
                        "where_to_turn": "德城区市场监督管理局"})  # fmt: skip
    assert answer.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome) == (Status.REFUSED, "refused")
    history = clerk.get(f"/staff/cases/{case.number}/").content.decode()
    assert "不予受理" in history and "可向德城区市场监督管理局申请" in history


def test_the_reviewer_reviews_and_the_head_decides_from_the_case_page(world, item, as_user):
    case = _accepted(world, item)
    reviewer, head = as_user(world.reviewer_a), as_user(world.head_a)
    page = reviewer.get(f"/staff/cases/{case.number}/").content.decode()
    assert 'data-testid="form-review"' in page and 'data-testid="form-decide"' not in page
    assert 'data-testid="form-accept"' not in page
    assert head.get(f"/staff/cases/{case.number}/").content.decode().count('data-testid="form-decide"') == 0
    assert (
        reviewer.post(f"/staff/cases/{case.number}/review/", {"opinion": "经审查，符合条件"}).status_code
        == 302
    )
    page = head.get(f"/staff/cases/{case.number}/").content.decode()
    assert 'data-testid="form-decide"' in page and "经审查，符合条件" in page
    unreasoned = head.post(f"/staff/cases/{case.number}/decide/", {"approve": "no"})
    assert unreasoned.status_code == 400 and "不予准予须写明理由" in unreasoned.content.decode()
    assert head.post(f"/staff/cases/{case.number}/decide/", {"approve": "yes"}).status_code == 302
    case.refresh_from_db()
    assert (case.status, case.outcome) == (Status.CLOSED, "approved")
    history = head.get(f"/staff/cases/{case.number}/").content.decode()
    for action in ("接件", "受理", "审查", "决定"):
        assert f'data-testid="action">{action}</td>' in history, action


def test_special_procedures_and_an_extension_move_the_deadline(world, item, as_user):
    case = _accepted(world, item)  # due 11-09
    reviewer, head = as_user(world.reviewer_a), as_user(world.head_a)
    with clock.frozen(D(2026, 11, 3)):
        wrong = reviewer.post(f"/staff/cases/{case.number}/suspend/",
                              {"kind": "expert_review", "reason": "专家评审", "expected_days": "-3"})  # fmt: skip
        assert wrong.status_code == 400 and "预计工作日应为1至365之间的整数" in wrong.content.decode()
        suspended = reviewer.post(f"/staff/cases/{case.number}/suspend/",
                                  {"kind": "expert_review", "reason": "专家评审", "expected_days": "2"})  # fmt: skip
        assert suspended.status_code == 302
        assert 'data-testid="form-resume"' in reviewer.get(f"/staff/cases/{case.number}/").content.decode()
    with clock.frozen(D(2026, 11, 5)):
        assert reviewer.post(f"/staff/cases/{case.number}/resume/").status_code == 302
        too_long = head.post(f"/staff/cases/{case.number}/extend/", {"days": "11", "reason": "情况复杂"})
        assert too_long.status_code == 400 and "延期应为1至10个工作日" in too_long.content.decode()
        assert (
            head.post(f"/staff/cases/{case.number}/extend/", {"days": "3", "reason": "情况复杂"}).status_code
            == 302
        )
    case.refresh_from_db()
    assert (case.status, case.extra_days, case.extended, case.due_on) == (
        Status.IN_REVIEW,
        5,
        True,
        D(2026, 11, 16),
    )


def test_reviewer_b_gets_404_for_a_department_a_case_and_changes_nothing(world, item, as_user):
    case = _submit(world, item)
    bella = as_user(world.reviewer_b)
    assert bella.get(f"/staff/cases/{case.number}/").status_code == 404
    for action in ("accept", "request-supplement", "refuse", "review", "decide", "suspend", "withdraw"):
        answer = bella.post(f"/staff/cases/{case.number}/{action}/", {"reason": "x", "approve": "yes"})
        assert answer.status_code == 404, action
        assert "艾丽" not in answer.content.decode()
    after = Case.objects.get(pk=case.pk)
    assert (after.status, after.event_count) == (Status.SUBMITTED, 1)


def test_an_unknown_action_is_404(world, item, as_user):
    case = _submit(world, item)
    assert as_user(world.clerk).post(f"/staff/cases/{case.number}/approve-everything/").status_code == 404


# ---- the department inbox ------------------------------------------------------------------


def test_the_inbox_shows_lights_most_urgent_first_and_only_its_department(world, item, as_user):
    # given three cases of Alice's in department A due 11-09, 11-11, 11-13, and Bob's in department B
    red, yellow, green = (_accepted(world, item, on=day) for day in (MONDAY, D(2026, 11, 4), D(2026, 11, 6)))
    other = published_item(world, code="T-ZJ-0001", name="建筑工程施工许可", department=world.dept_b.code)
    b_case = _accepted(world, other, applicant=_bob(world).applicant)
    # when department A's reviewer opens the inbox on Tuesday 11-10
    with clock.frozen(D(2026, 11, 10)):
        page = as_user(world.reviewer_a).get("/staff/inbox/").content.decode()
        only_red = as_user(world.reviewer_a).get("/staff/inbox/", {"light": "red"}).content.decode()
        bellas = as_user(world.reviewer_b).get("/staff/inbox/").content.decode()
    # then each light is counted and shown, the most urgent first
    assert [page.index(c.number) for c in (red, yellow, green)] == sorted(
        page.index(c.number) for c in (red, yellow, green)
    )
    for light, label in (("red", "红灯"), ("yellow", "黄灯"), ("green", "绿灯")):
        assert (
            f'data-testid="tab-{light}"><span class="dot {light}"></span>{label} <strong>1</strong>' in page
        )
        assert f'class="badge {light}"' in page
    assert red.number in only_red and yellow.number not in only_red and green.number not in only_red
    # and only the viewer's own department appears
    assert b_case.number not in page
    assert b_case.number in bellas and red.number not in bellas and "艾丽" not in bellas


def test_the_inbox_is_for_department_staff(world, as_user):
    assert as_user(world.clerk).get("/staff/inbox/").status_code == 403
    assert as_user(world.alice).get("/staff/inbox/").status_code == 403


# ---- the applicant's pages -----------------------------------------------------------------


def test_my_cases_shows_only_my_own(world, item, materials, as_user):
    bob = _bob(world)
    mine = _submit(world, item, handed_in=[materials["shared"].pk, materials["tolerable"].pk])
    theirs = _submit(world, item, applicant=bob.applicant)
    services.request_supplement(
        mine, by=world.clerk, items=[{"material": materials["key"].pk, "note": "请补交申请书原件"}]
    )
    alice = as_user(world.alice)
    listing = alice.get("/my/cases/").content.decode()
    assert mine.number in listing and theirs.number not in listing
    assert alice.get(f"/my/cases/{theirs.number}/").status_code == 404
    detail = alice.get(f"/my/cases/{mine.number}/").content.decode()
    assert (
        "待补正" in detail
        and "一次性告知" in detail
        and "食品经营许可申请书（缺少）：请补交申请书原件" in detail
    )
    assert mine.number not in as_user(world.outsider).get("/my/cases/").content.decode()
    # the staff page of one's own case leads to one's own page, and its forms are not for her
    assert alice.get(f"/staff/cases/{mine.number}/").url == f"/my/cases/{mine.number}/"
    assert alice.post(f"/staff/cases/{mine.number}/withdraw/").status_code == 403
    assert Case.objects.get(pk=mine.pk).status == Status.SUPPLEMENT_REQUESTED


# ---- the public progress page --------------------------------------------------------------


def test_progress_needs_the_number_and_the_phones_last_four_and_shows_no_personal_data(world, item, client):
    case = _accepted(world, item)
    no_digits = client.post("/progress/", {"number": case.number})
    assert (
        no_digits.status_code == 400 and "请输入办件编号和申请人手机号码后四位" in no_digits.content.decode()
    )
    no_number = client.post("/progress/", {"phone_last4": "5678"})
    assert no_number.status_code == 400
    wrong = client.post("/progress/", {"number": case.number, "phone_last4": "0000"})
    assert wrong.status_code == 404 and "办件编号或手机号码后四位不正确" in wrong.content.decode()
    found = client.post("/progress/", {"number": case.number, "phone_last4": "5678"})
    page = found.content.decode()
    assert found.status_code == 200
    for shown in ("办理中", "食品经营许可（新办）", "测试市场监管局", "2026-11-02", "2026-11-09", "审查"):
        assert shown in page, shown
    applicant = world.alice_applicant
    for secret in ("艾丽", applicant.id_number, mask_id(applicant.id_number), applicant.phone,
                   mask_phone(applicant.phone)):  # fmt: skip
        assert secret not in page, secret


def test_progress_tells_the_applicant_when_the_case_is_past_its_deadline(world, item, client):
    """Due Monday 2026-11-09 (five working days from 11-02): on the 9th it is on time; on the
    10th the page and the API say 已超期 and where to turn (the staff's red light, one rule)."""
    case = _accepted(world, item)
    asked = {"number": case.number, "phone_last4": "5678"}
    with clock.frozen(dt.datetime(2026, 11, 9, 10, tzinfo=clock.hall_tz())):
        page = client.post("/progress/", asked).content.decode()
        assert 'data-testid="overdue"' not in page and "12345 政务服务便民热线" not in page
        assert client.get("/api/v1/progress", asked).json()["overdue"] is False
    with clock.frozen(dt.datetime(2026, 11, 10, 10, tzinfo=clock.hall_tz())):
        page = client.post("/progress/", asked).content.decode()
        assert '<strong class="badge red" data-testid="overdue">已超期</strong>' in page
        assert "本件已超过办结期限，仍在办理中。您可拨打 12345 政务服务便民热线" in page
        assert client.get("/api/v1/progress", asked).json()["overdue"] is True


def test_progress_answers_429_after_20_tries(world, item, client):
    case = _submit(world, item)
    for _ in range(20):
        assert client.post("/progress/", {"number": case.number, "phone_last4": "0000"}).status_code == 404
    blocked = client.post("/progress/", {"number": case.number, "phone_last4": "5678"})
    assert blocked.status_code == 429 and "查询过于频繁" in blocked.content.decode()


def test_the_portal_home_links_the_progress_page(world, client):
    assert 'href="/progress/"' in client.get("/").content.decode()


# ---- the portal application ----------------------------------------------------------------


def test_an_applicant_applies_online_with_a_pdf(world, item, materials, media, as_user):
    alice = as_user(world.alice)
    assert 'href="/items/T-SPJY-0001/apply/"' in alice.get("/items/T-SPJY-0001/").content.decode()
    form = alice.get("/items/T-SPJY-0001/apply/").content.decode()
    assert (
        f'name="material_{materials["key"].pk}"' in form
        and f'name="material_{materials["shared"].pk}"' not in form
    )
    upload = SimpleUploadedFile("艾丽-申请书.pdf", PDF, content_type="application/pdf")
    answer = alice.post("/items/T-SPJY-0001/apply/", {f"material_{materials['key'].pk}": upload})
    case = Case.objects.get(applicant=world.alice_applicant)
    assert answer.status_code == 302 and answer.url == f"/my/cases/{case.number}/"
    assert (case.channel, case.hall, case.status) == (Channel.PORTAL, world.hall, Status.SUBMITTED)
    row = case.materials.get(material=materials["key"])
    assert row.state == "received" and row.file.name.startswith("cases/") and row.file.name.endswith(".pdf")
    assert "艾丽" not in row.file.name and len(row.file.name.rsplit("/", 1)[1]) == len("0" * 32 + ".pdf")
    assert (media / row.file.name).read_bytes() == PDF
    assert case.materials.get(material=materials["tolerable"]).state == "missing"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("setup.exe", b"MZ\x90\x00", "只能上传 PDF、JPG 或 PNG 格式的文件"),
        ("setup.pdf", b"MZ\x90\x00", "文件内容与扩展名不符"),
        ("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "每份材料不能超过 10 MB"),
    ],
)
def test_it_refuses_files_that_are_not_small_pdfs_or_images(world, item, materials, media, as_user, name, content,
                                                            message):  # fmt: skip
    upload = SimpleUploadedFile(name, content)
    answer = as_user(world.alice).post(
        "/items/T-SPJY-0001/apply/", {f"material_{materials['key'].pk}": upload}
    )
    assert answer.status_code == 400 and message in answer.content.decode()
    assert not Case.objects.exists()
    assert not any(media.rglob("*.*"))


def test_applying_online_needs_an_applicant(world, item, as_user):
    answer = as_user(world.outsider).get("/items/T-SPJY-0001/apply/")
    assert answer.status_code == 403 and 'href="/register/"' in answer.content.decode()
