"""一表申请、一套材料: a field several items ask is asked once; a material several items ask is
handed in once; the answers are checked all at once and nothing is created when they are wrong."""

import pytest

from onewindow.bundles import services
from onewindow.bundles.models import BundleApplication, FormField
from onewindow.bundles.tests.conftest import ANSWERS, apply
from onewindow.cases.models import Case
from onewindow.errors import DomainError

pytestmark = pytest.mark.django_db


def test_it_asks_a_shared_field_once_for_every_item_asking_it(startup):
    fields = {f.key: f for f in services.merged_form(startup.bundle)}
    assert list(fields) == ["enterprise_name", "enterprise_type", "legal_representative", "registered_capital",
                            "seal_kinds", "bank_account", "employees", "opening_date"]  # fmt: skip
    assert fields["enterprise_name"].items == ["T-QYDJ", "T-YZKZ", "T-XBNS", "T-SBDJ", "T-GJJ"]
    assert fields["enterprise_name"].label == "企业名称"  # the first item's wording, in the bundle's order
    assert fields["bank_account"].items == ["T-XBNS", "T-SBDJ"]
    # required by 社保, optional for 公积金: asked as required
    assert fields["employees"].required and fields["employees"].items == ["T-SBDJ", "T-GJJ"]
    assert not fields["opening_date"].required
    assert fields["enterprise_type"].choices == ("有限责任公司", "个人独资企业")


def test_it_lists_each_material_once_with_the_items_it_serves(startup):
    merged = {m.name: m for m in services.merged_materials(startup.bundle)}
    assert len(merged) == 10
    proxy = merged["经办人授权委托书"]
    assert sorted(proxy.ids) == ["T-GJJ", "T-QYDJ", "T-XBNS", "T-YZKZ"] and proxy.asked
    assert not proxy.tolerable  # 新办纳税人 does not tolerate it, so the bundle cannot
    assert merged["营业执照"].shared and sorted(merged["营业执照"].ids) == [
        "T-GJJ",
        "T-SBDJ",
        "T-XBNS",
        "T-YZKZ",
    ]
    assert merged["银行开户信息"].item_names == ["新办纳税人套餐", "社会保险参保登记（单位）"]
    assert [m.no for m in merged.values()] == list(range(1, 11))
    assert sum(m.asked for m in merged.values()) == 8


def test_two_items_giving_one_key_different_kinds_is_a_catalog_error(startup):
    FormField.objects.filter(item=startup.items["T-SBDJ"], key="bank_account").update(kind="number")
    with pytest.raises(DomainError) as refused:
        services.merged_form(startup.bundle)
    assert refused.value.code == "bundle.form_conflict" and refused.value.status == 409
    assert "bank_account" in refused.value.message


@pytest.mark.parametrize(
    ("answers", "errors"),
    [
        ({**ANSWERS, "enterprise_name": " "}, {"enterprise_name": "企业名称：必填"}),
        ({**ANSWERS, "registered_capital": "一百万", "employees": "八"},
         {"registered_capital": "注册资本（万元）：应为数字", "employees": "参保职工人数：应为数字"}),
        ({**ANSWERS, "enterprise_type": "合作社"}, {"enterprise_type": "企业类型：应为有限责任公司、个人独资企业之一"}),
        ({**ANSWERS, "opening_date": "2026-13-01"}, {"opening_date": "开户日期：应为日期（年-月-日）"}),
    ],
)  # fmt: skip
def test_wrong_answers_are_all_named_at_once_and_nothing_is_created(world, startup, answers, errors):
    with pytest.raises(DomainError) as refused:
        apply(world, startup, answers=answers)
    assert refused.value.code == "bundle.form_invalid" and refused.value.details["errors"] == errors
    assert not BundleApplication.objects.exists() and not Case.objects.exists()


def test_a_field_no_item_asks_is_refused(world, startup):
    with pytest.raises(DomainError) as refused:
        apply(world, startup, answers={**ANSWERS, "favourite_colour": "红"})
    assert refused.value.code == "bundle.form_unknown_field"
    assert not Case.objects.exists()


def test_a_material_not_in_the_list_is_refused(world, startup):
    with pytest.raises(DomainError) as refused:
        apply(world, startup, materials=["公司章程", "户口本"])
    assert refused.value.code == "bundle.unknown_material" and refused.value.details["materials"] == [
        "户口本"
    ]
    assert not Case.objects.exists()


def test_answers_are_stored_clean_and_the_form_as_asked_then(world, startup):
    application = apply(
        world, startup, answers={**ANSWERS, "registered_capital": "100.50", "opening_date": "2026-12-01"}
    )
    assert application.form_data["registered_capital"] == "100.5"
    assert application.form_data["opening_date"] == "2026-12-01"
    assert {"key": "enterprise_name", "label": "企业名称"} in application.form_fields
