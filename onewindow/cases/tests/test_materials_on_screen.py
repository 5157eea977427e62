"""材料在线查阅 and 网上补正 (issue 15 item 2): uploaded files open inline for the staff who may see
the case and for its applicant, 404 for anyone else; every read is logged, refused ones too; a
PDF gets page thumbnails; the clerk marks each material 合格 / 需补正, the one-time notice is
prefilled from the marks; the applicant supplements online and the case returns to 网上预审."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow import clock
from onewindow.accounts.models import Applicant, Role
from onewindow.cases import pre_review, services, thumbnails
from onewindow.cases.models import Case, CaseEvent, CaseMaterial, Channel, MaterialFile, MaterialRead, Status
from onewindow.errors import Conflict, DomainError, NotFound
from onewindow.notify.models import Message
from onewindow.personas import new_staff, new_user, published_item

pytestmark = pytest.mark.django_db

D = dt.date
DAY = D(2026, 11, 2)  # a Monday


def two_page_pdf(text: str = "申请书") -> bytes:
    from weasyprint import HTML

    html = f"<p>{text} 第一页</p><p style='page-break-before: always'>{text} 第二页</p>"
    return HTML(string=html).write_pdf()


def png() -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def food(world):
    return published_item(world)


def material(version, order):
    return version.materials.get(order=order)


def upload(name, content):
    return SimpleUploadedFile(name, content)


@pytest.fixture
def online(world, food, media):
    """Alice's online application: 1 申请书 as a two-page PDF, 3 管理制度 as a PNG."""
    version = food.current
    files = {
        material(version, 1).pk: upload("a.pdf", two_page_pdf()),
        material(version, 3).pk: upload("b.png", png()),
    }
    with clock.frozen(DAY):
        case = services.submit(version=version, applicant=world.alice_applicant, hall=world.hall,
                               channel=Channel.PORTAL, by=world.alice, handed_in=list(files), files=files)  # fmt: skip
    return case


def rows(case):
    return {m.material.order: m for m in case.materials.select_related("material")}


@pytest.fixture
def people(world):
    """Everyone the access matrix asks, with the status each gets for the case's file."""
    bob = new_user("bob", "鲍勃")
    Applicant.objects.create(kind=Applicant.Kind.NATURAL, name="鲍勃", id_number="110101199003077777",
                             phone="13900000009", region=world.district, user=bob)  # fmt: skip
    other_clerk = new_staff("clerk_other", "欧克", Role.CLERK, world.other_hall, phone="13800000011")
    return {
        "alice": (world.alice, 200),  # the applicant who owns the case
        "clerk": (world.clerk, 200),  # a clerk of the receiving hall
        "reviewer_a": (world.reviewer_a, 200),  # the item's department
        "head_a": (world.head_a, 200),
        "reviewer_b": (world.reviewer_b, 404),  # another department's reviewer
        "clerk_other_hall": (other_clerk, 404),
        "bob": (bob, 404),  # another citizen
        "outsider": (world.outsider, 404),
    }


def file_url(case, row, suffix="file/"):
    return f"/cases/{case.number}/materials/{row.pk}/{suffix}"


def test_the_file_access_matrix_and_every_read_logged(world, online, people, as_user, client):
    pdf = rows(online)[1]
    for name, (user, status) in people.items():
        answer = as_user(user).get(file_url(online, pdf))
        assert answer.status_code == status, name
        read = MaterialRead.objects.filter(user=user).get()
        assert (read.case_id, read.material_id, read.kind) == (online.pk, pdf.pk, "file"), name
        assert read.result == ("served" if status == 200 else "refused"), name
        if status == 404:  # nothing of the case is revealed
            assert online.number not in answer.content.decode() and b"%PDF" not in answer.content
    # anonymous: sent to log in first (nothing served, the login page asks who it is)
    answer = client.get(file_url(online, pdf))
    assert answer.status_code == 302 and "login" in answer.url
    assert MaterialRead.objects.count() == len(people)
    # a material of another case, or none, under this case's number: 404, logged as not found
    assert as_user(world.clerk).get(f"/cases/{online.number}/materials/999999/file/").status_code == 404
    assert MaterialRead.objects.filter(user=world.clerk, result="not_found", material=None).count() == 1
    # and the material page itself is as hidden as the file
    assert as_user(world.reviewer_b).get(file_url(online, pdf, "")).status_code == 404
    assert as_user(world.reviewer_a).get(file_url(online, pdf, "")).status_code == 200


