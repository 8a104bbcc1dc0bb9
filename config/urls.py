from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

urlpatterns = [
    path("", account_views.home, name="home"),
    path("healthz", account_views.healthz, name="healthz"),
    path("", include("offline.urls")),  # /sw.js, /manifest.webmanifest, /offline/outbox/
    path("accounts/", include("accounts.urls")),
    path("children/", include("children.urls")),
    path("visits/", include("visits.urls")),
    path("tasks/", include("tasks.urls")),
    path("guardianship/", include("guardianship.urls")),
    path("dashboards/", include("dashboards.urls")),
    path("oversight/", include("oversight.urls")),
    path("lists/", include("exchange.urls")),
    path("plans/", include("plans.urls")),
    path("pairing/", include("pairing.urls")),
    path("approvals/", include("approvals.urls")),
    path("sites/", include("sites.urls")),
    path("psychology/", include("psychology.urls")),
    path("bulk/", include("bulk.urls")),
    path("api/v1/", include("api.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
