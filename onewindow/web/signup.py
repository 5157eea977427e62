"""注册 on the portal, and 认领: claiming the applicant record a window registered (issue 15 item 4;
docs/decisions/0024-claiming-a-window-record.md).

Every sign-up takes two steps, whatever identifier is typed:

1. `start`: the form is checked (ID number or credit code with its check character, region,
   mobile phone, login name); then a 6-digit code is made and a `SignupCode` row kept with its
   keyed hash. Where the code goes depends on the record on file, and only the SMS shows it:
   - no applicant with that identifier: to the phone typed (a new applicant);
   - an applicant registered at a window, without a portal login: to the phone ON FILE (认领);
   - an applicant that already has a portal login: nowhere; its owner gets a warning SMS;
   - an applicant without a mobile phone on file: nowhere (the page tells everyone how to come
     to a window to update it).
   The page after it is the same in all four cases.
2. `verify`: the code typed, at most ONEWINDOW_SIGNUP_CODE_ATTEMPTS wrong tries, within
   ONEWINDOW_SIGNUP_CODE_MINUTES. The right code creates the login and either a new applicant or
   links the one on file — compare-and-set on `Applicant.user`, so of two claims racing for one
   record exactly one wins.

This module sits in the shell layer because the code is sent through notify (above accounts)
in the transaction that makes it: the message exists exactly when the code does.
"""

import datetime as dt
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import IntegrityError, transaction
from django.db.models import F, Q

from onewindow import clock, pii
from onewindow.accounts import services as accounts
from onewindow.accounts.models import Applicant, SignupCode, User
from onewindow.errors import Conflict, DomainError
from onewindow.notify import services as notify
from onewindow.notify.models import Event

Route = SignupCode.Route
CODE = re.compile(r"\d{6}")


def _hash(ref: str, code: str) -> str:
    """Keyed (HMAC with the site's secret): a copy of the table alone does not give the codes."""
    return hmac.new(settings.SECRET_KEY.encode(), f"{ref}:{code}".encode(), hashlib.sha256).hexdigest()


def _since_midnight() -> dt.datetime:
    return dt.datetime.combine(clock.today(), dt.time(0), tzinfo=clock.hall_tz())


@dataclass(frozen=True)
class Form:
    """A sign-up as typed, checked: what `start` keeps until the code is verified."""

    kind: str
    id_number: str
    credit_code: str
    name: str
    phone: str
    region_code: str
    username: str
    password_hash: str


def check(*, kind: str, name: str, id_number: str = "", credit_code: str = "", phone: str, region_code: str,
          username: str, password: str) -> Form:  # fmt: skip
    """The sign-up's own rules, which never depend on who is on file: a wrong check character,
    region or phone is refused with its rule; a login name in use is refused (it is no one's
    personal data)."""
    name = (name or "").strip()
    if not name:
        raise DomainError("accounts.applicant_name_required", "请填写申请人姓名或单位名称。")
    id_number, credit_code = accounts.validated_identifier(kind, id_number, credit_code)
    mobile = notify.mobile(phone)
    if not mobile:
        raise DomainError("accounts.signup_phone", "请填写11位手机号码，用于接收短信验证码。")
    region = accounts.region_by_code(region_code)
    username = (username or "").strip()
    if not username:
        raise DomainError("accounts.username_required", "请填写登录名。")
    if User.objects.filter(username=username).exists():
        raise Conflict("accounts.username_taken", f"登录名“{username}”已被使用。")
    return Form(kind=kind, id_number=id_number, credit_code=credit_code, name=name, phone=mobile,
                region_code=region.code, username=username, password_hash=make_password(password))  # fmt: skip


def _identifier(form) -> Q:
    if form.kind == Applicant.Kind.NATURAL:
        return Q(kind=Applicant.Kind.NATURAL, id_number_digest=pii.digest("id_number", form.id_number))
    return Q(kind=Applicant.Kind.LEGAL, credit_code=form.credit_code)


