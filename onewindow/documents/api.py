"""Notices (受理通知书、一次性告知书 …) as PDFs with a QR code to the progress page:
GET /api/v1/cases/{number}/notices (the kinds a case has) and …/notices/{kind} (the PDF)."""

import datetime as dt

from django.urls import reverse
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from onewindow import links
from onewindow.accounts.permissions import requires
from onewindow.documents import notices
from onewindow.documents.views import pdf_response
from onewindow.paging import Paged

router = Router(tags=["documents"])


# One notice of a case (named apart from the payments module's payment notice, NoticeOut).
class CaseNoticeOut(Schema):
    kind: str = Field(..., description="acceptance / supplement_request / refusal / tolerance_promise / "
                                       "suspension / extension / decision")  # fmt: skip
    kind_display: str = Field(..., description="文书名称，如 受理通知书、准予行政许可决定书")
    number: str = Field(..., description="文书编号")
    issued_on: dt.date
    url: str = Field(..., description="PDF 地址")


@router.get(
    "/cases/{number}/notices",
    response=list[CaseNoticeOut],
    operation_id="documents_list_notices",
    summary="办件文书列表",
)
@paginate(Paged)
@requires()
def list_notices(request, number: str):
    """The notices the case has, in the order issued, each with the URL of its PDF."""
    case = notices.case_seen_by(request.user, number)
    return [
        {
            "kind": n.kind.code,
            "kind_display": n.title,
            "number": n.number,
            "issued_on": n.issued_on,
            "url": links.public_url(reverse("api:get_notice", args=[case.number, n.kind.code])),
        }
        for n in notices.issued(case)
    ]


@router.get(
    "/cases/{number}/notices/{kind}",
    operation_id="documents_get_notice",
    summary="文书 PDF",
    openapi_extra={
        "responses": {
            200: {"description": "PDF（A4）", "content": {"application/pdf": {"schema": {"type": "string",
                                                                                        "format": "binary"}}}},
        }
    },
)  # fmt: skip
@requires()
def get_notice(request, number: str, kind: str):
    """The notice as a PDF. An unknown kind → 400 `notice.unknown_kind`; a kind the case has
    not had → 404 `notice.not_available`."""
    notices.check_kind(kind)
    return pdf_response(notices.issued_one(notices.case_seen_by(request.user, number), kind))
