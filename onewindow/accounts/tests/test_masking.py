"""The one masking presenter (docs/decisions/0018-masking.md): one form per kind of data."""

import pytest

from onewindow.accounts import masking
from onewindow.accounts.models import Applicant
from onewindow.web.demo import credit_code, id_number


@pytest.mark.parametrize(
    ("name", "masked"),
    [("张伟", "张*"), ("张小伟", "张*伟"), ("欧阳娜娜", "欧**娜"), ("", ""), (" 李 ", "李*")],
)
def test_names_keep_the_family_name_and_from_three_characters_the_last(name, masked):
    assert masking.mask_name(name) == masked


def test_a_persons_identifier_is_masked_a_companys_credit_code_shown_in_full():
    person = Applicant(
        kind=Applicant.Kind.NATURAL, id_number=id_number("37140219900315201"), phone="13905341234"
    )
    company = Applicant(kind=Applicant.Kind.LEGAL, credit_code=credit_code("91371402MA3C8KXR1"), phone="")
    assert masking.masked(person) == {"identifier": "3714**********2019", "phone": "139****1234"}
    assert masking.masked(company) == {"identifier": company.credit_code, "phone": ""}


def test_the_template_filters_are_the_same_functions():
    from django.template import Context, Template

    person = Applicant(
        kind=Applicant.Kind.NATURAL, id_number=id_number("37140219900315201"), phone="13905341234"
    )
    page = Template("{% load masking %}{{ a|identifier }} {{ a.phone|mask_phone }} {{ '张小伟'|mask_name }}")
    assert page.render(Context({"a": person})) == "3714**********2019 139****1234 张*伟"


@pytest.mark.parametrize(
    ("answer", "shown"),
    [("13905345678", "139****5678"), (" 371402199003152019 ", "3714**********2019"), ("6222", "6222"),
     ("德州银行", "德州银行"), (50, 50), ("0534-2345678", "0534-2345678")],
)  # fmt: skip
def test_form_answers_that_are_a_phone_or_an_id_number_are_masked(answer, shown):
    assert masking.mask_answer(answer) == shown
