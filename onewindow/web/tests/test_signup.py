"""注册 and 认领 (issue 15 item 4; decision 24): a citizen registered at a window claims that
record online with the SMS code sent to the phone on file; a stranger learns nothing from the
page about whether an ID number is on file; codes are hashed, expire, and die after 5 wrong tries;
sending is limited per ID number and per address a day."""

import datetime as dt
import re

import pytest

from onewindow import clock, pii
from onewindow.accounts.models import Applicant, SignupCode, User
from onewindow.cases import services as cases
from onewindow.cases.models import Case, Channel
from onewindow.notify.models import Event, Message
from onewindow.personas import all_required, published_item
from onewindow.web import signup
from onewindow.web.demo import id_number

pytestmark = pytest.mark.django_db

NEW_ID = id_number("37140219900315301")
WALK_IN_ID = id_number("37140219700520402")
BARE_ID = id_number("37140219650909503")  # registered at a window without a mobile phone
ON_FILE_PHONE = "13705341234"
TYPED_PHONE = "13911112222"
FORM = {"kind": "natural", "name": "王秀兰", "phone": TYPED_PHONE, "region": "371402000000",
        "password": "Wang-xiulan-2026"}  # fmt: skip


@pytest.fixture
def walk_in(world):
    """王秀兰, registered at the window with her mobile phone, no portal login, one window case."""
    applicant = Applicant.objects.create(kind="natural", name="王秀兰", id_number=WALK_IN_ID, phone=ON_FILE_PHONE,
                                         region=world.district)  # fmt: skip
    item = published_item(world)
    case = cases.submit(version=item.current, applicant=applicant, hall=world.hall, channel=Channel.WINDOW,
                        by=world.clerk, handed_in=all_required(item.current))  # fmt: skip
    return applicant, case


@pytest.fixture
def bare(world):
    return Applicant.objects.create(kind="natural", name="赵大爷", id_number=BARE_ID, phone="05342688001",
                                    region=world.district)  # fmt: skip


def _register(client, number, username, **fields):
    return client.post("/register/", {**FORM, "id_number": number, "username": username, **fields})


def _code_sent_to(phone) -> str:
    [message] = [m for m in Message.objects.filter(event=Event.SIGNUP_CODE) if m.phone == phone]
    return re.search(r"验证码(\d{6})", message.text).group(1)


