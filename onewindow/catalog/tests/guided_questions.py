"""The labelled question set of 智能导办: plain-language questions citizens ask, each with the
item that answers it, or NONE when the catalog has no item for it. Written as people speak at the
hall's consultation desk — not copied from the item names. Used by test_guided_search.py (hit
rate, honest answers), bench/catalog.py (latency) and bench/guide_threshold.py (precision and
recall per relevance threshold: decision 0026)."""

NONE = "none"

QUESTIONS = [
    ("我想开一家饭店", "SPJY-XK-0001"),
    ("身份证丢了怎么办", "SFZ-QR-0002"),
    ("身份证快到期了，要换个新的", "SFZ-QR-0001"),
    ("刚生了孩子，医院的出生证怎么开", "CSZM-GG-0001"),
    ("宝宝出生了怎么上户口", "CSDJ-QR-0001"),
    ("我和女朋友打算去领证", "JHDJ-QR-0001"),
    ("想注册一个有限公司", "QYDJ-XK-0001"),
    ("公司换了法定代表人，执照上要改", "QYBG-XK-0002"),
    ("新公司要刻一套公章", "YZKZ-BA-0001"),
    ("新开的公司怎么申领发票", "XBNS-GG-0001"),
    ("单位第一次给员工交社保", "SBDJ-GG-0001"),
    ("公司要给职工开公积金账户", "GJJKH-GG-0001"),
    ("被裁员了，失业金在哪领", "SYJ-GF-0001"),
    ("在外地住院，医保能直接结算吗", "YDJY-BA-0001"),
    ("买房想把公积金取出来", "GJJTQ-GG-0001"),
    ("买了套二手房，要过户", "BDCDJ-QR-0002"),
    ("开理发店要办卫生许可", "GGWS-XK-0001"),
    ("厂房开工前要办施工许可证", "SGXK-XK-0001"),
    ("楼房的设计方案要办工程规划许可证", "GCGH-XK-0001"),
    ("新建项目要做环评", "HPSP-XK-0001"),
    ("企业投资的项目去哪备案", "TZBA-BA-0001"),
    ("想开一家药店", "YPJY-XK-0001"),
    ("跑货运的道路运输证怎么办", "DLHY-XK-0001"),
    ("开个小卖部办个体执照", "GTDJ-XK-0001"),
    ("医生第一次执业要注册吗", "YSZC-XK-0001"),
    ("商场开业之前消防要检查", "XFJC-XK-0001"),
    ("楼盖好了要做消防验收", "XFYS-XK-0001"),
    ("新建厂房的消防图纸审查", "XFSC-XK-0001"),
    ("到年龄退休了怎么领养老金", "YLDY-GF-0001"),
    ("从外地把户口迁到德州", "HKQY-XK-0001"),
    ("找到工作了要办就业登记吗", "JYDJ-GG-0001"),
    ("驾照到期了怎么换", "JSZ-XK-0001"),
    ("生二胎要登记吗", "SYFW-GG-0001"),
    ("新盖的房子办房产证", "BDCDJ-QR-0001"),
    ("外地人在德州办居住证", "JZZ-QR-0001"),
    ("开网约车要办什么证", "WYC-XK-0001"),
    ("新装的电梯要去登记", "TZSB-XK-0001"),
    ("开养老院要备案吗", "YLJG-BA-0001"),
    ("房子抵押贷款要登记", "BDCDJ-QR-0003"),
    ("办一张社保卡", "SBK-GG-0001"),
    # A life from birth to death, a company from set-up through change to 注销 (issue 15).
    ("公司要注销", "QYZX-XK-0001"),
    ("户口迁移", "HKQY-XK-0001"),
    ("退休", "YLDY-GF-0001"),
    ("死亡后销户", "SWZX-QR-0001"),
    ("变更法定代表人", "QYBG-XK-0002"),
    ("孩子明年上小学怎么报名", "XXRX-GG-0001"),
    ("想考教师资格证", "JSZG-QR-0001"),
    ("孩子满16岁了第一次办身份证", "SFZ-QR-0003"),
    ("想给孩子改个名字", "HKBG-QR-0001"),
    ("出国旅游要办护照", "HZ-XK-0001"),
    ("买了新车怎么上牌", "JDCDJ-QR-0001"),
    ("我们俩协议离婚", "LHDJ-QR-0001"),
    ("结婚证找不到了", "BLJH-QR-0001"),
    ("刚失业了先去登记", "SYDJ-GG-0001"),
    ("大学毕业了档案放哪", "GXBY-GG-0001"),
    ("老板拖欠工资不给", "LDZC-CJ-0001"),
    ("自由职业者怎么自己交养老保险", "LHJY-GG-0001"),
    ("在外地交的社保转回德州", "YLZY-GG-0001"),
    ("上班路上出了车祸算工伤吗", "GSRD-QR-0001"),
    ("农村老人60岁领养老金", "CXJM-GF-0001"),
    ("糖尿病门诊能报销吗", "MTB-QR-0001"),
    ("租房能提公积金吗", "GJJTQ-GG-0003"),
    ("用公积金贷款买房", "GJJDK-GG-0001"),
    ("父亲去世了房子怎么过户给我", "BDCDJ-QR-0004"),
    ("房贷还清了怎么解押", "BDCDJ-QR-0005"),
    ("开一张无房证明", "BDCCX-GG-0001"),
    ("奶奶八十多了有补贴吗", "GLJT-GF-0001"),
    ("家里困难想申请低保", "DBSQ-GF-0001"),
    ("老人在家去世了怎么开死亡证明", "SWZM-GG-0001"),
    ("退休老人去世了丧葬费怎么领", "SZBZ-GF-0001"),
    ("火化费能减免吗", "BZJM-GF-0001"),
    ("公司搬到新地址了", "QYBG-XK-0003"),
    ("想在执照上加一项经营范围", "QYBG-XK-0004"),
    ("营业执照丢了", "YZBL-XK-0001"),
    ("企业年报怎么报", "QYNB-GG-0001"),
    ("小规模转一般纳税人", "YBNS-BA-0001"),
    ("个税怎么退税", "GSHS-GG-0001"),
    ("有债务的公司清算注销", "QYZX-XK-0002"),
    ("公司注销前要清税", "QSZX-GG-0001"),
    ("小店不开了要注销执照", "GTZX-XK-0001"),
    # As older citizens ask at the desk in 关怀版 (issue 23): filler glued to words (我想, 开个),
    # dialect (俺, 咋), the family member the errand is for.
    ("俺想开个饭店", "SPJY-XK-0001"),
    ("我要开个药店", "YPJY-XK-0001"),
    ("我想开个小卖部", "GTDJ-XK-0001"),
    ("我的身份证丢了咋办", "SFZ-QR-0002"),
    ("我家房子想过户给儿子", "BDCDJ-QR-0002"),
    ("俺闺女要结婚登记", "JHDJ-QR-0001"),
]

