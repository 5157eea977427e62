from django.core.management.base import BaseCommand

from onewindow.accounts.models import Hall
from onewindow.assessment import services as assessment
from onewindow.bundles import demo as bundles_demo
from onewindow.bundles import services as bundles
from onewindow.cases import demo as cases_demo
from onewindow.cases import demo_citywide as citywide_demo
from onewindow.catalog import demo as catalog_demo
from onewindow.catalog import services as catalog
from onewindow.documents import demo as documents_demo
from onewindow.foresight import history as foresight_history
from onewindow.foresight import services as forecast
from onewindow.hotline import demo as hotline_demo
from onewindow.hotline import seed as hotline_seed
from onewindow.licenses import demo as license_demo
from onewindow.market import demo as market_demo
from onewindow.market import demo_purchases as market_purchases_demo
from onewindow.payments import services as payments
from onewindow.projects import demo as projects_demo
from onewindow.queueing import demo as queue_demo
from onewindow.ratings import demo as ratings_demo
from onewindow.ratings import satisfaction_demo
from onewindow.stats import demo as stats_demo
from onewindow.supervision import demo as supervision_demo
from onewindow.trading import demo as trading_demo
from onewindow.trading import demo_projects as trading_projects_demo
from onewindow.web import demo
from onewindow.workdays import services as workdays


class Command(BaseCommand):
    help = "载入演示大厅（德州市政务服务中心）：区划、部门、窗口、工作人员、申请人与工作日历。可重复运行。"

    def add_arguments(self, parser):
        parser.add_argument(
            "--without-history", action="store_true",
            help="不生成演示用的一年历史办件（风险预判的基准测试自行生成）",
        )  # fmt: skip

    def handle(self, *args, without_history=False, **options):
        workdays.ensure_calendar()
        counts = demo.seed()
        items = catalog.load_demo(catalog_demo.load())
        catalog_demo.seed_questions()  # 未找到事项的提问 for the hall admin's list
        bundles_demo.seed()  # the items' form fields, so a bundle shows one merged form
        queue_demo.seed()
        projects_demo.seed(Hall.objects.get(code="371400-zwfw"))  # stage templates, a key project
        documents_demo.seed()  # a case for every notice kind
        cases_demo.seed()  # online applications with files: 网上预审, 材料审核, 网上补正
        license_demo.seed()  # licenses issued, picked up and posted; a fee waiting for finance
        demo.seed_walk_in()  # 王秀兰, registered at a window, to claim her record online (issue 15 item 4)
        # What the worker's periodic jobs record within the minute: the fee notices the demo's
        # approvals owe, the bundles their children closed (decision 20).
        payments.issue_due_notices()
        bundles.settle()
        citywide_demo.seed()  # 同城通办: a district bureau and hall staff; two cases across halls
        supervision_demo.seed()  # 电子监察: a red, a yellow and a paused case; the job run once
        pairing = ratings_demo.seed()  # 好差评: the tags, and window 01's rating device
        satisfaction_demo.seed()  # 好差评: two months of rated cases, bad ratings rectified, two complaints
        # 风险预判: a year of generated history (planted slow department, step, holidays), its
        # undecided cases open — after the supervision job and the ratings' stories above (the job
        # would urge and escalate them), before the roll-up, which counts them.
        history = None if without_history else foresight_history.seed_demo()
        if history:  # and the forecast fitted on it, every open case scored, as the worker would
            forecast.fit()
            forecast.score()
        stats_demo.seed()  # 统计分析: an overdue case, then the daily roll-up of every demo case
        hotline_seed.seed_categories()  # 12345 热线分类 (two levels, stable codes)
        hotline_seed.seed_knowledge()  # 热线知识库 and 答复模板: a handful for the operator's search
        hotline_demo.seed()  # 12345 工单: one answered directly, one called back, one past its limit
        market_demo.seed()  # 中介超市: service types with caps, fee relief, graded agencies, `agency` and `owner`
        market_purchases_demo.seed()  # the board: open, drawn, failed and reposted, choosing, contracted, completed
        trading_demo.seed()  # 公共资源交易: `trading`, owners (`buyer`), bidders with credit records, 60 experts
        trading_projects_demo.seed()  # projects in every state, contracted over months (statistics)
        hall = Hall.objects.get(code="371400-zwfw")
        assessment.compute(assessment.previous_month(), hall)  # 月度考核 of last month, as the worker would
        self.stdout.write(
            f"演示数据就绪：{counts['regions']} 个区划，{counts['departments']} 个部门，"
            f"{counts['halls']} 个中心，市中心 {counts['windows']} 个窗口；事项目录 {items['items']} 项、"
            f"“一件事” {items['bundles']} 个。"
        )
        if history:
            self.stdout.write(
                f"生成历史办件 {history['cases']} 件（在办 {history['open']} 件，逾期比例 {history['late_share']:.0%}），"
                f"用时 {history['seconds']:.1f} 秒。"
            )
        if pairing:
            self.stdout.write(f"01号窗口评价器（平板）配对链接：{pairing}")
