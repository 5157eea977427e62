"""{{ rate|percent }}: a KPI fraction as the seed halls print it (98.8%), — when there is none."""

from django import template

from onewindow.stats import kpis

register = template.Library()
register.filter("percent", kpis.percent)
