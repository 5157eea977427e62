from django.core.management.base import BaseCommand

from onewindow.web import demo


class Command(BaseCommand):
    help = "打印演示地址与登录账号。"

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/")

    def handle(self, *args, url, **options):
        self.stdout.write(f"\nOneWindow 已启动：{url}\n管理后台：{url}admin/    接口文档：{url}api/v1/docs\n")
        self.stdout.write(f"演示账号（密码均为 {demo.DEMO_PASSWORD}）：")
        for username, role in demo.LOGIN_ROLES:
            self.stdout.write(f"  {username:<14} {role}")
        self.stdout.write(
            f"窗口登记、尚未注册网上账号的市民：{demo.WALK_IN['name']}，身份证号码 {demo.WALK_IN['id_number']}，"
            f"在 {url}register/ 注册认领；演示短信（验证码）见 {url}dev/sms/（仅 DEBUG）"
        )
        self.stdout.write("")
