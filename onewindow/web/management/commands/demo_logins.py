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
        self.stdout.write("")