def _verify_page(client) -> str:
    html = client.get("/register/verify/").content.decode()
    return re.sub(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"', "", html)


def test_a_new_citizen_signs_up_with_the_code_sent_to_the_phone_typed(world, client):
    answer = _register(client, NEW_ID, "zhangsan")
    assert answer.status_code == 302 and answer.url == "/register/verify/"
    code = _code_sent_to(TYPED_PHONE)
    done = client.post("/register/verify/", {"code": code})
    assert done.status_code == 302 and done.url == "/my/"
    user = User.objects.get(username="zhangsan")
    assert Applicant.objects.get(
        id_number_digest=pii.digest("id_number", NEW_ID)
    ).user == user and user.check_password(FORM["password"])
    assert "注册成功" in client.get("/my/").content.decode()


def test_a_window_applicant_claims_the_record_and_sees_the_window_case(walk_in, client):
    applicant, case = walk_in
    _register(client, WALK_IN_ID, "wangxl", name="王小兰")
    # the code went to the phone on file, and nothing to the phone typed
    assert TYPED_PHONE not in [m.phone for m in Message.objects.all()]
    code = _code_sent_to(ON_FILE_PHONE)
    assert (
        "关联您在政务服务中心窗口登记的信息"
        in next(m for m in Message.objects.all() if m.phone == ON_FILE_PHONE).text
    )
    page = _verify_page(client)
    assert "139****2222" in page and ON_FILE_PHONE not in page and "137****1234" not in page
    assert client.post("/register/verify/", {"code": code}).url == "/my/"
    applicant.refresh_from_db()
    user = User.objects.get(username="wangxl")
    assert applicant.user == user and user.display_name == "王秀兰"  # the name the window checked
    assert Applicant.objects.filter(id_number_digest=pii.digest("id_number", WALK_IN_ID)).count() == 1
    assert case.number in client.get("/my/cases/").content.decode()


def test_the_page_says_the_same_whether_the_id_number_is_on_file_or_not(world, walk_in, bare, client_factory):
    """New, on file, on file with a login (艾丽), on file without a mobile phone: the same answer
    to step 1, the same step-2 page, word for word."""
    pages = []
    for i, number in enumerate([NEW_ID, WALK_IN_ID, world.alice_applicant.id_number, BARE_ID]):
        client = client_factory()
        answer = _register(client, number, f"stranger{i}")
        assert (answer.status_code, answer.url) == (302, "/register/verify/")
        pages.append(_verify_page(client))
        wrong = client.post("/register/verify/", {"code": "000000"}).content.decode()
        assert "验证码不正确，还可以再试4次" in wrong
    assert pages[1:] == pages[:1] * 3
    assert "已登记" not in pages[0] and "已绑定" not in pages[0]
    assert "到任一政务服务中心窗口更新手机号码" in pages[0]  # what the owner without a phone is told


def test_a_record_with_a_login_cannot_be_claimed_again_and_its_owner_is_told(world, client):
    _register(client, world.alice_applicant.id_number, "impostor")
    warning = Message.objects.get(event=Event.SIGNUP_ATTEMPT)
    assert warning.phone == world.alice_applicant.phone and "已绑定网上办事账号" in warning.text
    assert not Message.objects.filter(event=Event.SIGNUP_CODE).exists()
    for code in ("000000", "123456"):
        assert client.post("/register/verify/", {"code": code}).status_code == 400
    world.alice_applicant.refresh_from_db()
    assert world.alice_applicant.user == world.alice and not User.objects.filter(username="impostor").exists()


def test_a_record_without_a_mobile_phone_gets_no_code(bare, client):
    _register(client, BARE_ID, "zhaody")
    assert not Message.objects.exists()
    assert SignupCode.objects.get().route == SignupCode.Route.NO_PHONE


def test_a_wrong_check_digit_is_refused_clearly_and_sends_nothing(world, client):
    wrong = NEW_ID[:-1] + ("0" if NEW_ID[-1] != "0" else "1")
    answer = _register(client, wrong, "lisi")
    assert answer.status_code == 400 and "身份证号码校验位不正确" in answer.content.decode()
    assert not SignupCode.objects.exists() and not Message.objects.exists()


def test_five_wrong_codes_kill_the_code(walk_in, client):
    applicant, _ = walk_in
    _register(client, WALK_IN_ID, "guesser")
    code = _code_sent_to(ON_FILE_PHONE)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    answers = [client.post("/register/verify/", {"code": wrong}).content.decode() for _ in range(5)]
    assert "还可以再试1次" in answers[3] and "错误次数过多" in answers[4]
    late = client.post("/register/verify/", {"code": code})
    assert late.status_code == 400 and "错误次数过多" in late.content.decode()
    applicant.refresh_from_db()
    assert applicant.user is None and SignupCode.objects.get().attempts == 5


def test_a_code_expires_after_ten_minutes(world, client):
    start = clock.now()
    with clock.frozen(start):
        _register(client, NEW_ID, "slow")
    code = _code_sent_to(TYPED_PHONE)
    with clock.frozen(start + dt.timedelta(minutes=10, seconds=1)):
        late = client.post("/register/verify/", {"code": code})
    assert late.status_code == 400 and "验证码已过期" in late.content.decode()
    assert not User.objects.filter(username="slow").exists()


def test_codes_are_stored_hashed(world, client):
    _register(client, NEW_ID, "hashed")
    code = _code_sent_to(TYPED_PHONE)
    row = SignupCode.objects.values().get()
    assert not any(code in str(value) for value in row.values())
    assert FORM["password"] not in str(row.values())


def test_sending_is_limited_per_id_number_a_day_whether_on_file_or_not(walk_in, client_factory, settings):
    settings.ONEWINDOW_SIGNUP_CODES_PER_IP_DAY = 100
    for number in (NEW_ID, WALK_IN_ID):
        answers = [_register(client_factory(), number, f"u{number[-4:]}{i}") for i in range(6)]
        assert [a.status_code for a in answers] == [302] * 5 + [400]  # a page re-shown with the error
        assert "该证件号码今天获取验证码的次数已达上限" in answers[5].content.decode()
    assert [m.phone for m in Message.objects.all()].count(ON_FILE_PHONE) == 5


def test_sending_is_limited_per_address_a_day(world, client_factory, settings):
    settings.ONEWINDOW_SIGNUP_CODES_PER_IP_DAY = 3
    numbers = [id_number(f"3714021990031540{i}") for i in range(4)]
    answers = [_register(client_factory(), n, f"ip{i}") for i, n in enumerate(numbers)]
    assert [a.status_code for a in answers] == [302, 302, 302, 400]
    assert "获取验证码过于频繁" in answers[3].content.decode()


def test_behind_a_proxy_the_limit_counts_the_address_the_proxy_saw(world, client_factory, settings):
    # ratelimit.client_address, as the rate limits and the lockout: ONEWINDOW_PROXY_COUNT honoured.
    settings.ONEWINDOW_SIGNUP_CODES_PER_IP_DAY, settings.ONEWINDOW_PROXY_COUNT = 1, 1
    numbers = [id_number(f"3714021990031541{i}") for i in range(3)]
    seen = ["198.51.100.4", "198.51.100.5", "198.51.100.4"]
    answers = [_register(client_factory(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"6.6.6.6, {a}"), n, f"px{i}")
               for i, (n, a) in enumerate(zip(numbers, seen, strict=True))]  # fmt: skip
    assert [a.status_code for a in answers] == [302, 302, 400]
    assert set(SignupCode.objects.values_list("ip", flat=True)) == {"198.51.100.4", "198.51.100.5"}


def test_a_new_code_replaces_the_old_after_a_minute(world, client):
    start = clock.now()
    with clock.frozen(start):
        _register(client, NEW_ID, "again")
        first = _code_sent_to(TYPED_PHONE)
        too_soon = client.post("/register/verify/", {"resend": "1"})
        assert too_soon.status_code == 400 and "秒后再重新获取验证码" in too_soon.content.decode()
    with clock.frozen(start + dt.timedelta(seconds=61)):
        assert client.post("/register/verify/", {"resend": "1"}).status_code == 302
        second = Message.objects.filter(event=Event.SIGNUP_CODE).order_by("-created_at", "-pk").first()
        new_code = re.search(r"验证码(\d{6})", second.text).group(1)
        if first != new_code:
            assert client.post("/register/verify/", {"code": first}).status_code == 400
        assert client.post("/register/verify/", {"code": new_code}).url == "/my/"


def test_the_verify_page_without_a_sign_up_goes_back_to_the_form(client):
    assert client.get("/register/verify/").url == "/register/"


def test_a_claim_fails_if_the_record_got_a_login_meanwhile(walk_in, client):
    """Step 1 saw no login; before the code is typed the record was claimed elsewhere."""
    applicant, _ = walk_in
    _register(client, WALK_IN_ID, "late")
    code = _code_sent_to(ON_FILE_PHONE)
    other = User.objects.create_user("early", password="x")
    Applicant.objects.filter(pk=applicant.pk).update(user=other)
    answer = client.post("/register/verify/", {"code": code})
    assert answer.status_code == 409 and "已绑定网上办事账号" in answer.content.decode()
    assert not User.objects.filter(username="late").exists()
    applicant.refresh_from_db()
    assert applicant.user == other


def test_the_dev_outbox_shows_messages_only_with_debug(world, client, settings):
    _register(client, NEW_ID, "dev")
    code = _code_sent_to(TYPED_PHONE)
    assert client.get("/dev/sms/").status_code == 404
    settings.DEBUG = True
    page = client.get("/dev/sms/").content.decode()
    assert code in page and "139****2222" in page and TYPED_PHONE not in page


def test_the_service_refuses_a_code_that_is_not_six_digits(world):
    with pytest.raises(signup.DomainError) as refused:
        signup.verify("nope", "12ab")
    assert refused.value.code == "accounts.signup_code_format"


@pytest.fixture
def client_factory():
    from django.test import Client

    return Client


def test_no_window_case_of_a_claimed_record_is_lost(walk_in, client):
    """The claim moves no case: the window's case is the same row, now seen by the new login."""
    applicant, case = walk_in
    _register(client, WALK_IN_ID, "wxl2")
    client.post("/register/verify/", {"code": _code_sent_to(ON_FILE_PHONE)})
    assert Case.objects.get(pk=case.pk).applicant_id == applicant.pk


def test_the_admin_lists_sign_up_codes_with_numbers_masked(walk_in, client, as_user):
    _register(client, WALK_IN_ID, "listed")
    admin = User.objects.create_superuser("root", "root@example.org", "x")
    page = as_user(admin).get("/admin/accounts/signupcode/").content.decode()
    assert "认领窗口登记信息" in page and "137****1234" in page
    assert WALK_IN_ID not in page and ON_FILE_PHONE not in page and TYPED_PHONE not in page
    row = SignupCode.objects.get()
    detail = as_user(admin).get(f"/admin/accounts/signupcode/{row.pk}/change/").content.decode()
    assert WALK_IN_ID not in detail and row.code_hash not in detail and "139****2222" in detail
