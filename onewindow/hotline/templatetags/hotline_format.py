from django import template

register = template.Library()


@register.filter
def rate(value) -> str:
    """A rate (0–1) as a percentage with two decimals; "—" when there is nothing to divide by."""
    return "—" if value is None else f"{value * 100:.2f}%"


@register.filter
def change(value) -> str:
    """A change against the baseline (+1.5 → "+150%"); "新出现" when the baseline was empty."""
    return "新出现" if value is None else f"{value * 100:+.0f}%"
