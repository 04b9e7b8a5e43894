from django.contrib import admin
from django.contrib.auth import urls as auth_urls
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from . import health, oidc
from .password_reset import PasswordResetView


class FaviconView(RedirectView):
    """Browsers and feed readers ask for /favicon.ico without reading the page's <link rel="icon">."""

    permanent = True
    http_method_names = ["get", "head"]

    def get_redirect_url(self, *args, **kwargs):
        return static("favicon.ico")  # per request: the hashed name exists only after collectstatic


# Media files (reports) are never served by URL: only a permission-checked
# view hands them out to project members.
urlpatterns = [
    path("healthz/", health.healthz, name="healthz"),
    path("favicon.ico", FaviconView.as_view(), name="favicon"),
    path("admin/", admin.site.urls),
    # Company sign-in (OpenID Connect): routed always, answering 404 while it is not configured.
    path("accounts/oidc/", include(oidc.urlpatterns)),
    # Django's own account routes, its password reset with limits on the e-mails sent.
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/", include([route for route in auth_urls.urlpatterns if route.name != "password_reset"])),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("strategies.urls")),
]

handler403 = "strategies.views.errors.permission_denied"
handler404 = "strategies.views.errors.page_not_found"
