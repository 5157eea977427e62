"""Demo application forms (申请表字段) for the items of the demo bundles (the [[bundles]] of
catalog/data/demo_catalog.toml), so 企业开办 and 开办餐馆 show a merged form: the shared data
elements (企业名称, 法定代表人, 住所, 开户银行 …) are asked once for all their items. Idempotent: run it as often as you like."""

from onewindow.bundles.models import FieldKind, FormField
from onewindow.catalog.models import ServiceItem

T, AREA, NUM, DATE, CHOICE = (
    FieldKind.TEXT,
    FieldKind.TEXTAREA,
    FieldKind.NUMBER,
    FieldKind.DATE,
    FieldKind.CHOICE,
)

# key: (label, kind, choices, help text) — one definition per data element.
ELEMENTS = {
    "enterprise_name": ("企业名称", T, "", "与名称自主申报结果一致"),
    "enterprise_type": ("企业类型", CHOICE, "有限责任公司|股份有限公司|个人独资企业|合伙企业", ""),
    "legal_representative": ("法定代表人", T, "", ""),
    "registered_address": ("住所（经营场所）", T, "", "详细到门牌号"),
    "registered_capital": ("注册资本（万元）", NUM, "", ""),
    "business_scope": ("经营范围", AREA, "", "按经营范围规范表述填写"),
    "contact_phone": ("联系电话", T, "", "用于各部门联系和短信通知"),
    "seal_kinds": ("刻制印章", T, "", "如：公章、财务专用章、发票专用章"),
    "bank_name": ("基本存款账户开户银行", T, "", ""),
    "bank_account": ("基本存款账户账号", T, "", ""),
    "invoice_needed": ("是否同时申领发票", CHOICE, "是|否", ""),
    "employees": ("参保职工人数", NUM, "", ""),
    "deposit_ratio": ("公积金缴存比例（%）", NUM, "", "5%至12%"),
    "opening_date": ("预计开业日期", DATE, "", ""),
    "business_name": ("名称（字号）", T, "", ""),
    "operator_name": ("经营者姓名", T, "", ""),
    "business_address": ("经营场所", T, "", "详细到门牌号"),
    "business_area": ("经营面积（平方米）", NUM, "", ""),
    "food_business_type": ("主体业态", CHOICE, "餐饮服务经营者|单位食堂|食品销售经营者", ""),
    "seats": ("就餐座位数", NUM, "", ""),
    "daily_drainage": ("日排水量（吨）", NUM, "", ""),
}

# item code: [(key, required)] in the form's order.
FORMS = {
    # 企业开办 (YJS-QYKB) and 开办药店 (YJS-KYD)
    "QYDJ-XK-0001": [("enterprise_name", True), ("enterprise_type", True), ("legal_representative", True),
                     ("registered_address", True), ("registered_capital", True), ("business_scope", True),
                     ("contact_phone", True)],
    "YZKZ-BA-0001": [("enterprise_name", True), ("legal_representative", True), ("seal_kinds", True),
                     ("contact_phone", True)],
    "XBNS-GG-0001": [("enterprise_name", True), ("enterprise_type", True), ("legal_representative", True),
                     ("registered_address", True), ("business_scope", True), ("bank_name", True),
                     ("bank_account", True), ("invoice_needed", True), ("contact_phone", True)],
    "SBDJ-GG-0001": [("enterprise_name", True), ("legal_representative", True), ("registered_address", True),
                     ("bank_name", True), ("bank_account", True), ("employees", True), ("contact_phone", True)],
    "GJJKH-GG-0001": [("enterprise_name", True), ("legal_representative", True), ("bank_name", True),
                      ("bank_account", True), ("employees", True), ("deposit_ratio", True), ("contact_phone", True)],
    "YPJY-XK-0001": [("enterprise_name", True), ("registered_address", True), ("business_area", True),
                     ("opening_date", False), ("contact_phone", True)],
    # 开办餐馆 (YJS-KCG) and 开办美容美发店 (YJS-MRMF)
    "GTDJ-XK-0001": [("business_name", True), ("operator_name", True), ("business_address", True),
                     ("business_scope", True), ("contact_phone", True)],
    "SPJY-XK-0001": [("business_name", True), ("operator_name", True), ("business_address", True),
                     ("food_business_type", True), ("business_area", True), ("contact_phone", True)],
    "PSXK-XK-0001": [("business_name", True), ("business_address", True), ("daily_drainage", True),
                     ("contact_phone", True)],
    "XFJC-XK-0001": [("business_name", True), ("business_address", True), ("business_area", True),
                     ("seats", False), ("opening_date", True), ("contact_phone", True)],
    "GGWS-XK-0001": [("business_name", True), ("operator_name", True), ("business_address", True),
                     ("business_area", True), ("contact_phone", True)],
}  # fmt: skip


def seed() -> int:
    """Creates or updates the demo forms of the demo items present; returns the fields written."""
    items = {i.code: i for i in ServiceItem.objects.filter(code__in=FORMS)}
    written = 0
    for code, fields in FORMS.items():
        if code not in items:
            continue
        for order, (key, required) in enumerate(fields, start=1):
            label, kind, choices, help_text = ELEMENTS[key]
            FormField.objects.update_or_create(
                item=items[code], key=key,
                defaults={"order": order, "label": label, "kind": kind, "choices": choices, "help_text": help_text,
                          "required": required},
            )  # fmt: skip
            written += 1
    return written
