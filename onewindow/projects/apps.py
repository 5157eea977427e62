from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "onewindow.projects"
    verbose_name = "并联审批"
