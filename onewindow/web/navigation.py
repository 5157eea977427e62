"""Where each kind of staff goes: one list that makes both the top navigation and the cards of
the workbench home (工作台), so a new page is linked in one place. A link is shown to the roles
named; a superuser sees every link. The portal's links (the public, an owner, an agency) are a
second list below."""

from dataclasses import dataclass

from django.urls import reverse

from onewindow.accounts.models import Role
from onewindow.cases import pre_review

R = Role


@dataclass(frozen=True)
class Link:
    label: str
    url_name: str
    hint: str
    roles: frozenset[str]


def _link(label: str, url_name: str, hint: str, *roles: str) -> Link:
    return Link(label, url_name, hint, frozenset(roles))


# fmt: off
STAFF_LINKS: tuple[Link, ...] = (
    _link("办件受理", "cases:workbench", "查找或登记申请人，接件、受理", R.CLERK, R.AGENT),
    _link("网上预审", "cases:pre-review", "网上申请待答复（受理、一次性告知或不予受理），按五个工作日时限亮灯",
          *pre_review.ROLES),
    _link("叫号", "queueing:console", "叫号、重呼、办结、转移、暂停", R.CLERK, R.AGENT),
    _link("一件事", "bundles:staff-index", "综合窗口一次接件、一次受理，各部门并联办理",
          R.CLERK, R.AGENT, R.REVIEWER, R.DEPARTMENT_HEAD),
    _link("我的待办", "cases:inbox", "本部门在办件，按红黄绿灯排序", R.REVIEWER, R.DEPARTMENT_HEAD),
    _link("告知承诺核查", "cases:commitment-checks", "待核查的告知承诺审批，按核查期限亮灯", R.REVIEWER, R.DEPARTMENT_HEAD),
    _link("并联审批", "projects:inbox", "待提出的并联审查意见、牵头阶段的受理和办结", R.REVIEWER, R.DEPARTMENT_HEAD),
    _link("建设项目", "projects:list", "按项目代码查询项目的阶段、意见和办件", R.AGENT, R.HALL_ADMIN, R.SUPERVISOR),
    _link("证照管理", "licenses:desk", "待制证、待送达、逾期送达；证照共享查询",
          R.CLERK, R.REVIEWER, R.DEPARTMENT_HEAD, R.SUPERVISOR, R.HALL_ADMIN),
    _link("缴款通知", "payments:notices", "审核、收款、入库、作废",
          R.FINANCE, R.BANK_TELLER, R.REVIEWER, R.DEPARTMENT_HEAD),
    _link("日对账", "payments:reconciliation", "当日开具、缴款、未缴款与超24小时未入库",
          R.FINANCE, R.HALL_ADMIN, R.SUPERVISOR),
    _link("事项发布", "catalog:staff", "事项版本的起草、提交与发布", R.HALL_ADMIN, R.DEPARTMENT_HEAD),
    _link("未找到事项的提问", "catalog:questions", "智能导办没有找到相符事项的提问，按次数排列", R.HALL_ADMIN),
    _link("排队统计", "queueing:figures", "等候时间、过号率、下周窗口配置建议", R.HALL_ADMIN, R.SUPERVISOR),
    _link("电子监察", "supervision:overdue", "各部门超期、临近期限的办件与违规记录", R.HALL_ADMIN, R.SUPERVISOR),
    _link("否决报备", "cases:veto-filings", "建设项目办件的不予受理、不予准予及其法律依据", R.HALL_ADMIN, R.SUPERVISOR),
    _link("统计分析", "stats:dashboard", "今日亮灯、逾期办件、月度趋势、部门排名、环节用时，均可导出 Excel；月度报告 PDF",
          R.HALL_ADMIN, R.SUPERVISOR, R.DEPARTMENT_HEAD),
    _link("承诺时限建议", "foresight:advisor", "按近12个月实际用时，各事项能达到按时办结目标的最短承诺时限；据此起草变更",
          R.HALL_ADMIN, R.SUPERVISOR),
    _link("投诉管理", "complaints:list", "投诉的分派、答复、回访与认定；超期未答复的投诉",
          R.HALL_ADMIN, R.SUPERVISOR, R.REVIEWER, R.DEPARTMENT_HEAD, R.HOTLINE_OPERATOR),
    _link("12345热线", "hotline:workbench", "来电登记、来电人历史工单、直接答复、派单、办结回访；疑似重复工单合并",
          R.HOTLINE_OPERATOR, R.HALL_ADMIN, R.SUPERVISOR),
    _link("热线工单", "hotline:department", "派给本部门的12345工单：签收、答复、转办、异议，按期限亮灯",
          R.REVIEWER, R.DEPARTMENT_HEAD),
    _link("差评整改", "rectifications:list", "差评的回访、核实、整改和反馈，按期限亮灯；申诉复核",
          R.HALL_ADMIN, R.SUPERVISOR, R.REVIEWER, R.DEPARTMENT_HEAD),
    _link("月度考核", "assessment:ranking", "窗口和工作人员千分制得分、扣分明细，确认红旗窗口和服务标兵，导出 Excel",
          R.HALL_ADMIN, R.SUPERVISOR),
    _link("我的考核", "assessment:mine", "本人和所在窗口的月度千分制得分及扣分依据", R.CLERK, R.AGENT),
    _link("热线知识库", "hotline_figures:kb", "12345 常见问题的答复口径，可复制到答复", R.HOTLINE_OPERATOR, R.HALL_ADMIN, R.SUPERVISOR),
    _link("热线分类周报", "hotline_figures:report", "各分类、各部门本周工单与前8周平均，上升分类标出；办理指标，可导出 Excel",
          R.HOTLINE_OPERATOR, R.HALL_ADMIN, R.SUPERVISOR, R.DEPARTMENT_HEAD),
    _link("中介机构评价", "market_contracts:grades-staff", "中介机构年度信用等级的计算、公布和申诉处理；投诉与违规记录",
          R.HALL_ADMIN, R.SUPERVISOR),
    _link("短信发送", "notify:messages", "待发送、发送失败的短信；失败的可重新发送", R.HALL_ADMIN, R.SUPERVISOR),
    _link("中介机构入驻审核", "market_agencies:admission", "中介超市：中介机构的入驻申请审核（通过、不予通过）与清退",
          R.HALL_ADMIN, R.SUPERVISOR),
    _link("交易工作台", "trading:workbench", "交易项目的登记发布、开标、专家抽取、评标报告和终止；按待办分组",
          R.TRADING_OFFICER, R.HALL_ADMIN, R.SUPERVISOR, R.DEPARTMENT_HEAD),
)
# fmt: on


