"""`{% main_menu as groups %}`: the user's menu (accounts.menu), for the base template's cached menu fragment."""

from django import template

from accounts.menu import menu_for

register = template.Library()


@register.simple_tag(takes_context=True)
def main_menu(context) -> list:
    return menu_for(context["user"])
