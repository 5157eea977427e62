"""{{ fen|yuan }} → 25,000.00 (money is kept in fen; market.services.yuan)."""

from django import template

from onewindow.market import services

register = template.Library()


@register.filter
def yuan(fen):
    return services.yuan(fen) if isinstance(fen, int) else ""