def test_there_is_no_public_path_to_a_stored_file(world, online, client, as_user):
    stored = rows(online)[1].file.name
    for path in (f"/media/{stored}", f"/{stored}", f"/static/{stored}"):
        assert as_user(world.clerk).get(path).status_code == 404, path
        assert client.get(path).status_code in (302, 404), path


def test_files_open_inline_with_their_type_and_a_restrictive_policy(world, online, as_user):
    clerk = as_user(world.clerk)
    pdf, image = rows(online)[1], rows(online)[3]
    answer = clerk.get(file_url(online, pdf))
    assert answer["Content-Type"] == "application/pdf"
    assert answer["Content-Disposition"].startswith("inline;")
    assert answer["X-Content-Type-Options"] == "nosniff" and "no-store" in answer["Cache-Control"]
    assert "default-src 'none'" in answer["Content-Security-Policy"]
    assert b"".join(answer.streaming_content).startswith(b"%PDF-")
    answer = clerk.get(file_url(online, image))
    assert answer["Content-Type"] == "image/png" and answer["Content-Disposition"].startswith("inline;")
    assert answer["X-Content-Type-Options"] == "nosniff"
    assert (
        "sandbox" in answer["Content-Security-Policy"]
        and "default-src 'none'" in answer["Content-Security-Policy"]
    )


def test_a_pdf_gets_page_thumbnails_cached_and_each_read_logged(world, online, as_user, media):
    pdf = rows(online)[1]
    clerk = as_user(world.clerk)
    page = clerk.get(file_url(online, pdf, "")).content.decode()
    assert 'data-testid="thumbnails"' in page and "共2页" in page
    assert f"/cases/{online.number}/materials/{pdf.pk}/pages/2.png" in page
    answer = clerk.get(file_url(online, pdf, "pages/1.png"))
    assert answer.status_code == 200 and answer["Content-Type"] == "image/png"
    assert b"".join(answer.streaming_content).startswith(b"\x89PNG")
    assert clerk.get(file_url(online, pdf, "pages/3.png")).status_code == 404  # there is no page 3
    assert list(MaterialRead.objects.filter(kind="page").order_by("pk").values_list("page", "result")) == [
        (1, "served"), (3, "not_found")]  # fmt: skip
    assert as_user(world.reviewer_b).get(file_url(online, pdf, "pages/1.png")).status_code == 404
    assert MaterialRead.objects.filter(user=world.reviewer_b, kind="page", result="refused").count() == 1
    # rendered once: the cache answers the next look
    cached = thumbnails.cache_dir(pdf.file.name)
    assert sorted(p.name for p in cached.glob("p*.png")) == ["p1.png", "p2.png"]


def test_thumbnails_are_bounded_and_a_broken_pdf_has_none(world, online, as_user, monkeypatch, food, media):
    monkeypatch.setattr(thumbnails, "MAX_PAGES", 1)
    pdf = rows(online)[1]
    page = as_user(world.clerk).get(file_url(online, pdf, "")).content.decode()
    assert "共2页，以下为前1页的缩略图" in page
    assert as_user(world.clerk).get(file_url(online, pdf, "pages/2.png")).status_code == 404
    # a file that starts like a PDF but is none: no thumbnails, the original is still offered
    version = food.current
    broken = upload("c.pdf", b"%PDF-1.4\nnot really a pdf\n")
    with clock.frozen(DAY):
        case = services.submit(version=version, applicant=world.alice_applicant, hall=world.hall, channel=Channel.PORTAL,
                               by=world.alice, handed_in=[material(version, 1).pk], files={material(version, 1).pk: broken})  # fmt: skip
    row = rows(case)[1]
    page = as_user(world.clerk).get(file_url(case, row, "")).content.decode()
    assert 'data-testid="no-thumbnails"' in page and 'data-testid="open-file"' in page


