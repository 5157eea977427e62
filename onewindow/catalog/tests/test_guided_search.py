"""智能导办 on the demo catalog: plain questions find the right item in the top 3."""

import pytest
from django.core.management import call_command

from onewindow.catalog import search
from onewindow.catalog.tests.guided_questions import QUESTIONS

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_catalog():
    """The demo seeded; each process builds its index at the first search (the index of an
    earlier test was dropped by conftest's _fresh_process_caches)."""
    call_command("seed_demo", stdout=open("/dev/null", "w"))


def test_it_finds_the_expected_item_in_the_top_3_for_90_percent(demo_catalog):
    assert len(QUESTIONS) >= 30
    misses = []
    for question, expected in QUESTIONS:
        top = [h.code for h in search.current().search(question, limit=3, kinds=("item",))]
        if expected not in top:
            misses.append((question, expected, top))
    rate = 1 - len(misses) / len(QUESTIONS)
    print(f"\nguided search hit rate (top 3): {rate:.1%} of {len(QUESTIONS)}; misses: {misses}")
    assert rate >= 0.9, misses


def test_it_offers_the_bundle_for_a_life_event(demo_catalog):
    top = [h.code for h in search.guide("我要开饭店", limit=3)]
    assert "YJS-KCG" in top


def test_it_ignores_a_question_that_names_nothing(demo_catalog):
    assert search.guide("我想问一下怎么办") == []


def test_it_rebuilds_the_index_when_an_item_is_withdrawn(
    demo_catalog, settings, django_capture_on_commit_callbacks
):
    from onewindow.accounts.models import User
    from onewindow.catalog import services
    from onewindow.catalog.models import ServiceItem

    # given: the process holds an index with the item, and would not look at the catalog's
    # version again for an hour: only the withdrawal's commit hook can rebuild it
    settings.ONEWINDOW_CATALOG_CHECK_SECONDS = 3600
    assert "SFZ-QR-0002" in [h.code for h in search.guide("身份证丢了怎么办")]
    admin = User.objects.get(username="admin")  # the demo hall admin
    # when
    with django_capture_on_commit_callbacks(execute=True):
        services.withdraw(ServiceItem.objects.get(code="SFZ-QR-0002"), by=admin)
    # then
    assert "SFZ-QR-0002" not in [h.code for h in search.guide("身份证丢了怎么办")]
