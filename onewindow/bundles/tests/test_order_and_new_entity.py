"""企业开办 as its rule says (issue 15 item 8): it is for a company not yet set up — an applicant
already holding a 统一社会信用代码 is refused, and the apply pages say so before anything is filled
in; its children follow the order of the bundle's definition — 公章刻制、税务、社保、公积金 depend
on 企业设立登记 (前置事项): they are due no earlier and are neither decided nor issued before it."""

import datetime as dt

import pytest

from onewindow import clock
from onewindow.accounts.models import Applicant
from onewindow.bundles import services
from onewindow.bundles.models import BundleApplication
from onewindow.bundles.tests.conftest import ITEMS, MONDAY, apply
from onewindow.cases import services as cases
from onewindow.cases.models import Case
from onewindow.catalog.services import save_bundle
from onewindow.errors import Conflict, DomainError
from onewindow.projects.tests.conftest import COMPANY_CREDIT_CODE

pytestmark = pytest.mark.django_db
CODES = [code for code, *_ in ITEMS]
FIRST = CODES[0]  # T-QYDJ 企业设立登记 (3 days); the others 2 or 3 days


@pytest.fixture
def ordered(world, startup):
    """The test 企业开办 as the demo defines it: for a new company, every item after 企业设立登记."""
    startup.bundle = save_bundle(code="T-QYKB", name="企业开办", lead_department=world.dept_a, promised_limit_days=3,
                                 item_codes=CODES, after={c: FIRST for c in CODES[1:]}, for_new_entity=True)  # fmt: skip
    return startup


@pytest.fixture
def company(world):
    return Applicant.objects.create(kind=Applicant.Kind.LEGAL, name="德州鲁建科技有限公司", credit_code=COMPANY_CREDIT_CODE,
                                    legal_representative="鲁建", phone="13900000099", region=world.district)  # fmt: skip


def test_an_existing_company_is_refused_and_nothing_is_filed(world, ordered, company):
    with pytest.raises(Conflict) as refused, clock.frozen(MONDAY):
        apply(world, ordered, applicant=company)
    assert refused.value.code == "bundle.existing_entity" and COMPANY_CREDIT_CODE in refused.value.message
    assert not BundleApplication.objects.exists() and not Case.objects.exists()


def test_the_window_page_says_so_before_anything_is_filled_in(world, ordered, company, as_user):
    with clock.frozen(MONDAY):
        html = (
            as_user(world.clerk).get(f"/staff/bundles/T-QYKB/apply/?applicant={company.ref}").content.decode()
        )
    assert 'data-testid="existing-entity"' in html and "已设立的主体" in html
    assert 'data-testid="window-form"' not in html


def test_a_person_setting_a_company_up_applies_as_before(world, ordered):
    with clock.frozen(MONDAY):
        application = apply(world, ordered)
    assert Case.objects.filter(bundle_number=application.number).count() == len(CODES)


def test_a_bundle_without_the_rule_takes_a_company(world, startup, company):
    with clock.frozen(MONDAY):
        application = apply(world, startup, applicant=company)
    assert application.applicant == company


def _children(application) -> dict[str, Case]:
    return {
        c.item.code: c for c in Case.objects.filter(bundle_number=application.number).select_related("item")
    }


def test_dependants_wait_for_the_prerequisite_and_are_due_no_earlier(world, ordered):
    with clock.frozen(MONDAY):
        application = services.accept(apply(world, ordered), by=world.clerk)
    children = _children(application)
    first = children[FIRST]
    assert all(children[c].prerequisite_id == first.pk for c in CODES[1:]) and first.prerequisite_id is None
    # 公章刻制 promises 2 working days, 企业设立登记 3: it is due with it, not a day before
    assert children["T-YZKZ"].due_on == first.due_on == dt.date(2026, 11, 26)
    assert all(children[c].due_on >= first.due_on for c in CODES[1:])

    seal = children["T-YZKZ"]
    with clock.frozen(MONDAY + dt.timedelta(days=1)):
        cases.review(seal, by=ordered.reviewers["T-D"], opinion="符合条件")
        # the page does not offer the decision, and the service refuses it
        assert "decide" not in cases.allowed_actions(Case.objects.get(pk=seal.pk), ordered.heads["T-D"])
        with pytest.raises(DomainError) as early:
            cases.decide(seal, by=ordered.heads["T-D"], approve=True)
        assert early.value.code == "case.prerequisite_open" and "企业设立登记" in early.value.message
        # once 企业设立登记 is decided, 公章刻制 may be
        cases.review(first, by=world.reviewer_a, opinion="符合条件")
        cases.decide(first, by=world.head_a, approve=True)
        assert "decide" in cases.allowed_actions(Case.objects.get(pk=seal.pk), ordered.heads["T-D"])
        cases.decide(seal, by=ordered.heads["T-D"], approve=True)


def test_the_application_page_names_each_prerequisite(world, ordered, as_user):
    with clock.frozen(MONDAY):
        application = services.accept(apply(world, ordered), by=world.clerk)
        html = as_user(world.alice).get(f"/my/bundle-applications/{application.number}/").content.decode()
    assert html.count('data-testid="after"') == len(CODES) - 1 and "在“企业设立登记”办结后" in html
    # the merged form's long questions sit in a column of their own, never run into their answers
    assert '<dl class="card pairs" data-testid="answers">' in html and "<dt>注册资本（万元）</dt>" in html


def test_the_definition_lists_a_prerequisite_before_its_dependants(world, startup):
    with pytest.raises(DomainError) as late:
        save_bundle(code="T-X", name="x", lead_department=world.dept_a, promised_limit_days=3, item_codes=CODES,
                    after={FIRST: CODES[1]})  # fmt: skip
    assert late.value.code == "catalog.bundle_after_order"
    with pytest.raises(DomainError) as outside:
        save_bundle(code="T-X", name="x", lead_department=world.dept_a, promised_limit_days=3, item_codes=CODES[:2],
                    after={CODES[1]: CODES[3]})  # fmt: skip
    assert outside.value.code == "catalog.bundle_after_unknown"