def test_the_clerk_marks_materials_and_the_notice_is_prefilled_from_the_marks(world, online, as_user):
    clerk = as_user(world.clerk)
    one, three = rows(online)[1], rows(online)[3]
    with clock.frozen(DAY + dt.timedelta(days=1)):
        # 需补正 needs a note; only staff of the case's scope may mark
        with pytest.raises(DomainError) as refused:
            services.mark_material(online, by=world.clerk, material=one.material_id, mark="needs_correction")
        assert refused.value.code == "case.notice_note_required"
        with pytest.raises(NotFound):
            services.mark_material(online, by=world.reviewer_b, material=one.material_id, mark="passed")
        with pytest.raises(DomainError) as refused:  # 2 营业执照 was not handed in
            services.mark_material(
                online, by=world.clerk, material=rows(online)[2].material_id, mark="passed"
            )
        assert refused.value.code == "case.material_not_received"
        answer = clerk.post(f"/staff/cases/{online.number}/mark-material/",
                            {"material": one.material_id, "mark": "needs_correction", "note": "申请书未签字"})  # fmt: skip
        assert answer.status_code == 302
        services.mark_material(online, by=world.clerk, material=three.material_id, mark="passed")
    one, three = rows(online)[1], rows(online)[3]
    assert (one.mark, one.mark_note, one.marked_by, one.marked_at.date()) == (
        "needs_correction", "申请书未签字", world.clerk, DAY + dt.timedelta(days=1))  # fmt: skip
    assert three.mark == "passed"
    events = CaseEvent.objects.filter(case=online, action="mark_material").order_by("seq")
    assert [(e.payload["materials"], e.payload["mark"]) for e in events] == [
        (["食品经营许可申请书"], "needs_correction"), (["食品安全管理制度"], "passed")]  # fmt: skip
    # 受理 waits while a material is marked 需补正
    with pytest.raises(Conflict) as refused:
        services.accept(Case.objects.get(pk=online.pk), by=world.clerk)
    assert refused.value.code == "case.materials_marked"
    # the case page's notice form is prefilled from the marks
    page = clerk.get(f"/staff/cases/{online.number}/").content.decode()
    notice = page.split('data-testid="form-request-supplement"')[1].split("</form>")[0]
    assert f'name="material" value="{one.material_id}" checked' in notice
    assert 'value="申请书未签字"' in notice and f'name="defective_{one.material_id}" checked' in notice
    assert f'name="material" value="{three.material_id}" checked' not in notice
    assert "审核需补正" in page  # the materials table shows the mark
    # and a notice leaving the marked material out is refused (one-time: every defect at once)
    with pytest.raises(DomainError) as refused:
        services.request_supplement(Case.objects.get(pk=online.pk), by=world.clerk,
                                    items=[{"material": rows(online)[2].material_id, "note": "请提交营业执照"}])  # fmt: skip
    assert refused.value.code == "case.notice_incomplete" and "食品经营许可申请书" in refused.value.message


def _noticed(world, case):
    one, two = rows(case)[1], rows(case)[2]
    with clock.frozen(DAY + dt.timedelta(days=1)):
        services.mark_material(case, by=world.clerk, material=one.material_id, mark="needs_correction",
                               note="申请书未签字")  # fmt: skip
        services.request_supplement(case, by=world.clerk, items=[
            {"material": one.material_id, "note": "申请书未签字", "defective": True},
            {"material": two.material_id, "note": "请提交营业执照"}])  # fmt: skip
    return Case.objects.get(pk=case.pk)


