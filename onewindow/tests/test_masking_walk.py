"""Every page and every GET answer of the demo, as every persona, shows no applicant's full ID
number or phone, and no credit code masked (docs/decisions/0018-masking.md): the one masking
presenter (accounts/masking.py) is the only way personal data reaches a body.

A full number may reach a body only for a role accounts.queries.may_unmask allows, and then a
PersonalDataRead row must record the read. The demo is seeded once for the module; the URL
patterns come from the resolver (pages) and /api/v1/openapi.json (GET operations), their
parameters filled from demo data; PDFs are read back with pdftotext."""

import datetime as dt
import itertools
import json
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import Client

from onewindow import clock
from onewindow.accounts import masking
from onewindow.accounts.models import Applicant, PersonalDataRead, User
from onewindow.accounts.queries import may_unmask
from onewindow.conftest import fresh_process_caches
from onewindow.documents.tests.pdfs import text_of
from onewindow.tests.url_patterns import url_patterns

pytestmark = pytest.mark.django_db

PERSONAS = ["anonymous", "zhangwei", "luwei", "clerk", "reviewer_sp", "head_sp", "supervisor", "admin",
            "hotline", "agent", "finance", "bank"]  # fmt: skip
CASES_PER_APPLICANT = 2
# Rendering a notice costs ~0.5 s: each kind is read once by the applicant (their own cases, the
# applicant's link), once through the API (clerk) and once as the staff PDF (head).
PDF_ROUTES = {
    "zhangwei": "/my/cases/{number}/notices/{kind}.pdf",
    "luwei": "/my/cases/{number}/notices/{kind}.pdf",
    "clerk": "/api/v1/cases/{number}/notices/{kind}",
    "head_sp": "/staff/cases/{number}/notices/{kind}.pdf",
}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo hall, seeded once and rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        fresh_process_caches()  # the module's fixture runs before the first test's autouse one
        call_command("seed_demo", stdout=open("/dev/null", "w"))
        _bundle_application()
        yield _values()
        transaction.set_rollback(True)


def _bundle_application() -> None:
    """A 企业开办 bundle, accepted at the window, its contact phone the applicant's own. Its
    applicant is 张伟, who sets the company up: 企业开办 refuses a company that exists already
    (鲁味餐饮 holds a credit code; issue 15)."""
    from onewindow.bundles import services as bundles
    from onewindow.cases.models import Channel
    from onewindow.catalog.models import Bundle

    clerk, founder = User.objects.get(username="clerk"), Applicant.objects.get(user__username="zhangwei")
    bundle = Bundle.objects.get(code="YJS-QYKB")
    answers = {"enterprise_name": "德州示例科技有限公司", "enterprise_type": "有限责任公司", "legal_representative": "李明",
               "registered_address": "德州市德城区天衢路1号", "registered_capital": "50", "business_scope": "餐饮管理",
               "contact_phone": founder.phone, "seal_kinds": "公章", "bank_name": "德州银行", "bank_account": "6222",
               "invoice_needed": "是", "employees": "6", "deposit_ratio": "12"}  # fmt: skip
    with clock.frozen(dt.date(2026, 11, 2)):  # a Monday
        handed = [m.name for m in bundles.merged_materials(bundle) if m.required]
        application = bundles.apply(bundle=bundle, applicant=founder, form_data=answers, materials=handed,
                                    by=clerk, channel=Channel.WINDOW, hall=clerk.staff.hall)  # fmt: skip
        bundles.accept(application, by=clerk)


def _values() -> dict:
    from onewindow.accounts.models import Department, Hall, Region
    from onewindow.bundles.models import BundleApplication
    from onewindow.cases.models import Case
    from onewindow.catalog.models import Bundle, ServiceItem
    from onewindow.licenses.models import License
    from onewindow.payments.models import PaymentNotice
    from onewindow.projects.models import Project
    from onewindow.queueing.models import Ticket

    cases = []
    for applicant in Applicant.objects.all():
        cases += list(Case.objects.filter(applicant=applicant).order_by("-pk")[:CASES_PER_APPLICANT])
    cases += list(Case.objects.filter(pk__in=License.objects.values("case")).order_by("pk")[:1])
    cases += list(Case.objects.filter(pk__in=PaymentNotice.objects.values("case")).order_by("pk")[:1])
    hall = Hall.objects.get(code="371400-zwfw")
    ticket = Ticket.objects.filter(hall=hall).order_by("pk").first()
    return {
        "regions": [Region.objects.order_by("code").values_list("code", flat=True).first()],
        "halls": [hall.code],
        "departments": list(Department.objects.filter(code="371400-xzsp").values_list("code", flat=True)),
        "items": list(ServiceItem.objects.filter(pk__in=Case.objects.values("item_version__item")).values_list("code", flat=True)[:2]),
        "bundles": list(Bundle.objects.values_list("code", flat=True)[:1]),
        "projects": list(Project.objects.values_list("code", flat=True)[:2]),
        "cases": sorted({c.number for c in cases}),
        "licenses": list(License.objects.values_list("number", flat=True)[:2]),
        "payments": list(PaymentNotice.objects.values_list("number", flat=True)[:2]),
        "bundle-applications": list(BundleApplication.objects.values_list("number", flat=True)[:2]),
        "tickets": [ticket.number] if ticket else [],
        "refs": list(Applicant.objects.values_list("ref", flat=True)),
    }  # fmt: skip


