"""Demo of 材料在线查阅 and 网上补正 (issue 15 item 2): 张伟's online applications for 食品经营许可
with uploaded files — one waiting in 网上预审 (the clerk opens the files, marks them and answers),
one already told to correct its application form (张伟 uploads the corrected file in 我的办件).
Idempotent: a demo case is recognised by its form data and made once."""

import secrets
import struct
import zlib

from django.core.files.base import ContentFile
from django.db import transaction

from onewindow.accounts.models import Applicant, Hall, User
from onewindow.cases import services
from onewindow.cases.models import Case, Channel
from onewindow.catalog.models import ItemVersion, Material

ITEM = "SPJY-XK-0001"  # 食品经营许可（新办）
MARK = "demo"


def _pdf(title: str) -> bytes:
    from weasyprint import HTML  # lazily, as onewindow.pdf

    return HTML(string=(
        f"<h1 style='font-family: Noto Sans CJK SC'>{title}</h1><p>申请人：张伟　经营场所：德州市德城区湖滨北路 18 号</p>"
        "<p style='page-break-before: always'>食品安全管理制度目录、设备布局图（第二页）</p>"
    )).write_pdf()  # fmt: skip


def _png(width: int = 240, height: int = 160, rgb: tuple[int, int, int] = (230, 236, 245)) -> bytes:
    """A plain PNG (a scanned page stands in): no imaging library needed at run time."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _file(content: bytes, extension: str) -> ContentFile:
    return ContentFile(content, name=secrets.token_hex(16) + extension)


@transaction.atomic
def _apply(kind: str, *, version: ItemVersion, applicant: Applicant, hall: Hall, clerk: User) -> None:
    asked = [
        m for m in version.materials.order_by("order") if m.source != Material.Source.SHARED and m.required
    ]
    form, others = asked[0], asked[1:]
    files = {
        form.pk: _file(_pdf("食品经营许可申请书"), ".pdf"),
        **{m.pk: _file(_png(), ".png") for m in others},
    }
    case = services.submit(version=version, applicant=applicant, hall=hall, channel=Channel.PORTAL, by=applicant.user,
                           form_data={MARK: f"materials:{kind}"}, handed_in=list(files), files=files)  # fmt: skip
    if kind == "noticed":
        note = "申请书未经申请人签字，请签字后重新上传"
        services.mark_material(case, by=clerk, material=form.pk, mark="needs_correction", note=note)
        for m in others:
            services.mark_material(case, by=clerk, material=m.pk, mark="passed")
        outstanding = case.materials.filter(state__in=("missing", "defective")).exclude(material=form)
        services.request_supplement(case, by=clerk, items=[
            {"material": form.pk, "note": note, "defective": True},
            *({"material": m.material_id, "note": "请上传营业执照"} for m in outstanding)])  # fmt: skip


def seed(hall_code: str = "371400-zwfw") -> int:
    """Makes the demo applications not there yet; returns how many it made."""
    hall = Hall.objects.filter(code=hall_code).first()
    version = ItemVersion.objects.filter(item__code=ITEM, state=ItemVersion.State.PUBLISHED).first()
    applicant = Applicant.objects.filter(user__username="zhangwei").select_related("user").first()
    clerk = User.objects.filter(username="clerk").first()
    if hall is None or version is None or applicant is None or clerk is None:
        return 0
    made = 0
    for kind in ("waiting", "noticed"):
        if not Case.objects.filter(**{f"form_data__{MARK}": f"materials:{kind}"}).exists():
            _apply(kind, version=version, applicant=applicant, hall=hall, clerk=clerk)
            made += 1
    return made
