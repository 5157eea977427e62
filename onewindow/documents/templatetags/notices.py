"""Template helpers of the notices: dates as notices write them, and the notice links of a case
page (the staff case page prints, the applicant's page downloads)."""

from django import template
from django.urls import reverse

from onewindow.documents import notices

register = template.Library()

LINK_NAMES = {"staff": "documents:staff-notice", "applicant": "documents:my-notice"}


@register.filter
def cn_date(day):
    """{{ case.due_on|cn_date }} → 2026年10月13日."""
    return notices.chinese_date(day)


@register.simple_tag
def case_notices(case, audience: str = "staff") -> list[dict]:
    """{% case_notices case "staff" as notices %}: the notices the case has, with the link
    for that audience (one query over the case's events)."""
    name = LINK_NAMES[audience]
    return [
        {
            "kind": n.kind.code,
            "title": n.title,
            "number": n.number,
            "issued_on": n.issued_on,
            "url": reverse(name, args=[case.number, n.kind.code]),
        }
        for n in notices.issued(case)
    ]
