from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "onewindow.documents"
    verbose_name = "文书"
