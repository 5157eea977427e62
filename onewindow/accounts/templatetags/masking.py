"""{% load masking %}: the templates' side of accounts/masking.py (one rule per kind of data)."""

from django import template

from onewindow.accounts import masking

register = template.Library()

register.filter("mask_id", masking.mask_id)
register.filter("mask_phone", masking.mask_phone)
register.filter("mask_name", masking.mask_name)
register.filter("identifier", masking.identifier)


@register.filter
def masked_holder(applicant) -> str:
    """An applicant's name as lists show it: a person's masked, a company's in full (mask_holder)."""
    return masking.mask_holder(applicant.name, applicant.kind)
