"""`{{ case.due_on|date:"Y-m-d" }}{{ case.due_on|provisional }}`: the 暂定 mark after a date
counted into a year whose official holiday schedule is not yet entered (issue 13 rule 6). The
words come from calendar.provisional_note, as in SMS texts and API answers."""

from django import template
from django.utils.html import format_html

from onewindow.workdays import calendar

register = template.Library()


@register.filter
def provisional(day, told_provisional=False) -> str:
    """`told_provisional`: a notice read again after the schedule was published says what it said."""
    note = calendar.provisional_note(day, told_provisional=bool(told_provisional))
    if not note:
        return ""
    return format_html(
        '<span class="provisional" data-testid="provisional-date" title="{}">{}</span>',
        calendar.PROVISIONAL_EXPLAINED,
        note,
    )
