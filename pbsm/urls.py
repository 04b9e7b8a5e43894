from django.contrib import admin
from django.urls import include, path

from . import health
from .password_reset import PasswordResetView

# Media files (reports) are never served by URL: only a permission-checked
# view hands them out to project members.
urlpatterns = [
    path("healthz/", health.healthz, name="healthz"),
    path("admin/", admin.site.urls),
    # Before Django's own routes: the same name and address, with limits on the e-mails sent.
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("strategies.urls")),
]

handler403 = "strategies.views.errors.permission_denied"
handler404 = "strategies.views.errors.page_not_found"
