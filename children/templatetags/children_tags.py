from django import template

from children import idnumber

register = template.Library()


@register.filter
def mask_id(value: str) -> str:
    return idnumber.mask(value or "")
