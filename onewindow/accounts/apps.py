from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "onewindow.accounts"
    verbose_name = "组织与账号"

    def ready(self):
        from django.db.models.signals import pre_save

        pre_save.connect(_within_columns, dispatch_uid="onewindow.inputs.check_columns")


def _within_columns(sender, instance, raw=False, **kwargs):
    """Not a domain rule but the storage's own limit, which SQLite does not enforce: a text longer
    than its column is refused before the row is written, alike on SQLite and PostgreSQL (issue 21;
    docs/decisions/0045). Fixtures loaded raw are trusted. Django's own models are left alone."""
    if raw or not sender.__module__.startswith("onewindow."):
        return
    from onewindow import inputs

    inputs.check_columns(instance)