def test_the_applicant_supplements_online_and_the_case_returns_to_the_queue(world, online, as_user, media):
    case = _noticed(world, online)
    old = rows(case)[1].file.name
    # told by SMS, with the online way
    sms = Message.objects.filter(subject_key=case.number, event="supplement_requested").get()
    assert "在线上传补正材料" in sms.text and "食品经营许可申请书" in sms.text
    alice = as_user(world.alice)
    page = alice.get(f"/my/cases/{case.number}/").content.decode()
    assert 'data-testid="form-online-supplement"' in page and "可以在下方直接上传" in page
    assert case.number not in {c.number for c in pre_review.queue(world.clerk)}
    later = D(2026, 11, 5)
    with clock.frozen(later):
        answer = alice.post(f"/my/cases/{case.number}/supplement/", {
            f"material_{rows(case)[1].material_id}": upload("fixed.pdf", two_page_pdf("已签字")),
            f"material_{rows(case)[2].material_id}": upload("licence.png", png())})  # fmt: skip
        assert answer.status_code == 302 and answer.url == f"/my/cases/{case.number}/"
        case = Case.objects.get(pk=case.pk)
        assert (case.status, case.intake_from) == (Status.SUBMITTED, later)  # art. 32's 5 days again
        queued = {c.number: c for c in pre_review.queue(world.clerk)}
        assert case.number in queued and queued[case.number].answer_due == D(2026, 11, 12)
    one = rows(case)[1]
    assert one.state == "received" and one.file.name != old and (one.mark, one.mark_note) == ("", "")
    # nothing is lost: the replaced file stays, in the material's history, readable by staff
    earlier = MaterialFile.objects.get(material=one)
    assert (earlier.file.name, earlier.mark, earlier.mark_note, earlier.replaced_by) == (
        old, "needs_correction", "申请书未签字", world.alice)  # fmt: skip
    assert (media / old).exists() and (media / one.file.name).exists()
    clerk = as_user(world.clerk)
    assert 'data-testid="earlier-files"' in clerk.get(file_url(case, one, "")).content.decode()
    answer = clerk.get(file_url(case, one, f"earlier/{earlier.pk}/"))
    assert answer.status_code == 200 and b"".join(answer.streaming_content).startswith(b"%PDF-")
    assert MaterialRead.objects.filter(earlier_file=earlier, result="served").count() == 1
    assert as_user(world.reviewer_b).get(file_url(case, one, f"earlier/{earlier.pk}/")).status_code == 404
    # the clerk now accepts
    with clock.frozen(later):
        services.accept(case, by=world.clerk)
    assert Case.objects.get(pk=case.pk).status == Status.IN_REVIEW


