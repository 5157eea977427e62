"""The demo hall has a case for every notice, and every one of them prints: the case number,
the item and the due date (or, before acceptance, the date of the notice) in Chinese, and a QR
code to the case's progress page."""

import pytest
from django.core.management import call_command

from onewindow import clock
from onewindow.cases.models import Case
from onewindow.documents import demo, notices
from onewindow.documents.tests.pdfs import qr_codes_of, text_of

pytestmark = pytest.mark.django_db


def _key_date(case, kind):
    """The date each notice is about: the deadline once the clock runs; before acceptance (a
    one-time notice, a refusal) there is none yet, and the notice's own date is the one."""
    if kind in ("supplement_request", "refusal"):
        return clock.today()
    return case.due_on


def test_every_notice_kind_prints_for_a_demo_case(settings):
    settings.ONEWINDOW_PUBLIC_URL = "https://zwfw.dezhou.example"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # seeds the notices' demo cases too
    assert Case.objects.filter(form_data__demo__startswith="documents:").count() == len(notices.KINDS)
    assert demo.seed() == 0  # idempotent
    for kind in notices.KINDS:
        case = notices.case_for(Case.objects.get(form_data__demo=f"documents:{kind}").number)
        assert kind in [n.kind.code for n in notices.issued(case)], kind
        pdf = notices.render(case, kind)
        text = text_of(pdf)
        assert case.number in text and "食品经营许可（新办）" in text, kind
        assert notices.chinese_date(_key_date(case, kind)) in text, kind
        assert qr_codes_of(pdf) == [f"https://zwfw.dezhou.example/progress/?number={case.number}"], kind