def _check_limits(form, ip: str) -> None:
    """Codes sent today per identifier and per address, counted whatever the identifier is (on
    file or not), so the refusal says nothing about the record either."""
    since = _since_midnight()
    same_id = (
        Q(id_number_digest=pii.digest("id_number", form.id_number))
        if form.id_number
        else Q(credit_code=form.credit_code)
    )
    if (
        SignupCode.objects.filter(same_id, created_at__gte=since).count()
        >= settings.ONEWINDOW_SIGNUP_CODES_PER_ID_DAY
    ):
        raise DomainError("accounts.signup_id_limit",
                          "该证件号码今天获取验证码的次数已达上限，请明天再试，或携带证件到政务服务中心窗口办理。",
                          status=429)  # fmt: skip
    if (
        SignupCode.objects.filter(ip=ip, created_at__gte=since).count()
        >= settings.ONEWINDOW_SIGNUP_CODES_PER_IP_DAY
    ):
        raise DomainError("accounts.signup_ip_limit", "获取验证码过于频繁，请明天再试。", status=429)


def start(form: Form, *, ip: str | None) -> SignupCode:
    """Step 1: keeps the sign-up, sends the code where the record on file says (module doc)."""
    ip = ip or ""  # without an address (none reaches a real server): counted together
    with transaction.atomic():
        _check_limits(form, ip)
        applicant = Applicant.objects.filter(_identifier(form)).first()
        on_file = notify.mobile(applicant.phone) if applicant is not None else ""
        if applicant is None:
            route, to = Route.NEW, form.phone
        elif applicant.user_id is not None:
            route, to = Route.LINKED, ""
        elif not on_file:
            route, to = Route.NO_PHONE, ""
        else:
            route, to = Route.CLAIM, on_file
        ref = secrets.token_hex(16)
        code = f"{secrets.randbelow(10**6):06d}"
        now = clock.now()
        row = SignupCode.objects.create(
            ref=ref, kind=form.kind, id_number=form.id_number, credit_code=form.credit_code, name=form.name,
            phone=form.phone, region_id=form.region_code, username=form.username, password=form.password_hash,
            route=route, applicant=applicant, sent_to=to, ip=ip, created_at=now,
            expires_at=now + dt.timedelta(minutes=settings.ONEWINDOW_SIGNUP_CODE_MINUTES),
            # Where no code went, the row holds the hash of a secret nobody saw: every code is wrong.
            code_hash=_hash(ref, code if to else secrets.token_hex(16)),
        )  # fmt: skip
        if to:
            notify.enqueue(phone=to, event=Event.SIGNUP_CODE, key=f"signup:{ref}", subject_kind="signup",
                           subject_key=ref, context={"code": code, "claim": route == Route.CLAIM,
                                                     "minutes": settings.ONEWINDOW_SIGNUP_CODE_MINUTES})  # fmt: skip
        elif route == Route.LINKED:
            notify.enqueue(phone=applicant.phone, event=Event.SIGNUP_ATTEMPT, key=f"signup:{ref}",
                           subject_kind="signup", subject_key=ref, context={})  # fmt: skip
    return row


def pending(ref: str | None) -> SignupCode | None:
    """The sign-up waiting for its code (the session's), or None."""
    if not ref:
        return None
    return SignupCode.objects.filter(ref=ref, used_at__isnull=True).select_related("region").first()


def resend(ref: str, *, ip: str | None) -> SignupCode:
    """重新获取: a new code for the same sign-up (the old one dies), under the same daily limits,
    not sooner than ONEWINDOW_SIGNUP_RESEND_SECONDS after the last."""
    row = pending(ref)
    if row is None:
        raise DomainError("accounts.signup_gone", "注册信息已失效，请重新填写。")
    wait = settings.ONEWINDOW_SIGNUP_RESEND_SECONDS - (clock.now() - row.created_at).total_seconds()
    if wait > 0:
        raise DomainError("accounts.signup_resend_wait", f"请{int(wait) + 1}秒后再重新获取验证码。")
    form = Form(kind=row.kind, id_number=row.id_number, credit_code=row.credit_code, name=row.name,
                phone=row.phone, region_code=row.region_id, username=row.username, password_hash=row.password)  # fmt: skip
    with transaction.atomic():
        new = start(form, ip=ip)
        SignupCode.objects.filter(pk=row.pk, used_at__isnull=True).update(
            attempts=settings.ONEWINDOW_SIGNUP_CODE_ATTEMPTS, password=""
        )
    return new