@pytest.mark.parametrize(("name", "content", "message"), [
    ("fixed.exe", b"MZ\x90\x00", "只能上传 PDF、JPG 或 PNG 格式的文件"),
    ("fixed.pdf", b"MZ\x90\x00", "文件内容与扩展名不符"),
    ("fixed.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "每份材料不能超过 10 MB"),
])  # fmt: skip
def test_a_bad_upload_is_refused_and_changes_nothing(world, online, as_user, media, name, content, message):
    case = _noticed(world, online)
    before = sorted(p.name for p in media.rglob("*.*"))
    one = rows(case)[1]
    answer = as_user(world.alice).post(f"/my/cases/{case.number}/supplement/",
                                       {f"material_{one.material_id}": upload(name, content)})  # fmt: skip
    assert answer.status_code == 400 and message in answer.content.decode()
    after = Case.objects.get(pk=case.pk)
    assert (after.status, after.intake_from, after.event_count) == (
        case.status,
        case.intake_from,
        case.event_count,
    )
    assert rows(after)[1].file.name == one.file.name and not MaterialFile.objects.exists()
    assert sorted(p.name for p in media.rglob("*.*")) == before


def test_online_the_applicant_supplements_only_with_files(world, online):
    case = _noticed(world, online)
    with pytest.raises(DomainError) as refused:
        services.supplement(case, by=world.alice, materials=[rows(case)[1].material_id])
    assert refused.value.code == "case.portal_material_without_file"
    assert Case.objects.get(pk=case.pk).status == Status.SUPPLEMENT_REQUESTED


def test_another_citizen_cannot_supplement_or_see_the_form(world, online, people, as_user):
    case = _noticed(world, online)
    bob = people["bob"][0]
    answer = as_user(bob).post(f"/my/cases/{case.number}/supplement/",
                               {f"material_{rows(case)[1].material_id}": upload("x.pdf", two_page_pdf())})  # fmt: skip
    assert answer.status_code == 404
    assert Case.objects.get(pk=case.pk).status == Status.SUPPLEMENT_REQUESTED


def test_the_read_log_on_the_case_page_and_in_the_admin(world, online, as_user, people):
    pdf = rows(online)[1]
    as_user(world.reviewer_b).get(file_url(online, pdf))  # refused
    as_user(world.clerk).get(file_url(online, pdf))
    page = as_user(world.clerk).get(f"/staff/cases/{online.number}/").content.decode()
    log = page.split('data-testid="material-reads"')[1].split("</table>")[0]
    assert "查阅记录" in page and "贝拉" in log and "柯萝" in log and "无权查阅" in log and "已查阅" in log
    assert "查阅记录" not in as_user(world.alice).get(f"/my/cases/{online.number}/").content.decode()
    admin = new_user("root", "管理员")
    admin.is_superuser = admin.is_staff = True
    admin.save()
    listing = as_user(admin).get("/admin/cases/materialread/")
    assert listing.status_code == 200 and online.number in listing.content.decode()
    assert as_user(admin).get("/admin/cases/materialread/add/").status_code == 403


def test_after_a_supplement_only_what_it_handed_in_may_be_marked_for_correction(world, online, media):
    case = _noticed(world, online)
    with clock.frozen(D(2026, 11, 5)):
        services.supplement(case, by=world.alice, materials=[rows(case)[1].material_id, rows(case)[2].material_id],
                            files={rows(case)[1].material_id: upload("f.pdf", two_page_pdf()),
                                   rows(case)[2].material_id: upload("g.png", png())})  # fmt: skip
        with pytest.raises(DomainError) as refused:  # 3 was received and not noticed: no new demand
            services.mark_material(case, by=world.clerk, material=rows(case)[3].material_id,
                                   mark="needs_correction", note="新问题")  # fmt: skip
        assert refused.value.code == "case.notice_new_demand"
        services.mark_material(case, by=world.clerk, material=rows(case)[1].material_id, mark="passed")
    assert CaseMaterial.objects.get(pk=rows(case)[1].pk).mark == "passed"


def test_the_api_marks_a_material_and_shows_the_mark(world, online, api):
    answer = api(world.clerk).post(f"/cases/{online.number}/mark-material",
                                   {"no": 1, "mark": "needs_correction", "note": "申请书未签字"})  # fmt: skip
    assert answer.status_code == 200, answer.json()
    first = next(m for m in answer.json()["materials"] if m["no"] == 1)
    assert (first["mark"], first["mark_note"]) == ("needs_correction", "申请书未签字")
    refused = api(world.clerk).post(f"/cases/{online.number}/mark-material", {"no": 1, "mark": "maybe"})
    assert refused.status_code == 400 and refused.json()["code"] == "case.mark"
    assert api(world.reviewer_b).post(f"/cases/{online.number}/mark-material",
                                      {"no": 1, "mark": "passed"}).status_code == 404  # fmt: skip
    assert CaseMaterial.objects.get(case=online, material__order=1).mark == "needs_correction"
