from django import template

from children import privacy

register = template.Library()


def _viewer(context):
    request = context.get("request")
    return getattr(request, "user", None) if request is not None else context.get("user")


@register.simple_tag(takes_context=True)
def shown(context, obj, field_name: str) -> str:
    """`{% shown child "id_number" %}`: the field as the requesting user may see it (children.privacy)."""
    if obj is None:
        return ""
    return privacy.display(_viewer(context), obj, field_name)