def verify(ref: str, code: str) -> User:
    """Step 2: the right code in time makes the login and its applicant (new, or the record on
    file claimed); a wrong one counts, and the last allowed wrong one kills the code."""
    code = (code or "").strip()
    if not CODE.fullmatch(code):
        raise DomainError("accounts.signup_code_format", "请输入短信中的6位数字验证码。")
    # The count of a wrong try must survive the refusal: it is committed before raising.
    with transaction.atomic():
        row = SignupCode.objects.select_for_update().filter(ref=ref or "", used_at__isnull=True).first()
        refusal = _refusal(row, code)
        if refusal is None:
            return _finish(row)
    raise refusal


def _refusal(row: SignupCode | None, code: str) -> DomainError | None:
    limit = settings.ONEWINDOW_SIGNUP_CODE_ATTEMPTS
    if row is None:
        return DomainError("accounts.signup_gone", "注册信息已失效，请重新填写。")
    if row.attempts >= limit:
        return DomainError("accounts.signup_code_dead", "验证码错误次数过多，已失效，请重新获取验证码。")
    if clock.now() >= row.expires_at:
        return DomainError("accounts.signup_code_expired", "验证码已过期，请重新获取验证码。")
    if hmac.compare_digest(row.code_hash, _hash(row.ref, code)):
        return None
    SignupCode.objects.filter(pk=row.pk, attempts=row.attempts).update(attempts=F("attempts") + 1)
    left = limit - row.attempts - 1
    if left <= 0:
        return DomainError("accounts.signup_code_dead", "验证码错误次数过多，已失效，请重新获取验证码。")
    return DomainError("accounts.signup_code_wrong", f"验证码不正确，还可以再试{left}次。")


def _finish(row: SignupCode) -> User:
    """Inside verify's transaction: the login, and the applicant new or claimed."""
    try:
        with transaction.atomic():
            user = User.objects.create(username=row.username, password=row.password, display_name=row.name)
    except IntegrityError:
        raise Conflict("accounts.username_taken", f"登录名“{row.username}”已被使用，请重新注册。") from None
    if row.route == Route.CLAIM:
        _claim(row, user)
    else:  # Route.NEW: the others never match a code
        try:
            accounts.register_applicant(kind=row.kind, name=row.name, id_number=row.id_number,
                                        credit_code=row.credit_code, phone=row.phone, region_code=row.region_id,
                                        user=user)  # fmt: skip
        except Conflict:
            # Registered at a window since step 1: the code went to the wrong phone for a claim.
            raise DomainError("accounts.signup_gone", "注册信息已有变化，请重新填写注册。") from None
    SignupCode.objects.filter(pk=row.pk).update(used_at=clock.now(), user=user, password="")
    return user


def _claim(row: SignupCode, user: User) -> None:
    """认领: links the record on file to the new login — compare-and-set, so one of two racing
    claims wins — provided the phone on file is still the one the code went to."""
    applicant = Applicant.objects.filter(pk=row.applicant_id).first()
    if applicant is None or notify.mobile(applicant.phone) != row.sent_to:
        raise DomainError("accounts.signup_gone", "注册信息已有变化，请重新填写注册。")
    linked = Applicant.objects.filter(pk=applicant.pk, user__isnull=True).update(user=user)
    if not linked:
        raise Conflict("accounts.applicant_claimed",
                       "该证件的登记信息已绑定网上办事账号，请直接登录；如非本人操作，请携带证件到政务服务中心窗口处理。")  # fmt: skip
    # The name the window checked against the ID card is the account's name.
    User.objects.filter(pk=user.pk).update(display_name=applicant.name)
    user.display_name = applicant.name
