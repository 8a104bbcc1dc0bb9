from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Home visits")

    def ready(self) -> None:
        # Ending categories after a screening is an approvable change (approvals app).
        from . import approval_kinds  # noqa: F401
