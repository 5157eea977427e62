"""Agency pages as the people who use them: the public directory (admitted only; C on the warning
list, D in the 黑名单 section; filters), an agency's page (phone masked for the public; an
application only for its own account and hall management), the agency's workbench (apply, edit,
exit refused with its reason) and hall management's admission page (others 403)."""

import pytest

from onewindow import clock
from onewindow.market import agencies
from onewindow.market.models import Agency, YearGrade
from onewindow.market.tests.conftest import MONDAY, credit_code
from onewindow.market.tests.test_agencies import QUAL, application
from onewindow.personas import new_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(world, market, new_agency):
    return make_cast(new_agency)


def make_cast(new_agency) -> dict:
    """An agency in every state, and graded ones."""
    a = new_agency(1, grade="A", types=("CH",))
    c = new_agency(2, grade="C", types=("HP",))
    d = new_agency(3, grade="D", types=("CH",))
    ungraded = new_agency(4, types=("FL",))
    names = {
        a: "德州远景测绘有限公司",
        c: "德州环评咨询有限公司",
        d: "德州失信测量有限公司",
        ungraded: "德州避雷检测中心",
    }
    for agency, name in names.items():
        agency.name = name
        agency.save(update_fields=["name"])
    hidden = {status: new_agency(10 + i, status=status) for i, status in enumerate(
        [Agency.Status.APPLIED, Agency.Status.REFUSED, Agency.Status.EXITED, Agency.Status.EXPELLED])}  # fmt: skip
    for i, agency in enumerate(hidden.values()):
        agency.name = f"不应公示的机构{i}"
        agency.save(update_fields=["name"])
    return {"A": a, "C": c, "D": d, "none": ungraded, **hidden}


def _section(html: str, start: str, end: str | None = None) -> str:
    part = html.split(start, 1)[1]
    return part.split(end, 1)[0] if end else part


def test_the_directory_shows_admitted_agencies_and_the_blacklist_apart(client, cast):
    page = client.get("/market/agencies/")
    assert page.status_code == 200
    html = page.content.decode()
    listed = _section(html, 'data-testid="directory"', 'data-testid="blacklist"')
    blacklist = _section(html, 'data-testid="blacklist"')
    for shown in ("德州远景测绘有限公司", "德州环评咨询有限公司", "德州避雷检测中心"):
        assert shown in listed and shown not in blacklist
    assert "德州失信测量有限公司" in blacklist and "德州失信测量有限公司" not in listed
    assert "C级 · 警示名单" in listed and "暂未评级" in listed and "A级" in listed
    assert "不应公示的机构" not in html
    assert page.context["page"].paginator.count == 3


@pytest.mark.parametrize(("query", "expected"), [
    ({"service_type": "CH"}, ["德州远景测绘有限公司"]),
    ({"service_type": "HP"}, ["德州环评咨询有限公司"]),
    ({"grade": "C"}, ["德州环评咨询有限公司"]),
    ({"grade": "none"}, ["德州避雷检测中心"]),
    ({"q": "远景"}, ["德州远景测绘有限公司"]),
    ({"q": "不应公示"}, []),
])  # fmt: skip
def test_the_directory_filters(client, cast, query, expected):
    page = client.get("/market/agencies/", query)
    assert [a.name for a in page.context["page"]] == expected


