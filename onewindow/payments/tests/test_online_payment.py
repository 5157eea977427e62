"""网上缴费 (issue 15 item 3): the applicant pays her own case's checked notice through the
payment provider (here the demo's simulator); the provider's signed callback — the bank's
contract — marks it paid. Anything else is refused with its code and changes nothing."""

import os
import subprocess
import sys
from urllib.parse import urlsplit

import pytest

from onewindow.errors import DomainError
from onewindow.payments import services, simulator
from onewindow.payments.models import BankCallback, PaymentNotice
from onewindow.payments.providers import Order
from onewindow.payments.tests.fixtures import decided
from onewindow.personas import new_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def provider(settings, bank_secret):
    settings.ONEWINDOW_PAYMENT_PROVIDER = "simulator"


@pytest.fixture
def case(world, charged):
    return decided(world, charged)


@pytest.fixture
def notice(case, finance):
    """Alice's 40-yuan notice, checked by finance: payable."""
    return services.check_notice(PaymentNotice.objects.get(case=case), by=finance)


def _page(number: str) -> str:
    return f"/my/payments/{number}/"


def _checkout(client, notice) -> str:
    answer = client.post(_page(notice.number) + "pay/")
    assert answer.status_code == 302, answer.content.decode()
    assert answer["Location"].startswith("/dev/pay/")
    return answer["Location"]


def test_she_pays_through_the_provider_and_sees_it_paid(world, notice, provider, as_user):
    alice = as_user(world.alice)
    # given her notice page offers 去缴费
    page = alice.get(_page(notice.number)).content.decode()
    assert 'data-testid="form-pay-online"' in page and "40.00 元" in page and "未缴费" in page
    # when she goes to the provider and pays
    checkout = _checkout(alice, notice)
    shown = alice.get(checkout).content.decode()
    assert "模拟支付 · 仅供演示，不产生真实交易" in shown and "40.00 元" in shown
    back = alice.post(checkout, {"outcome": "paid"})
    # then the provider's callback marked it paid, and she is sent back to 已缴费
    assert back.status_code == 302 and back["Location"] == _page(notice.number) + "?result=paid"
    notice.refresh_from_db()
    assert (notice.state, notice.paid_via) == ("paid", "callback") and notice.bank_ref.startswith("SIM")
    record = BankCallback.objects.get()
    assert (record.outcome, record.notice, record.remote_addr, record.amount_fen) == (
        "ok",
        notice,
        "simulator",
        4000,
    )
    page = alice.get(back["Location"]).content.decode()
    assert "已缴费" in page and 'data-testid="form-pay-online"' not in page and "hx-trigger" not in page


@pytest.mark.parametrize("outcome", ["failed", "cancelled"])
def test_a_failed_or_cancelled_payment_leaves_the_notice_unpaid(world, notice, provider, as_user, outcome):
    alice = as_user(world.alice)
    back = alice.post(_checkout(alice, notice), {"outcome": outcome})
    assert back["Location"] == _page(notice.number) + f"?result={outcome}"
    notice.refresh_from_db()
    assert notice.state == "checked" and not BankCallback.objects.exists()
    page = alice.get(back["Location"]).content.decode()
    assert "仍为未缴费" in page and 'data-testid="form-pay-online"' in page


def test_the_return_page_polls_until_the_callback_lands(world, notice, provider, as_user):
    alice = as_user(world.alice)
    waiting = alice.get(_page(notice.number) + "?result=paid").content.decode()
    assert "正在等待支付机构的到账通知" in waiting and 'hx-trigger="every 2s"' in waiting
    simulator.pay(Order(notice.number, 4000, "", _page(notice.number)))
    landed = alice.get(_page(notice.number) + "state/?result=paid").content.decode()
    assert "已缴费" in landed and "hx-trigger" not in landed


def _refused(client, notice, code_text: str, status: int):
    answer = client.post(_page(notice.number) + "pay/")
    assert answer.status_code == status and code_text in answer.content.decode()


def test_a_notice_finance_has_not_checked_cannot_be_paid_yet(world, case, provider, as_user):
    notice = PaymentNotice.objects.get(case=case)
    alice = as_user(world.alice)
    assert "正在财务审核" in alice.get(_page(notice.number)).content.decode()
    _refused(alice, notice, "正在财务审核", 409)


def test_a_paid_notice_cannot_be_paid_again(world, notice, provider, as_user):
    alice = as_user(world.alice)
    checkout = _checkout(alice, notice)  # a second tab kept open
    alice.post(checkout, {"outcome": "paid"})
    _refused(alice, notice, "已缴费，不能重复缴费", 409)
    again = alice.post(checkout, {"outcome": "paid"})  # the old checkout: the callback refuses
    assert again.status_code == 409 and "payment.callback_already_paid" in again.content.decode()
    assert list(BankCallback.objects.values_list("outcome", flat=True).order_by("pk")) == [
        "ok",
        "already_paid",
    ]
    assert PaymentNotice.objects.get(pk=notice.pk).bank_ref == BankCallback.objects.get(outcome="ok").bank_ref


def test_a_cancelled_notice_cannot_be_paid(world, notice, provider, as_user):
    alice = as_user(world.alice)
    checkout = _checkout(alice, notice)
    services.cancel_notice(notice, by=world.head_a, reason="金额有误")
    _refused(alice, notice, "已作废", 409)
    assert alice.post(checkout, {"outcome": "paid"}).status_code == 409
    assert PaymentNotice.objects.get(pk=notice.pk).state == "cancelled"
    assert BankCallback.objects.get().outcome == "not_payable"