# Questions the demo catalog has no item for: the guide must say so (and offer 12345 and the
# hall's phone) rather than show an unrelated item first.
UNMATCHED = [
    "我家的狗丢了怎么办",
    "路灯坏了找谁修",
    "邻居装修太吵了",
    "小区停车位不够",
    "楼上漏水淹了我家",
    "燃气费怎么交",
    "孩子打疫苗去哪",
    "公司要申请专利",
    "怎么申请商标",
    "想办残疾证",
    "宽带怎么安装",
    "暖气不热找谁",
    "公园几点开门",
    "房子漏水物业不管",
    "我的快递丢了",
    "交通违章罚款怎么交",
]

# The whole labelled set: question → expected item (or bundle) code, or NONE.
LABELLED = QUESTIONS + [(q, NONE) for q in UNMATCHED]


def measure(index, threshold: float, top: int = 3) -> dict:
    """The guide's quality on the labelled set at a relevance threshold. The guide "answers" a
    question when it shows at least one hit (each hit at or above the threshold); an answer is
    right when the expected item is among the first `top` hits shown.

    precision: right answers / answers given (an answer to a NONE question is wrong);
    recall:    right answers / answerable questions;
    honest:    NONE questions left unanswered / NONE questions;
    first:     answerable questions whose expected item is shown first / answerable questions."""
    answered = right = first = honest = 0
    answerable = [q for q in LABELLED if q[1] != NONE]
    for question, expected in LABELLED:
        shown = [h.code for h in index.search(question, limit=top, min_relevance=threshold)]
        if shown:
            answered += 1
        if expected == NONE:
            honest += not shown
            continue
        right += expected in shown
        first += bool(shown) and shown[0] == expected
    precision = right / answered if answered else 1.0
    recall = right / len(answerable)
    return {
        "threshold": threshold, "answered": answered, "precision": round(precision, 3), "recall": round(recall, 3),
        "f1": round(2 * precision * recall / (precision + recall), 3) if precision + recall else 0.0,
        "honest": round(honest / len(UNMATCHED), 3), "first": round(first / len(answerable), 3),
    }  # fmt: skip
