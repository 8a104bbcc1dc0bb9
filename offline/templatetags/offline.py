"""{% offline_head %} in the base template's head: the manifest, the home-screen icons and the page script with its
settings (a JSON element: the CSP lets no inline script run)."""

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html, json_script

from offline import config

register = template.Library()


@register.simple_tag(takes_context=True)
def offline_head(context) -> str:
    request = context.get("request")
    user = getattr(request, "user", None)
    return format_html(
        '<link rel="manifest" href="{}">\n<meta name="theme-color" content="#b4232a">\n'
        '<meta name="mobile-web-app-capable" content="yes">\n<meta name="apple-mobile-web-app-capable" content="yes">\n'
        '<link rel="apple-touch-icon" href="{}">\n{}\n<script src="{}" defer></script>',
        reverse("offline:manifest"),
        static(config.APPLE_TOUCH_ICON),
        json_script(config.page_config(user), "offline-config"),
        static(config.PAGE_SCRIPT),
    )