def test_an_agency_page_for_the_public(client, cast, market):
    agency = cast["C"]
    YearGrade.objects.create(agency=agency, year=2025, points="68.50", grade="C", status="published",
                             computed_at=MONDAY, published_at=MONDAY, contracts=4, on_time_rate="0.7500")  # fmt: skip
    YearGrade.objects.create(
        agency=agency, year=2026, points="95", grade="A", status="computed", computed_at=MONDAY
    )
    agency.fee_commitment = "按收费标准下浮25%"
    agency.save()
    page = client.get(f"/market/agencies/{agency.ref}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert agency.credit_code in html and "按收费标准下浮25%" in html and "警示名单" in html
    assert agency.phone not in html and f"{agency.phone[:3]}****{agency.phone[-4:]}" in html
    assert "2025年度" in html and "68.50" in html and "75%" in html
    assert "2026年度" not in html  # computed, not published
    assert "ZS-HP-2" in html and "2027-12-31" in html
    assert 'data-testid="events"' not in html and 'data-testid="actions' not in html


@pytest.mark.parametrize("state", ["applied", "refused", "exited", "expelled"])
def test_an_agency_not_admitted_is_404_to_the_public_and_other_staff(client, as_user, world, cast, state):
    agency = cast[state]
    assert client.get(f"/market/agencies/{agency.ref}/").status_code == 404
    assert as_user(world.clerk).get(f"/market/agencies/{agency.ref}/").status_code == 404
    own = as_user(agency.user).get(f"/market/agencies/{agency.ref}/")
    assert own.status_code == 200 and agency.phone in own.content.decode()
    assert 'href="/staff/"' not in own.content.decode()  # the frame still knows it is no staff member
    assert as_user(world.supervisor).get(f"/market/agencies/{agency.ref}/").status_code == 200
    assert client.get("/market/agencies/AG000000NONE/").status_code == 404


def test_a_portal_user_applies_on_the_workbench(as_user, world, market):
    user = new_user("tongxin", "德州同信测绘有限公司")
    c = as_user(user)
    page = c.get("/my/market/agency/")
    assert page.status_code == 200 and 'data-testid="apply-form"' in page.content.decode()
    fields = application()
    form = {k: v for k, v in fields.items() if isinstance(v, str)}
    form.update({f"q-0-{k}": v for k, v in QUAL.items()})
    form.update(
        {"q-1-service_type": "", "q-1-certificate_no": "", "s-0-name": "孙悦", "s-0-title": "注册测绘师"}
    )
    good = credit_code(501)
    wrong = {**form, "credit_code": good[:17] + ("0" if good[17] != "0" else "1")}
    refused = c.post("/my/market/agency/", wrong)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert "校验位不正确" in html and "德州同信测绘有限公司" in html and "乙测资字37500123" in html  # kept
    assert not Agency.objects.exists()
    with clock.frozen(MONDAY):
        done = c.post("/my/market/agency/", form)
    assert done.status_code == 302 and done.url == "/my/market/agency/"
    agency = Agency.objects.get(user=user)
    assert agency.status == "applied" and agency.qualifications.count() == 1 and agency.staff.count() == 1
    html = c.get("/my/market/agency/").content.decode()
    assert "待审核" in html and 'data-testid="form-profile"' in html and 'data-testid="form-exit"' in html


def test_the_workbench_edits_and_refuses_an_exit_with_its_reason(
    as_user, world, market, new_agency, post, register
):
    agency = new_agency(1)
    c = as_user(agency.user)
    answer = c.post("/my/market/agency/profile/", {"name": agency.name, "legal_representative": "李明",
                                                   "phone": "0534-2222333", "fee_commitment": "下浮10%"})  # fmt: skip
    assert answer.status_code == 302
    agency.refresh_from_db()
    assert agency.phone == "0534-2222333" and agency.fee_commitment == "下浮10%"
    answer = c.post("/my/market/agency/qualifications/", {"q-0-service_type": "CH", "q-0-certificate_no": "N1",
                                                          "q-0-valid_from": "2026-01-01", "q-0-valid_until": "2025-01-01"})  # fmt: skip
    assert answer.status_code == 400 and "有效期至早于有效期起" in answer.content.decode()
    register(post(), agency)
    page = c.get("/my/market/agency/").content.decode()
    assert 'data-testid="form-exit"' not in page and "暂不能退出" in page and "报名中" in page
    answer = c.post("/my/market/agency/exit/", {"reason": "不做了"})
    assert answer.status_code == 409 and "请先撤回报名" in answer.content.decode()
    assert c.post("/my/market/agency/nonsense/").status_code == 404


def test_the_workbench_is_for_portal_accounts(client, as_user, world):
    assert client.get("/my/market/agency/").status_code == 302  # to the login
    assert as_user(world.clerk).get("/my/market/agency/").status_code == 403
    assert as_user(world.alice).post("/my/market/agency/exit/").status_code == 404  # no agency


def test_the_admission_page_is_hall_managements(as_user, world, market, cast):
    applied = cast["applied"]
    page = as_user(world.hall_admin).get("/staff/market/agencies/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'data-testid="pending-{applied.ref}"' in html and applied.credit_code in html
    assert f'data-testid="expel-{cast["A"].ref}"' in html and f'data-testid="expel-{applied.ref}"' not in html
    for other in (world.clerk, world.reviewer_a, world.alice, applied.user):
        assert as_user(other).get("/staff/market/agencies/").status_code == 403
        assert as_user(other).post(f"/staff/market/agencies/{applied.ref}/admit/").status_code == 403
    applied.refresh_from_db()
    assert applied.status == "applied"
    answer = as_user(world.supervisor).post(f"/staff/market/agencies/{applied.ref}/refuse/", {"note": ""})
    assert answer.status_code == 400 and "请填写不予通过的理由" in answer.content.decode()
    answer = as_user(world.supervisor).post(f"/staff/market/agencies/{applied.ref}/admit/", {"note": "同意"})
    assert answer.status_code == 302 and answer.url == "/staff/market/agencies/"
    applied.refresh_from_db()
    assert applied.status == "admitted" and applied.decided_by == world.supervisor
    answer = as_user(world.hall_admin).post(f"/staff/market/agencies/{applied.ref}/admit/")
    assert answer.status_code == 409 and "已入驻" in answer.content.decode()
    answer = as_user(world.hall_admin).post(f"/staff/market/agencies/{cast['A'].ref}/expel/",
                                            {"reason": "违规", "back": "detail"})  # fmt: skip
    assert answer.status_code == 302 and answer.url == f"/market/agencies/{cast['A'].ref}/"
    assert as_user(world.hall_admin).post("/staff/market/agencies/AGNONE/admit/").status_code == 404


def test_the_links(client, as_user, world, market):
    assert 'href="/market/agencies/"' in client.get("/").content.decode()
    labels = [link["label"] for link in as_user(world.hall_admin).get("/staff/").context["staff_links"]]
    assert "中介机构入驻审核" in labels
    labels = [link["label"] for link in as_user(world.clerk).get("/staff/").context["staff_links"]]
    assert "中介机构入驻审核" not in labels
    assert 'href="/my/market/agency/"' in as_user(world.alice).get("/my/").content.decode()


def test_the_agency_steps_through_the_page_leave_events(as_user, world, market):
    user = new_user("tongxin", "德州同信测绘有限公司")
    with clock.frozen(MONDAY):
        agency = agencies.apply(by=user, **application())
    as_user(world.hall_admin).post(f"/staff/market/agencies/{agency.ref}/admit/", {"note": "同意"})
    page = as_user(world.hall_admin).get(f"/market/agencies/{agency.ref}/").content.decode()
    assert "审核通过" in page and "申请入驻" in page and 'data-testid="form-expel"' in page


def test_the_admin_screens(as_user, world, cast):
    admin = world.hall_admin
    admin.is_staff = admin.is_superuser = True
    admin.save()
    c = as_user(admin)
    for model in (
        "servicetype",
        "feerelief",
        "marketsettings",
        "agency",
        "agencyevent",
        "yeargrade",
        "misconduct",
    ):
        assert c.get(f"/admin/market/{model}/").status_code == 200, model
    assert c.get("/admin/market/servicetype/add/").status_code == 200
    assert c.get("/admin/market/agency/add/").status_code == 403  # agencies apply on the portal
    page = c.get(f"/admin/market/agency/{cast['A'].pk}/change/")
    html = page.content.decode()
    assert page.status_code == 200 and cast["A"].credit_code in html and "ZS-CH-1" in html
    assert cast["A"].phone not in html  # masked
    c.post("/admin/market/marketsettings/add/", {"long_list_size": 7, "short_list_size": 3, "weight_evaluation": 60,
                                                 "weight_on_time": 40, "deduct_complaint": 5, "deduct_violation": 10,
                                                 "grade_a_min": 90, "grade_b_min": 75, "grade_c_min": 60,
                                                 "appeal_days": 10})  # fmt: skip
    assert c.get("/admin/market/marketsettings/add/").status_code == 403  # one row
