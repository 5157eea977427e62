"""The hotline's category tree (热线分类) and the demo's knowledge base and reply templates.

The tree is *modelled on* the two-level classification the 12345 hotlines use in practice after
the State Council's guidance on merging the local hotlines into 12345 (国办发〔2020〕53号《关于
进一步优化地方政务服务便民热线的指导意见》), which asks for a unified classification but publishes
no code table; no GB/T table was found. Codes are ours and stable: two digits for a domain, four
for its children (a later child takes the next free number; a code is never reused), so the
weekly report's history and Open311's service codes survive a renaming.

`seed_categories` is idempotent (`seed_hotline_categories`, and seed_demo): names, order and the
default department follow this file; a department is mapped only where the demo has one with
that code, and an operator's later choice of department is not overwritten by a re-run."""

import datetime as dt

from django.db import transaction

from onewindow import clock
from onewindow.accounts.models import Department
from onewindow.hotline.models import Category, KnowledgeEntry, ReplyTemplate

# (code, name, default department code or "", children: [(code, name, department code or "")])
# "": no default department (the operator chooses one when dispatching).
TREE = [
    ("01", "城乡建设", "371400-zjj", [
        ("0101", "物业管理", "371400-zjj"), ("0102", "供暖", "371400-zjj"), ("0103", "供水供气", "371400-zjj"),
        ("0104", "房屋安全与维修", "371400-zjj"), ("0105", "违法建设", "371400-zrzy"), ("0106", "市容环卫", "371400-zjj"),
    ]),
    ("02", "交通运输", "371400-jtj", [
        ("0201", "公交出行", "371400-jtj"), ("0202", "出租车与网约车", "371400-jtj"), ("0203", "道路维护", "371400-jtj"),
        ("0204", "停车管理", "371400-gaj"),
    ]),
    ("03", "市场监管", "371400-scjg", [
        ("0301", "消费维权", "371400-scjg"), ("0302", "食品安全", "371400-scjg"), ("0303", "价格监管", "371400-scjg"),
        ("0304", "市场主体登记", "371400-xzsp"),
    ]),
    ("04", "劳动保障", "371400-rsj", [
        ("0401", "拖欠工资", "371400-rsj"), ("0402", "社会保险", "371400-rsj"), ("0403", "就业创业", "371400-rsj"),
        ("0404", "医疗保障", "371400-ybj"),
    ]),
    ("05", "教育", "371400-jyj", [
        ("0501", "招生入学", "371400-jyj"), ("0502", "校外培训", "371400-jyj"), ("0503", "校园安全", "371400-jyj"),
    ]),
    ("06", "卫生健康", "371400-wjw", [
        ("0601", "医疗服务", "371400-wjw"), ("0602", "疾病防控", "371400-wjw"), ("0603", "母婴与生育", "371400-wjw"),
    ]),
    ("07", "公安", "371400-gaj", [
        ("0701", "户籍证件", "371400-gaj"), ("0702", "治安管理", "371400-gaj"), ("0703", "交通管理", "371400-gaj"),
    ]),
    ("08", "生态环境", "371400-sthj", [
        ("0801", "噪声污染", "371400-sthj"), ("0802", "大气污染", "371400-sthj"), ("0803", "水污染", "371400-sthj"),
    ]),
    ("09", "民政", "371400-mzj", [
        ("0901", "社会救助", "371400-mzj"), ("0902", "养老服务", "371400-mzj"), ("0903", "婚姻登记", "371400-mzj"),
    ]),
    ("10", "政务服务", "371400-xzsp", [
        ("1001", "办事咨询", "371400-xzsp"), ("1002", "窗口服务", "371400-xzsp"), ("1003", "不动产登记", "371400-bdc"),
        ("1004", "住房公积金", "371400-gjj"), ("1005", "税费", "371400-sw"),
    ]),
    ("11", "消防安全", "371400-xf", [
        ("1101", "消防隐患", "371400-xf"), ("1102", "消防通道", "371400-xf"),
    ]),
    ("99", "其他", "", [
        ("9901", "表扬感谢", ""), ("9902", "其他诉求", ""),
    ]),
]  # fmt: skip


