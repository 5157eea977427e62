"""Template filters of the SMS engine (notify.services._engine), added after Django's builtins.

`date` gives what Django's `date` filter gives, without its locale machinery, for a date and a
format of only Y, n, j and non-ASCII text (年月日, as the texts use): a third of a message's
rendering on every transition (16 µs of 45, bench/intake_instructions.py). Anything else goes to
Django's filter.
"""

import datetime as dt

from django import template
from django.template.defaultfilters import date as django_date

register = template.Library()

_PARTS = {"Y": lambda d: str(d.year), "n": lambda d: str(d.month), "j": lambda d: str(d.day)}


@register.filter(expects_localtime=True, is_safe=False)
def date(value, arg=None):
    if arg and type(value) is dt.date and all(ch in _PARTS or not ch.isascii() for ch in arg):
        return "".join(_PARTS[ch](value) if ch in _PARTS else ch for ch in arg)
    return django_date(value, arg)
