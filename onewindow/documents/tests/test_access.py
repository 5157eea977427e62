"""Who gets a case's notices, and how: the hall prints them from the case page, the applicant
downloads them from their own case, systems fetch them through the API. Everyone else gets
404, as if the case did not exist; an anonymous visitor is sent to log in (pages) or 401 (API)."""

from urllib.parse import quote

import pytest

from onewindow.accounts.models import Applicant, User
from onewindow.documents.tests.pdfs import text_of
from onewindow.web.demo import id_number

pytestmark = pytest.mark.django_db


def _staff_url(case, kind="acceptance"):
    return f"/staff/cases/{case.number}/notices/{kind}.pdf"


def _my_url(case, kind="acceptance"):
    return f"/my/cases/{case.number}/notices/{kind}.pdf"


def _api_url(case, kind=None):
    return f"/api/v1/cases/{case.number}/notices" + (f"/{kind}" if kind else "")


@pytest.fixture
def bob(world):
    """Another citizen with a portal login: must never see Alice's notices."""
    user = User.objects.create_user(username="bob", password="x", display_name="鲍勃")
    Applicant.objects.create(kind=Applicant.Kind.NATURAL, name="鲍勃", id_number=id_number("37140219900101002"),
                             phone="13700001111", region=world.district, user=user)  # fmt: skip
    return user


def _is_pdf_of(answer, case):
    return (
        answer.status_code == 200
        and answer["Content-Type"] == "application/pdf"
        and case.number in text_of(answer.content)
    )


def test_the_hall_prints_a_notice_inline_with_a_chinese_file_name(world, accepted, as_user):
    answer = as_user(world.clerk).get(_staff_url(accepted))
    assert _is_pdf_of(answer, accepted)
    assert answer["Content-Disposition"] == (
        f'inline; filename="acceptance-{accepted.number}.pdf"; '
        f"filename*=UTF-8''{quote('受理通知书')}-{accepted.number}.pdf"
    )
    assert answer["Cache-Control"] == "private"


def test_the_department_and_the_hall_may_print_and_department_b_gets_404(world, accepted, as_user):
    for person in (world.clerk, world.reviewer_a, world.head_a, world.supervisor, world.hall_admin):
        assert _is_pdf_of(as_user(person).get(_staff_url(accepted)), accepted), person
    for person in (world.reviewer_b, world.outsider):
        answer = as_user(person).get(_staff_url(accepted))
        assert answer.status_code == 404 and "艾丽" not in answer.content.decode(), person


def test_the_applicant_downloads_only_their_own_notices(world, accepted, as_user, bob):
    assert _is_pdf_of(as_user(world.alice).get(_my_url(accepted)), accepted)
    assert as_user(bob).get(_my_url(accepted)).status_code == 404
    assert as_user(bob).get(_staff_url(accepted)).status_code == 404
    # a member of staff has no "own" cases on the applicant's page
    assert as_user(world.clerk).get(_my_url(accepted)).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in_and_the_api_answers_401(world, accepted, client):
    for url in (_staff_url(accepted), _my_url(accepted)):
        answer = client.get(url)
        assert answer.status_code == 302 and answer["Location"].startswith("/accounts/login/")
    for url in (_api_url(accepted), _api_url(accepted, "acceptance")):
        answer = client.get(url)
        assert answer.status_code == 401 and answer.json()["code"] == "auth.required"


def test_a_kind_the_case_has_not_had_is_404_and_an_unknown_kind_400(world, walk_in, accepted, as_user):
    submitted = walk_in()
    clerk = as_user(world.clerk)
    missing = clerk.get(_api_url(submitted, "acceptance"))
    assert missing.status_code == 404 and missing.json()["code"] == "notice.not_available"
    unknown = clerk.get(_api_url(accepted, "receipt"))
    assert unknown.status_code == 400 and unknown.json()["code"] == "notice.unknown_kind"
    page = clerk.get(_staff_url(accepted, "receipt"))
    assert page.status_code == 400 and "没有这种文书" in page.content.decode()
    assert clerk.get(_staff_url(submitted, "refusal")).status_code == 404


def test_the_api_lists_the_notices_with_their_urls_and_serves_the_pdf(world, accepted, as_user, settings):
    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.example.gov.cn"
    listed = as_user(world.reviewer_a).get(_api_url(accepted))
    assert listed.status_code == 200
    body = listed.json()
    assert body["count"] == 1
    [notice] = body["results"]
    assert notice["kind"] == "acceptance" and notice["kind_display"] == "受理通知书"
    assert (
        notice["issued_on"] == "2026-09-30" and notice["number"] == "测试市政务服务中心受字〔2026〕第0001号"
    )
    # below the hall's public address (onewindow.links), not the host the request came in by
    assert notice["url"] == f"https://zwfw.example.gov.cn/api/v1/cases/{accepted.number}/notices/acceptance"
    assert _is_pdf_of(as_user(world.reviewer_a).get(notice["url"]), accepted)
    # the applicant reaches their own case's notices through the API too; department B does not
    assert as_user(world.alice).get(_api_url(accepted)).json()["count"] == 1
    hidden = as_user(world.reviewer_b).get(_api_url(accepted))
    assert hidden.status_code == 404 and hidden.json()["code"] == "case.not_found"
    assert as_user(world.reviewer_b).get(_api_url(accepted, "acceptance")).status_code == 404


def test_the_case_pages_link_every_notice_the_case_has(world, walk_in, accepted, as_user):
    submitted = walk_in()
    staff_page = as_user(world.clerk).get(f"/staff/cases/{submitted.number}/").content.decode()
    assert 'data-testid="notices"' not in staff_page  # no written answer yet, nothing to print
    staff_page = as_user(world.clerk).get(f"/staff/cases/{accepted.number}/").content.decode()
    assert f'href="{_staff_url(accepted)}"' in staff_page and "打印受理通知书" in staff_page
    my_page = as_user(world.alice).get(f"/my/cases/{accepted.number}/").content.decode()
    assert f'href="{_my_url(accepted)}"' in my_page and "下载受理通知书" in my_page


def test_the_qr_code_lands_on_a_progress_form_with_the_number_filled_in(world, accepted, client):
    page = client.get(f"/progress/?number={accepted.number}").content.decode()
    assert f'value="{accepted.number}"' in page
