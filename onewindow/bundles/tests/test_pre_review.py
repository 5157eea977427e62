"""网上预审 and 一件事 (issue 15 item 1): an online bundle application is one row of the queue,
linking to its application page, and counts once — its cases are answered together there."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from onewindow import clock
from onewindow.bundles import services
from onewindow.bundles.models import BundleApplication
from onewindow.bundles.tests.conftest import ANSWERS, ASKED, MONDAY
from onewindow.bundles.tests.test_pages import PDF
from onewindow.cases import pre_review
from onewindow.cases.models import Case

pytestmark = pytest.mark.django_db


def test_an_online_bundle_is_one_row_and_one_count(world, startup, as_user):
    merged = {m.name: m.no for m in services.merged_materials(startup.bundle)}
    files = {f"m_{merged[name]}": SimpleUploadedFile(f"{name}.pdf", PDF, "application/pdf") for name in ASKED}
    with clock.frozen(MONDAY):
        as_user(world.alice).post(
            "/bundles/T-QYKB/apply/", {**{f"f_{k}": v for k, v in ANSWERS.items()}, **files}
        )
        application = BundleApplication.objects.get()
        children = Case.objects.filter(bundle_number=application.number).count()
        rows = pre_review.queue(world.clerk)
        counted = sum(pre_review.counts(world.clerk).values())
        page = as_user(world.clerk).get("/staff/pre-review/").content.decode()
    assert application.channel == "portal" and children > 1
    assert [r.bundle_number for r in rows] == [application.number] and counted == 1
    assert f'href="/staff/bundle-applications/{application.number}/"' in page