def staff_links(role: str | None, superuser: bool = False) -> list[dict]:
    """The links `role` sees, with their URLs, in menu order."""
    return [
        {"label": link.label, "url": reverse(link.url_name), "hint": link.hint}
        for link in STAFF_LINKS
        if superuser or role in link.roles
    ]


@dataclass(frozen=True)
class PortalLink:
    label: str
    url_name: str
    hint: str
    who: str  # "public": everyone; "owner": a legal person's account; "agency": an agency's account;
    # "bidder": a trading bidder's account; "expert": an evaluation expert's account


# fmt: off
PORTAL_LINKS: tuple[PortalLink, ...] = (
    PortalLink("中介超市", "market:board", "中介服务采购项目公告、报名和选取结果", "public"),
    PortalLink("中介机构名录", "market_agencies:directory", "入驻中介机构、资质和年度信用等级", "public"),
    PortalLink("我的采购", "market:owner-purchases", "发布中介服务需求，选定中介机构", "owner"),
    PortalLink("我的报名", "market:my-registrations", "本机构的报名、报价和选取结果", "agency"),
    PortalLink("公共资源交易", "trading:board", "招标、采购、土地和产权交易公告，开标记录、评委打分和中标结果", "public"),
    PortalLink("我的交易项目", "trading:owner-projects", "答复异议、定标、登记合同", "owner"),
    PortalLink("我的投标", "trading:my-bids", "本单位递交的投标文件回执和结果", "bidder"),
    PortalLink("评标专家", "trading:expert", "抽取通知的确认、评标评分", "expert"),
)
# fmt: on


def portal_links(
    *, owner: bool = False, agency: bool = False, bidder: bool = False, expert: bool = False
) -> list[dict]:
    """The portal links for a visitor who is (or is not) an owner, an agency, a bidder, an expert,
    in menu order."""
    roles = {"owner": owner, "agency": agency, "bidder": bidder, "expert": expert}
    shown = {"public"} | {who for who, yes in roles.items() if yes}
    return [
        {"label": link.label, "url": reverse(link.url_name), "hint": link.hint, "who": link.who}
        for link in PORTAL_LINKS
        if link.who in shown
    ]


# 关怀版 (issue 23, web/care.py): the whole navigation is the five things citizens do most, in
# the order they do them. 取号预约 is the main hall's (the portal's) appointment page.
# fmt: off
CARE_LINKS: tuple[PortalLink, ...] = (
    PortalLink("找事项", "catalog:guide", "说一句话，找到要办的事", "find"),
    PortalLink("网上办事", "catalog:items", "选好事项，在网上申请", "apply"),
    PortalLink("我的办件", "cases:my-cases", "登录后查看自己的办件", "mine"),
    PortalLink("办件查询", "cases:progress", "凭办件编号和手机号码后四位查进度", "progress"),
    PortalLink("取号预约", "queueing:appointments", "预约到大厅办事的时段，到大厅凭预约码取号", "queue"),
)
# fmt: on


def care_links() -> list[dict]:
    """The 关怀版 navigation, with its URLs (`who` is the link's key here)."""
    from onewindow.catalog.queries import guide_hall

    hall = guide_hall()
    links = []
    for link in CARE_LINKS:
        if link.url_name == "queueing:appointments":
            if hall is None:
                continue
            url = reverse(link.url_name, args=[hall.code])
        else:
            url = reverse(link.url_name)
        links.append({"label": link.label, "url": url, "hint": link.hint, "key": link.who})
    return links
