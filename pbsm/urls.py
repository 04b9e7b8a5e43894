from django.contrib import admin
from django.urls import include, path

from . import health

# Media files (reports) are never served by URL: only a permission-checked
# view hands them out to project members.
urlpatterns = [
    path("healthz/", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("strategies.urls")),
]

handler403 = "strategies.views.errors.permission_denied"
handler404 = "strategies.views.errors.page_not_found"
