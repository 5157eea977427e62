"""Demo licenses and fees for the demo hall (web/demo.py, catalog/data/demo_catalog.toml), made
through the services like real work: 张伟's 个体工商户 business license (issued, picked up), 鲁味餐饮's
营业执照 (告知承诺) and its food permit (issued, waiting to be posted) — whose shared 营业执照
the permit takes from the first — 张伟's 居民身份证补领, approved with a 40-yuan notice
waiting for finance, and his 居民身份证换领 applied online to be posted, its notice checked and
ready to pay online (不见面). Idempotent: a story already told is skipped."""

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from onewindow.accounts.models import Applicant, Hall, User
from onewindow.cases import delivery_choice
from onewindow.cases import services as cases
from onewindow.cases.models import Case, Channel
from onewindow.catalog.models import Material
from onewindow.catalog.services import version_for_new_case
from onewindow.licenses import services
from onewindow.licenses.models import License
from onewindow.payments import services as payments
from onewindow.payments.models import PaymentNotice

DEMO_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"  # an uploaded scan, as the portal keeps it
DEMO_SCAN = "cases/demo/scan.pdf"


def _people() -> dict:
    users = {u.username: u for u in User.objects.filter(username__in=[
        "zhangwei", "luwei", "clerk", "reviewer", "reviewer_sp", "head_sp", "reviewer_gaj", "head_gaj", "finance"])}  # fmt: skip
    return {**users, "hall": Hall.objects.get(code="371400-zwfw")}


def _submit(p: dict, code: str, applicant: str, *, shared_on_paper: bool = True) -> Case:
    """At the window: the clerk ticks every required material the applicant hands in — the
    shared ones on paper, unless the applicant's licenses supply them (证照共享)."""
    version = version_for_new_case(code)
    handed = [m.pk for m in version.materials.all()
              if m.required and (shared_on_paper or m.source != Material.Source.SHARED)]  # fmt: skip
    return cases.submit(version=version, applicant=Applicant.objects.get(user=p[applicant]), hall=p["hall"],
                        channel=Channel.WINDOW, by=p["clerk"], handed_in=handed)  # fmt: skip


def _told(code: str, applicant: str) -> bool:
    return Case.objects.filter(item__code=code, applicant__user__username=applicant, status="closed").exists()


def _individual_business(p: dict) -> None:
    """即办件: accepted and approved at the window; the 营业执照 issued and picked up."""
    case = cases.accept(_submit(p, "GTDJ-XK-0001", "zhangwei"), by=p["clerk"])
    cases.decide(case, by=p["clerk"], approve=True)
    services.issue_license(case, by=p["reviewer"], delivery="pickup")
    services.deliver_license(case, by=p["clerk"], method="pickup", signed_by="张伟", id_checked=True)


def _company_and_food_permit(p: dict) -> None:
    company = cases.approve_by_commitment(_submit(p, "QYDJ-XK-0001", "luwei"), by=p["clerk"],
                                          commitment="申请人承诺所填信息真实、住所合法有效")  # fmt: skip
    services.issue_license(company, by=p["reviewer_sp"], delivery="pickup")
    permit = cases.accept(_submit(p, "SPJY-XK-0001", "luwei", shared_on_paper=False), by=p["clerk"])
    cases.review(permit, by=p["reviewer_sp"], opinion="经审查（含现场核查），符合条件")
    cases.decide(permit, by=p["head_sp"], approve=True)
    services.issue_license(permit, by=p["reviewer_sp"], delivery="post")


def _charged_id_card(p: dict) -> None:
    """A charged item of 公安局, approved at the window and paid at the bank window."""
    case = cases.accept(_submit(p, "SFZ-QR-0002", "zhangwei"), by=p["clerk"])
    cases.review(case, by=p["reviewer_gaj"], opinion="户籍信息核对无误")
    cases.decide(case, by=p["head_gaj"], approve=True)
    payments.issue_due_notices(Case.objects.filter(pk=case.pk))  # as the worker would, in the approver's name


def _online_id_card_renewal(p: dict) -> None:
    """不见面 (issue 15 item 3): 张伟 applied online for 居民身份证换领 (20 yuan), the card to be
    posted to him; approved, its notice checked by finance — ready for 去缴费 on his phone."""
    version = version_for_new_case("SFZ-QR-0001")
    if not default_storage.exists(DEMO_SCAN):  # one stored scan for every demo upload, never more
        default_storage.save(DEMO_SCAN, ContentFile(DEMO_PDF))
    files = {m.pk: DEMO_SCAN for m in version.materials.all() if m.required}
    applicant = Applicant.objects.get(user=p["zhangwei"])
    case = cases.submit(version=version, applicant=applicant, hall=p["hall"], channel=Channel.PORTAL,
                        by=p["zhangwei"], handed_in=list(files), files=files)  # fmt: skip
    delivery_choice.record(case, delivery_choice.check(
        version, method="post", recipient="张伟", phone="13905340001", address="德州市德城区新湖大街1号 1单元101室"))  # fmt: skip
    cases.accept(case, by=p["clerk"])
    cases.review(case, by=p["reviewer_gaj"], opinion="户籍信息核对无误，相片符合要求")
    cases.decide(case, by=p["head_gaj"], approve=True)
    payments.issue_due_notices(Case.objects.filter(pk=case.pk))
    payments.check_notice(PaymentNotice.objects.get(case=case), by=p["finance"])


@transaction.atomic
def seed() -> dict:
    p = _people()
    if not _told("GTDJ-XK-0001", "zhangwei"):
        _individual_business(p)
    # Told by its 营业执照: other demos (notices) already close food permits of 鲁味餐饮.
    if not _told("QYDJ-XK-0001", "luwei"):
        _company_and_food_permit(p)
    if not _told("SFZ-QR-0002", "zhangwei"):
        _charged_id_card(p)
    if not _told("SFZ-QR-0001", "zhangwei"):
        _online_id_card_renewal(p)
    return {"licenses": License.objects.count()}
