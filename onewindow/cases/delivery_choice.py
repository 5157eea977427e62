"""送达方式 chosen at online application (不见面审批, issue 15 item 3): the applicant picks the
license up at a window or has it posted free of charge, and names the recipient. One home for
what is offered (`methods_for`, read by the apply page) and what is accepted (`check`, read by
the same view before it submits); 制证 and 送达 read the stored choice (`choice_of`)."""

import re

from onewindow import clock
from onewindow.cases.models import Case, DeliveryChoice
from onewindow.catalog.models import ItemVersion, ResultType
from onewindow.errors import DomainError

Method = DeliveryChoice.Method
MOBILE = re.compile(r"1[3-9]\d{9}")
# The results that are documents to deliver (a 证照 or 批文); other results need no delivery.
DOCUMENT_RESULTS = (ResultType.LICENSE, ResultType.APPROVAL)


def methods_for(version: ItemVersion) -> dict[str, str]:
    """The delivery methods the item offers ({} when its result is not a document to deliver)."""
    if version.result_type not in DOCUMENT_RESULTS:
        return {}
    offered = {Method.PICKUP: version.delivery_pickup, Method.POST: version.delivery_post}
    return {str(m): m.label for m, on in offered.items() if on}


def check(
    version: ItemVersion, *, method: str, recipient: str = "", phone: str = "", address: str = ""
) -> dict:
    """The choice as it will be stored, cleaned — or DomainError, nothing stored. {} when the item
    delivers nothing."""
    offered = methods_for(version)
    if not offered:
        return {}
    method = (method or "").strip()
    if method not in offered:
        raise DomainError(
            "case.delivery_method_not_offered", f"请选择送达方式：{'或'.join(offered.values())}。"
        )
    if method == Method.PICKUP:
        return {"method": method}
    recipient, phone, address = ((v or "").replace("\x00", "").strip() for v in (recipient, phone, address))
    if not 1 <= len(recipient) <= 50:
        raise DomainError("case.delivery_recipient", "邮寄送达请填写收件人姓名（不超过50字）。")
    if not MOBILE.fullmatch(phone):
        raise DomainError("case.delivery_phone", "收件人电话应为11位手机号码。")
    if not 5 <= len(address) <= 200:
        raise DomainError("case.delivery_address", "请填写详细收件地址（省市区县、街道门牌号，5至200字）。")
    return {"method": method, "recipient": recipient, "phone": phone, "address": address}


def record(case: Case, choice: dict) -> DeliveryChoice | None:
    """Stores a checked choice with the case (in the submission's transaction)."""
    if not choice:
        return None
    return DeliveryChoice.objects.create(case=case, chosen_at=clock.now(), **choice)


def choice_of(case: Case) -> DeliveryChoice | None:
    return DeliveryChoice.objects.filter(case_id=case.pk).first()
