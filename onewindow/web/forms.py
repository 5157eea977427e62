from functools import cached_property
from pathlib import Path

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.forms.renderers import DjangoTemplates

from onewindow.accounts.models import Applicant, Region, User


class FormRenderer(DjangoTemplates):
    """Django's form templates, but for the few the hall overrides (form_templates/): a form's
    error list is announced as it appears (role="alert", issue 23) on every form of the site,
    the admin's too. FORM_RENDERER names this class."""

    @cached_property
    def engine(self):
        own = Path(__file__).resolve().parent / "form_templates"
        django_own = Path(forms.__file__).resolve().parent / "templates"
        return self.backend(
            {"APP_DIRS": True, "DIRS": [own, django_own], "NAME": "djangoforms", "OPTIONS": {}}
        )


class RegisterForm(forms.Form):
    """Portal self-registration: a login and the applicant it acts as."""

    kind = forms.ChoiceField(
        label="申请人类型", choices=Applicant.Kind.choices, initial=Applicant.Kind.NATURAL
    )
    name = forms.CharField(label="姓名/单位名称", max_length=100)
    id_number = forms.CharField(
        label="身份证号码", max_length=18, required=False, help_text="自然人填写，18位，末位可为X"
    )
    credit_code = forms.CharField(
        label="统一社会信用代码", max_length=18, required=False, help_text="法人填写，18位"
    )
    phone = forms.CharField(label="手机号码", max_length=11, help_text="用于接收短信验证码")
    region = forms.ModelChoiceField(
        label="所在区划", queryset=Region.objects.filter(level__gte=Region.Level.COUNTY), to_field_name="code"
    )
    username = forms.CharField(label="登录名", max_length=30)
    password = forms.CharField(label="密码", widget=forms.PasswordInput, min_length=8)

    def clean_username(self):
        username = self.cleaned_data["username"]
        if User.objects.filter(username=username).exists():
            raise forms.ValidationError("该登录名已被使用。")
        return username

    def clean_password(self):
        password = self.cleaned_data["password"]
        validate_password(password)
        return password
