from django.apps import AppConfig


class NotifyConfig(AppConfig):
    name = "onewindow.notify"
    verbose_name = "消息"

    def ready(self):
        # Cases sits above notify and cannot import it: notify registers its hook with cases,
        # whose outbox row is written with every transition's rows (the outbox's guarantee).
        from onewindow.cases import services as cases
        from onewindow.notify.case_events import message_writes

        cases.write_with_transition(message_writes)
