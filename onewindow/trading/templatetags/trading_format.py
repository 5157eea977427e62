"""{{ fen|yuan }} → 1,700,000.00 (money is kept in fen); {{ table|at:key }} a dict's value."""

from django import template

from onewindow.trading import services

register = template.Library()


@register.filter
def yuan(fen):
    return services.yuan(fen) if isinstance(fen, int) else ""


@register.filter
def at(mapping, key):
    return mapping.get(key) if isinstance(mapping, dict) else None
