"""The pages: the comprehensive window applies for a walk-in applicant and accepts at once; the
applicant applies on the portal with one upload per material; the application page for staff
(a department sees only its own child) and for the applicant; the notice; public progress."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow import clock
from onewindow.bundles import services
from onewindow.bundles.models import BundleApplication
from onewindow.bundles.tests.conftest import ANSWERS, ASKED, MONDAY, ON_PAPER
from onewindow.bundles.tests.pdfs import read
from onewindow.cases.models import Case, CaseMaterial

pytestmark = pytest.mark.django_db
PDF = b"%PDF-1.4\n% a scan\n"


def window_post(world, **extra):
    data = {
        "applicant": world.alice_applicant.ref,
        "handed_in": [*ASKED, *ON_PAPER],
        **{f"f_{k}": v for k, v in ANSWERS.items()},
    }
    return data | extra


def test_the_clerk_applies_and_accepts_at_once_for_a_walk_in(world, startup, as_user):
    clerk = as_user(world.clerk)
    index = clerk.get("/staff/bundles/")
    assert index.status_code == 200 and "企业开办" in index.content.decode()
    found = clerk.post("/staff/bundles/T-QYKB/apply/find/", {"number": world.alice_applicant.id_number})
    assert found.status_code == 302 and world.alice_applicant.ref in found["Location"]
    page = clerk.get(found["Location"]).content.decode()
    assert page.count('name="f_enterprise_name"') == 1  # asked once for five items
    assert page.count('value="经办人授权委托书"') == 1 and "共用，只交一份" in page
    with clock.frozen(MONDAY):
        done = clerk.post("/staff/bundles/T-QYKB/apply/", window_post(world, accept="1"))
    application = BundleApplication.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/staff/bundle-applications/{application.number}/"
    assert application.accepted_on == MONDAY and application.channel == "window"
    shown = clerk.get(done["Location"]).content.decode()
    assert "办理中" in shown and shown.count('data-testid="child"') == 5 and "一件事受理通知书" in shown


def test_a_window_acceptance_that_fails_keeps_the_application_and_says_why(world, startup, as_user):
    clerk = as_user(world.clerk)
    handed = [*(n for n in ASKED if n != "涉税事项综合申请表"), *ON_PAPER]
    with clock.frozen(MONDAY):
        done = clerk.post(
            "/staff/bundles/T-QYKB/apply/", window_post(world, accept="1", handed_in=handed), follow=True
        )
    page = done.content.decode()
    assert "已接件，但未能受理" in page and "涉税事项综合申请表" in page
    # the clerk can notice or refuse now; 受理 is not offered while a material is missing (issue 14)
    assert "已接件" in page and 'data-testid="form-request-supplement"' in page
    assert 'data-testid="form-accept"' not in page and 'data-testid="accept-blocked"' in page
    assert BundleApplication.objects.get().accepted_on is None


def test_wrong_answers_come_back_next_to_their_fields(world, startup, as_user):
    answer = as_user(world.clerk).post("/staff/bundles/T-QYKB/apply/", window_post(world, f_employees="八个"))
    assert answer.status_code == 400
    assert "参保职工人数：应为数字" in answer.content.decode()
    assert not BundleApplication.objects.exists()


def test_a_reviewer_cannot_use_the_window_page(world, startup, as_user):
    assert as_user(world.reviewer_a).get("/staff/bundles/T-QYKB/apply/").status_code == 403


def test_the_applicant_applies_on_the_portal_with_one_upload_per_material(world, startup, as_user):
    alice = as_user(world.alice)
    assert alice.get("/bundles/T-QYKB/apply/").status_code == 200
    merged = {m.name: m.no for m in services.merged_materials(startup.bundle)}
    files = {f"m_{merged[name]}": SimpleUploadedFile(f"{name}.pdf", PDF, "application/pdf") for name in ASKED}
    with clock.frozen(MONDAY):
        done = alice.post("/bundles/T-QYKB/apply/", {**{f"f_{k}": v for k, v in ANSWERS.items()}, **files})
    application = BundleApplication.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/my/bundle-applications/{application.number}/"
    assert application.channel == "portal" and application.hall == world.hall
    proxies = CaseMaterial.objects.filter(case__bundle_number=application.number, name="经办人授权委托书")
    assert proxies.count() == 4 and len({m.file.name for m in proxies}) == 1  # stored once, shared by four
    assert "经办人授权委托书" not in proxies[0].file.name  # the applicant's file name never reaches the disk
    mine = alice.get(done["Location"]).content.decode()
    assert "已接件" in mine and mine.count('data-testid="child"') == 5


def test_a_login_without_an_applicant_cannot_apply(world, startup, as_user):
    assert as_user(world.outsider).get("/bundles/T-QYKB/apply/").status_code == 403


def test_who_sees_the_application_page(world, startup, applied, as_user):
    url = f"/staff/bundle-applications/{applied.number}/"
    children = {c.department.code: c.number for c in Case.objects.filter(bundle_number=applied.number)}
    own = as_user(world.reviewer_a).get(url).content.decode()
    assert children["T-A"] in own and not any(children[d] in own for d in ("T-D", "T-E", "T-F", "T-G"))
    # nor the other items' answers and materials
    assert (
        "注册资本" in own and "刻制印章" not in own and "公司章程" in own and "印章刻制备案信息表" not in own
    )
    everything = as_user(world.clerk).get(url).content.decode()
    assert "刻制印章" in everything and "印章刻制备案信息表" in everything
    assert as_user(world.reviewer_b).get(url).status_code == 404
    assert as_user(world.outsider).get(url).status_code == 404
    assert as_user(world.alice).get(url)["Location"] == f"/my/bundle-applications/{applied.number}/"
    assert as_user(world.outsider).get(f"/my/bundle-applications/{applied.number}/").status_code == 404
    assert as_user(world.supervisor).get(url).status_code == 200


def test_the_clerk_accepts_on_the_application_page(world, startup, applied, as_user):
    with clock.frozen(MONDAY):
        done = as_user(world.clerk).post(f"/staff/bundle-applications/{applied.number}/accept/")
    assert done.status_code == 302
    assert {c.status for c in Case.objects.filter(bundle_number=applied.number)} == {"in_review"}
    refused = as_user(world.reviewer_a).post(f"/staff/bundle-applications/{applied.number}/refuse/",
                                             {"reason": "x", "where_to_turn": "y"})  # fmt: skip
    assert refused.status_code == 403


def test_the_acceptance_notice(world, startup, applied, as_user):
    url = f"/staff/bundle-applications/{applied.number}/notice.pdf"
    assert as_user(world.clerk).get(url).status_code == 404  # not accepted yet
    with clock.frozen(MONDAY):
        services.accept(applied, by=world.clerk)
    answer = as_user(world.clerk).get(url)
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert "filename*=UTF-8''" in answer["Content-Disposition"]
    text, codes = read(answer.content)
    assert applied.number in text and "企业开办" in text and "2026年11月26日" in text
    for child in Case.objects.filter(bundle_number=applied.number).select_related(
        "department", "item_version"
    ):
        assert child.number in text and child.department.name in text and child.item_version.name in text
    assert codes == [f"{settings.ONEWINDOW_PUBLIC_URL}/bundles/{applied.number}/progress/"]
    assert as_user(world.alice).get(f"/my/bundle-applications/{applied.number}/notice.pdf").status_code == 200
    assert as_user(world.reviewer_b).get(url).status_code == 403
    assert as_user(world.reviewer_a).get(url).status_code == 403  # lists the other departments' cases


def test_public_progress_needs_the_number_and_the_phone_digits(world, startup, applied, client):
    url = f"/bundles/{applied.number}/progress/"
    assert client.get(url).status_code == 200
    wrong = client.post(url, {"phone_last4": "0000"})
    assert wrong.status_code == 404 and "不正确" in wrong.content.decode()
    right = client.post(url, {"phone_last4": world.alice_applicant.phone[-4:]}).content.decode()
    assert "企业开办" in right and right.count('data-testid="child"') == 5 and "已接件" in right
    assert "艾丽" not in right and world.alice_applicant.phone not in right
    for _ in range(20):
        last = client.post(url, {"phone_last4": "0000"})
    assert last.status_code == 429
