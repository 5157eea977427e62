from django.apps import AppConfig


class CasesConfig(AppConfig):
    name = "onewindow.cases"
    verbose_name = "办件"

    def ready(self):
        # The calendar sits below cases and cannot import it: cases registers its deadline
        # recomputation with the calendar (docs/decisions/0002-working-day-ordinals.md).
        from onewindow.cases import clock_rules
        from onewindow.workdays import services as workdays

        workdays.on_calendar_change(clock_rules.recompute_deadlines)
