from django import template

from children import idnumber

register = template.Library()


@register.filter
def mask_id(value: str) -> str:
    return idnumber.mask(value or "")


@register.filter
def mask_phone(value: str) -> str:
    """138****8000: the first three and last four digits, for roles that see masked ID numbers too."""
    value = value or ""
    return value[:3] + "*" * (len(value) - 7) + value[-4:] if len(value) > 7 else "*" * len(value)
