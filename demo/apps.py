from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo data generators (`manage.py seed_demo`), kept out of the production apps."""

    name = "demo"
    verbose_name = _("Demo data")
