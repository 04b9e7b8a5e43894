from django.shortcuts import render


def permission_denied(request, exception=None):
    return render(request, "errors/403.html", {"reason": str(exception) if exception else ""}, status=403)


def page_not_found(request, exception=None):
    return render(request, "errors/404.html", status=404)


def csrf_failure(request, reason=""):
    """Django's own page carries an inline <style>, which our Content-Security-Policy blocks."""
    return render(request, "errors/403_csrf.html", status=403)
