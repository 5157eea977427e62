"""Issue 14, one source per rule for 一件事: who may start an application (the page and the API
ask bundles.services.may_start), and a child case's page offers no intake answer (they are given
on the application's page) — which the case service refuses on its own, too."""

import pytest

from onewindow import clock
from onewindow.bundles.models import BundleApplication
from onewindow.bundles.tests.conftest import ANSWERS, MONDAY
from onewindow.cases import services as cases
from onewindow.cases.models import Case
from onewindow.cases.transitions import BUNDLE_INTAKE
from onewindow.errors import DomainError

pytestmark = pytest.mark.django_db

BODY = {"form_data": ANSWERS, "materials": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]}


@pytest.mark.parametrize("persona", ["supervisor", "hall_admin", "reviewer_a"])
def test_staff_who_may_not_start_one_are_refused_by_the_api_and_not_offered_it_on_the_page(
    world, startup, api, as_user, persona
):
    user = getattr(world, persona)
    with clock.frozen(MONDAY):
        answer = api(user).post(
            "/bundles/T-QYKB/applications", BODY | {"applicant": world.alice_applicant.ref}
        )
    assert answer.status_code == 403 and answer.json()["code"] == "bundle.start_role"
    assert not BundleApplication.objects.exists() and not Case.objects.exists()
    index = as_user(user).get("/staff/bundles/")
    assert index.status_code == 200 and "综合窗口接件" not in index.content.decode()


def test_a_clerk_may_start_one_by_the_page_and_the_api(world, startup, api, as_user):
    assert "综合窗口接件" in as_user(world.clerk).get("/staff/bundles/").content.decode()
    with clock.frozen(MONDAY):
        answer = api(world.clerk).post(
            "/bundles/T-QYKB/applications", BODY | {"applicant": world.alice_applicant.ref}
        )
    assert answer.status_code == 201 and BundleApplication.objects.get().hall == world.hall


def test_a_child_case_offers_no_intake_answer_and_its_service_refuses_one(world, startup, applied, as_user):
    child = Case.objects.filter(bundle_number=applied.number).order_by("pk").first()
    offered = cases.allowed_actions(child, world.clerk)
    assert not set(offered) & BUNDLE_INTAKE
    page = as_user(world.clerk).get(f"/staff/cases/{child.number}/").content.decode()
    assert 'data-testid="form-accept"' not in page and 'data-testid="form-refuse"' not in page
    with pytest.raises(DomainError):
        cases.accept(child, by=world.clerk)


def test_the_application_page_offers_acceptance_exactly_when_every_child_could_be_accepted(
    world, startup, as_user
):
    """The page asks the children's own checks (cases.allowed_actions with the bundle) before it
    offers 受理一件事; with a material missing it names the child and the material instead, and
    the service refuses the acceptance all the same."""
    from onewindow.bundles import services as bundles
    from onewindow.bundles.tests.conftest import ASKED, apply

    with clock.frozen(MONDAY):
        complete = apply(world, startup)
        short = apply(world, startup, materials=[n for n in ASKED if n != "涉税事项综合申请表"])
        page = as_user(world.clerk).get(f"/staff/bundle-applications/{complete.number}/").content.decode()
        assert 'data-testid="form-accept"' in page and 'data-testid="accept-blocked"' not in page
        page = as_user(world.clerk).get(f"/staff/bundle-applications/{short.number}/").content.decode()
        assert 'data-testid="form-accept"' not in page
        assert 'data-testid="accept-blocked"' in page and "涉税事项综合申请表" in page
        with pytest.raises(DomainError) as refused:
            bundles.accept(short, by=world.clerk)
    assert refused.value.code == "bundle.child_not_acceptable"
