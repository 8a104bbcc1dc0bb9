from django import template

from oversight.activities import activities_for_child

register = template.Library()


@register.inclusion_tag("oversight/_child_activities.html", takes_context=True)
def child_activities(context, child):
    """The activities a child joined, on the archive page (read through the access module)."""
    user = context["request"].user
    return {"activities": list(activities_for_child(user, child)[:50])}
