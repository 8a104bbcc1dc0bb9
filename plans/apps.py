from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = _("Help plans")

    def ready(self) -> None:
        # Closing a plan is an approvable change (approvals app).
        from . import closing  # noqa: F401