def test_without_a_provider_the_bank_window_is_the_way(world, notice, settings, as_user):
    settings.ONEWINDOW_PAYMENT_PROVIDER = ""
    alice = as_user(world.alice)
    assert "暂未开通网上缴费" in alice.get(_page(notice.number)).content.decode()
    _refused(alice, notice, "暂未开通网上缴费", 409)


def test_only_the_applicant_pays_her_notice(world, notice, provider, as_user):
    for stranger in (new_user("bob", "鲍勃"), world.clerk, world.head_a):
        client = as_user(stranger)
        assert client.get(_page(notice.number)).status_code == 404
        assert client.post(_page(notice.number) + "pay/").status_code == 404
    with pytest.raises(DomainError) as refused:
        services.start_online_payment(notice, by=world.clerk, return_url="/")
    assert refused.value.code == "payment.not_found"


def test_the_case_page_link_finds_the_notice_of_her_own_case(world, notice, as_user):
    answer = as_user(world.alice).get(f"/my/payments/cases/{notice.case.number}/")
    assert answer.status_code == 302 and answer["Location"] == _page(notice.number)
    assert (
        as_user(new_user("bob", "鲍勃")).get(f"/my/payments/cases/{notice.case.number}/").status_code == 404
    )


def test_the_provider_callback_is_the_bank_contract(world, notice, provider, settings):
    # a wrong amount is refused with its code, recorded, nothing changes
    with pytest.raises(DomainError) as wrong:
        simulator.pay(Order(notice.number, 400, "", "/"))
    assert wrong.value.code == "payment.callback_wrong_amount"
    # a provider signing with another secret is refused
    raw, sign = simulator.callback_for(Order(notice.number, 4000, "", "/"))
    settings.ONEWINDOW_BANK_CALLBACK_SECRET = "another-secret"
    with pytest.raises(DomainError) as forged:
        services.receive_callback(raw, sign)
    assert forged.value.code == "payment.callback_bad_signature"
    assert PaymentNotice.objects.get(pk=notice.pk).state == "checked"
    assert sorted(BankCallback.objects.values_list("outcome", flat=True)) == ["bad_signature", "wrong_amount"]


# ---- the simulator exists only in the demo --------------------------------------------------


def test_the_simulator_answers_404_when_it_is_off(world, notice, provider, settings, as_user, client):
    alice = as_user(world.alice)
    checkout = _checkout(alice, notice)
    assert client.get(checkout).status_code == 200  # the provider's page: no login of ours
    settings.ONEWINDOW_PAYMENT_PROVIDER = ""
    assert client.get(checkout).status_code == 404
    assert client.post(checkout, {"outcome": "paid"}).status_code == 404
    assert PaymentNotice.objects.get(pk=notice.pk).state == "checked" and not BankCallback.objects.exists()


def test_a_forged_simulator_token_answers_404(world, notice, provider, as_user, client):
    token = urlsplit(_checkout(as_user(world.alice), notice)).path.split("/")[3]
    assert client.get(f"/dev/pay/{token[:-2]}xy/").status_code == 404
    assert client.post(f"/dev/pay/{token[:-2]}xy/", {"outcome": "paid"}).status_code == 404


def _settings_with(**env) -> subprocess.CompletedProcess:
    """The settings module read in a fresh interpreter with `env` (and no other ONEWINDOW_/DEBUG)."""
    code = "from onewindow import settings; print(repr(settings.ONEWINDOW_PAYMENT_PROVIDER))"
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("ONEWINDOW_", "DEBUG"))}
    return subprocess.run([sys.executable, "-c", code], env=clean | env, capture_output=True, text=True)


def test_production_refuses_the_simulator():
    refused = _settings_with(
        ONEWINDOW_PRODUCTION="true",
        SECRET_KEY="production-key-" + "0123456789abcdef" * 3,  # passes the key check (issue 21)
        ALLOWED_HOSTS="zwfw.example.gov.cn",
        ONEWINDOW_PAYMENT_PROVIDER="simulator",
        ONEWINDOW_TRADING_KEY="A" * 43 + "=",
    )
    assert refused.returncode != 0 and "refused with ONEWINDOW_PRODUCTION=true" in refused.stderr
    assert _settings_with(DEBUG="true").stdout.strip() == "'simulator'"
    assert _settings_with(DEBUG="false").stdout.strip() == "''"
    # Outside DEBUG and the demo hall the simulator is production's too: refused.
    outside = _settings_with(ONEWINDOW_PAYMENT_PROVIDER="simulator")
    assert outside.returncode != 0 and "needs DEBUG=true or ONEWINDOW_DEMO=true" in outside.stderr
    demo = _settings_with(ONEWINDOW_DEMO="true", ONEWINDOW_PAYMENT_PROVIDER="simulator")
    assert demo.stdout.strip() == "'simulator'"


def test_her_case_page_fee_card_shows_the_state(world, notice, provider, as_user):
    alice = as_user(world.alice)
    url = f"/my/payments/cases/{notice.case.number}/"
    assert f'hx-get="{url}"' in alice.get(f"/my/cases/{notice.case.number}/").content.decode()
    card = alice.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "未缴费" in card and 'data-testid="go-pay"' in card
    simulator.pay(Order(notice.number, 4000, "", "/"))
    card = alice.get(url, HTTP_HX_REQUEST="true").content.decode()
    assert "已缴费" in card and 'data-testid="go-pay"' not in card
