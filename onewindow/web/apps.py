from django.apps import AppConfig
from django.core import checks


class WebConfig(AppConfig):
    name = "onewindow.web"

    def ready(self):
        from onewindow.links import check_public_url

        # A deployment check (`manage.py check --deploy`): the processes that hand links out run it
        # at start themselves (wsgi, asgi, `manage.py worker`), so the tools (makemigrations,
        # migrate, seed_demo) work on a developer's machine without a public address.
        checks.register(check_public_url, "onewindow", deploy=True)