def _candidates(route: str, name: str, values: dict) -> list[str]:
    """What a path parameter means depends on the segment before it."""
    segment = re.search(r"([\w-]+)/[<{](?:\w+:)?" + name + r"[>}]", route)
    previous = segment.group(1) if segment else ""
    if name in ("hall", "hall_code"):
        return values["halls"]
    if name == "ref":
        return values["refs"]
    if name == "date":
        return ["2026-10-08"]
    if name == "order":
        return ["1"]
    if name == "number":
        if "ticket" in route:
            return values["tickets"]
        if previous == "cases":
            return values["cases"]
        if previous in ("bundle-applications", "bundles"):
            return values["bundle-applications"]
        if previous in ("payments", "notices"):
            return values["payments"]
        if previous == "licenses":
            return values["licenses"]
    if name == "code":
        if previous in ("catalog",):
            return values["items"]
        if previous == "silent-consents":
            return values["projects"]
        return values.get(previous, [])
    return []


def _fill(route: str, values: dict) -> list[str]:
    names = re.findall(r"[<{](?:\w+:)?(\w+)[>}]", route)
    if "kind" in names:
        names.remove("kind")
    choices = [_candidates(route, name, values) for name in names]
    urls = []
    for combo in itertools.product(*choices):
        url = route
        for name, value in zip(names, combo, strict=True):
            url = re.sub(r"[<{](?:\w+:)?" + name + r"[>}]", value, url, count=1)
        urls.append(url)
    return urls


def _urls(values: dict, client: Client) -> list[str]:
    routes = []
    for route, _pattern, namespace in url_patterns():
        if namespace == "admin" or route.startswith("api/") or "(?P" in route or "<path:" in route:
            continue
        if "<str:action>" in route or route.endswith(("logout/", "retry/")):
            continue  # posted actions
        if route.endswith("checklist.pdf") or "<str:kind>" in route:
            continue  # PDFs: a catalog checklist holds no personal data; notices in _notice_urls
        routes.append("/" + route)
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    routes += [path for path, ops in schema["paths"].items() if "get" in ops and "{kind}" not in path]
    routes += ["/admin/accounts/applicant/", "/admin/accounts/staff/"]
    routes += [
        f"/admin/accounts/applicant/{pk}/change/" for pk in Applicant.objects.values_list("pk", flat=True)
    ]
    urls = []
    for route in routes:
        urls += _fill(route, values)
    return urls


def _notice_urls(persona: str) -> list[str]:
    """One URL per notice kind (of a case of this persona's, for an applicant)."""
    from onewindow.cases.models import Case
    from onewindow.documents import notices

    if persona not in PDF_ROUTES:
        return []
    cases = Case.objects.filter(form_data__demo__startswith="documents:").order_by("pk")
    if persona in ("zhangwei", "luwei"):
        cases = cases.filter(applicant__user__username=persona)
    seen, urls = set(), []
    for case in cases:
        for kind in {n.kind.code for n in notices.issued(notices.case_for(case.number))} - seen:
            seen.add(kind)
            urls.append(PDF_ROUTES[persona].format(number=case.number, kind=kind))
    return urls


def _client(username: str) -> Client:
    client = Client()
    if username != "anonymous":
        client.force_login(User.objects.get(username=username))
    return client


def _body(answer) -> str:
    content = b"".join(answer.streaming_content) if answer.streaming else answer.content
    if content.startswith(b"%PDF"):
        return text_of(content)
    return content.decode(errors="replace")


def _secrets() -> list[tuple[Applicant, str, str]]:
    """(applicant, what, the text that must not show): full numbers, and codes masked."""
    secrets = []
    for applicant in Applicant.objects.all():
        if applicant.id_number:
            secrets.append((applicant, "身份证号码", applicant.id_number))
        if applicant.phone:
            secrets.append((applicant, "手机号码", applicant.phone))
        if applicant.credit_code:
            secrets.append((applicant, "信用代码被遮盖", masking.mask_id(applicant.credit_code)))
    return secrets


@pytest.mark.parametrize("persona", PERSONAS)
def test_no_page_or_answer_shows_an_unmasked_number(demo, persona):
    client = _client(persona)
    user = User.objects.filter(username=persona).first()
    secrets = _secrets()
    urls = _urls(demo, client) + _notice_urls(persona)
    leaks, fetched = [], 0
    for url in urls:
        answer = client.get(url)
        assert answer.status_code < 500, f"{persona} GET {url}: {answer.status_code}"
        if answer.status_code != 200:
            continue
        fetched += 1
        body = _body(answer)
        for applicant, what, text in secrets:
            if text not in body:
                continue
            allowed = (
                what != "信用代码被遮盖"
                and user is not None
                and may_unmask(user, applicant)
                and PersonalDataRead.objects.filter(user=user, applicant=applicant).exists()
            )
            if not allowed:
                leaks.append(f"{url} shows {applicant.name}'s {what} {text}")
    assert leaks == [], f"{persona}: {leaks}"
    assert fetched >= 10, f"{persona}: only {fetched} pages answered"
