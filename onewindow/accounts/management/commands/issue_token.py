from django.core.management.base import BaseCommand, CommandError

from onewindow.accounts import services
from onewindow.accounts.models import User


class Command(BaseCommand):
    help = "为账号签发接口令牌（Authorization: Bearer …）；令牌只显示这一次。"

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--name", default="命令行签发", help="令牌用途说明")

    def handle(self, *args, username, name, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"账号“{username}”不存在或已停用。")
        token, secret = services.issue_token(user, name)
        self.stdout.write(secret)
