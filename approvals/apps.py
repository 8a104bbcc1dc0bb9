from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "approvals"
    verbose_name = _("Approvals")

    def ready(self) -> None:
        # The kinds of change the children app routes through approval (closing an archive, its categories).
        from . import kinds  # noqa: F401