@transaction.atomic
def seed_categories() -> dict:
    """Creates or updates the tree; returns {"created": n, "updated": n}."""
    departments = dict(Department.objects.values_list("code", "pk"))
    created = updated = 0

    def put(code, name, dept_code, parent, order):
        nonlocal created, updated
        category, made = Category.objects.get_or_create(
            code=code,
            defaults={
                "name": name,
                "parent": parent,
                "order": order,
                "department_id": departments.get(dept_code),
            },
        )
        if made:
            created += 1
            return category
        changed = (
            category.name != name
            or category.parent_id != (parent.pk if parent else None)
            or category.order != order
        )
        if category.department_id is None and departments.get(dept_code):  # never overwrite a configured one
            category.department_id, changed = departments[dept_code], True
        if changed:
            category.name, category.parent, category.order = name, parent, order
            category.save()
            updated += 1
        return category

    for i, (code, name, dept_code, children) in enumerate(TREE, 1):
        top = put(code, name, dept_code, None, i)
        for j, (child_code, child_name, child_dept) in enumerate(children, 1):
            put(child_code, child_name, child_dept, top, j)
    return {"created": created, "updated": updated}


# The demo's typical questions (知识库) and reply templates (答复模板): keyed by question/title, so
# a re-run adds nothing twice.
KNOWLEDGE = [
    ("0102", "暖气不热怎么办？供暖期是什么时候？",
     "本市集中供暖期为每年11月15日至次年3月15日。室温低于18℃可拨打供热企业服务电话报修，"
     "企业须在24小时内上门检测；仍未解决的，热线将转住建局督办。", "暖气 供暖 不热 室温 供热"),
    ("0101", "物业不维修电梯怎么办？",
     "电梯维修属物业服务合同约定的共用设施维护，可先向物业服务企业书面报修；"
     "物业拒不维修的，可向所在街道或住建局物业科投诉，使用住宅专项维修资金的须经业主表决。", "电梯 物业 维修 维修资金"),
    ("0401", "单位拖欠工资如何投诉？",
     "可携带劳动合同、考勤或工资条等证明材料到人社局劳动保障监察机构投诉，"
     "也可通过热线登记，由人社局在13个工作日内答复；建设领域欠薪优先处理。", "拖欠工资 欠薪 讨薪 工资 劳动监察"),
    ("0402", "社保卡丢了怎么补办？",
     "携带身份证到任一社保卡服务网点或合作银行网点办理挂失补办，也可在“爱山东”App线上申请，补卡后原卡作废。",
     "社保卡 补办 挂失 丢失"),
    ("1004", "公积金怎么提取？",
     "购房、租房、退休等情形可提取住房公积金，携带身份证和相关证明到市政务服务中心公积金窗口办理，"
     "租房提取可通过公积金中心网站或App线上办理。", "公积金 提取 租房 购房"),
    ("0501", "小学入学报名需要什么材料？",
     "一般需要户口簿、房产证明（或居住证明）和适龄儿童身份证明，具体以教育局当年发布的招生简章为准，"
     "每年7月前后在教育局网站公布。", "入学 报名 小学 招生 学区"),
]  # fmt: skip
TEMPLATES = [
    ("0102", "供暖报修转办", "您反映的{地址}供暖不热问题已转供热企业和住建局办理，企业将在24小时内上门检测，请保持电话畅通。"),
    ("0401", "欠薪投诉受理", "您反映的拖欠工资问题已登记并转人社局劳动保障监察机构办理，将在13个工作日内答复您。"),
    (None, "咨询已答复", "您好，您咨询的问题已根据相关政策答复，如有疑问可再次拨打12345。感谢您的来电。"),
]  # fmt: skip


@transaction.atomic
def seed_knowledge() -> dict:
    categories = dict(Category.objects.values_list("code", "pk"))
    department_of = dict(Category.objects.values_list("code", "department_id"))
    now = clock.now() - dt.timedelta(days=30)
    entries = 0
    for code, question, answer, keywords in KNOWLEDGE:
        _, made = KnowledgeEntry.objects.get_or_create(
            question=question,
            defaults={"answer": answer, "keywords": keywords, "category_id": categories.get(code),
                      "department_id": department_of.get(code), "updated_at": now},
        )  # fmt: skip
        entries += made
    templates = 0
    for code, title, text in TEMPLATES:
        _, made = ReplyTemplate.objects.get_or_create(
            title=title, defaults={"text": text, "category_id": categories.get(code) if code else None}
        )
        templates += made
    return {"knowledge": entries, "templates": templates}
