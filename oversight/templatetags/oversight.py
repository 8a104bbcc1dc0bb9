from django import template

from oversight.activities import activities_for_child

register = template.Library()


@register.inclusion_tag("oversight/_child_activities.html")
def child_activities(child):
    """The activities a child joined, on the archive page (`child` as the view got it through children.access)."""
    return {"activities": list(activities_for_child(child)[:50])}
