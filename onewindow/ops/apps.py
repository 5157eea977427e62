from django.apps import AppConfig


class OpsConfig(AppConfig):
    """The operator's processes (the shell, decision 19): `manage.py worker` and `manage.py
    periodic`, and the one list of periodic jobs they run. It sits above every module whose job it
    runs, so no lower module imports it and none of them needs to know the others' jobs."""

    name = "onewindow.ops"
    verbose_name = "运维"
