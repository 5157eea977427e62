"""The demo hall's 企业开办 (YJS-QYKB): five items in five departments, a merged form after
bundles.demo.seed(), and the demo clerk at comprehensive window 01 applies and accepts it once."""

import pytest
from django.core.management import call_command

from onewindow import clock
from onewindow.accounts.models import Applicant, User
from onewindow.bundles import demo, services
from onewindow.bundles.models import FormField
from onewindow.bundles.tests.conftest import MONDAY
from onewindow.cases.models import Case, Channel
from onewindow.catalog.models import Bundle

pytestmark = pytest.mark.django_db


def test_the_demo_enterprise_start_up_bundle():
    call_command("seed_demo", stdout=open("/dev/null", "w"))
    written = demo.seed()
    assert written == FormField.objects.count() > 0
    assert demo.seed() == written and FormField.objects.count() == written  # idempotent

    bundle = Bundle.objects.get(code="YJS-QYKB")
    assert bundle.entries.count() == 5
    assert len({e.item.department_id for e in bundle.entries.select_related("item")}) == 5
    fields = {f.key: f for f in services.merged_form(bundle)}
    assert len(fields["enterprise_name"].items) == 5 and len(fields["contact_phone"].items) == 5

    # 企业开办 is for a new company, each of the four others after 企业设立登记 (issue 15)
    assert bundle.for_new_entity
    after = {e.item.code: e.after.code for e in bundle.entries.select_related("item", "after") if e.after}
    assert after == dict.fromkeys(
        ["YZKZ-BA-0001", "XBNS-GG-0001", "SBDJ-GG-0001", "GJJKH-GG-0001"], "QYDJ-XK-0001"
    )

    clerk = User.objects.get(username="clerk")
    # 鲁味餐饮 exists already (it holds a credit code): refused; 张伟 sets a company up
    assert (
        services.start_refusal(bundle, Applicant.objects.get(user__username="luwei")).code
        == "bundle.existing_entity"
    )
    founder = Applicant.objects.get(user__username="zhangwei")
    answers = {"enterprise_name": "德州示例科技有限公司", "enterprise_type": "有限责任公司",
               "legal_representative": "李鲁", "registered_address": "德州市德城区天衢路1号",
               "registered_capital": "50", "business_scope": "餐饮管理", "contact_phone": "13900000000",
               "seal_kinds": "公章", "bank_name": "德州银行", "bank_account": "6222", "invoice_needed": "是",
               "employees": "6", "deposit_ratio": "12"}  # fmt: skip
    with clock.frozen(MONDAY):
        handed = [
            m.name for m in services.merged_materials(bundle) if m.required
        ]  # everything, shared on paper
        application = services.apply(bundle=bundle, applicant=founder, form_data=answers, materials=handed, by=clerk,
                                      channel=Channel.WINDOW, hall=clerk.staff.hall)  # fmt: skip
        services.accept(application, by=clerk)
    assert Case.objects.filter(bundle_number=application.number, status="in_review").count() == 5
