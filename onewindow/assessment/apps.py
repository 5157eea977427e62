from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "onewindow.assessment"
    verbose_name = "月度考核"
