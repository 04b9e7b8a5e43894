"""The inbox and its bell, each user's notification settings, @-mention suggestions, a project's webhook."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ..exceptions import DomainError
from ..forms.notifying import NotificationPreferencesForm, ProjectWebhookForm
from ..models import Notification, NotificationKind, NotificationPreference, ProjectWebhook
from ..services.notifying import (
    mention_candidates,
    notification_mark_read,
    notification_preferences_save,
    project_webhook_save,
    project_webhook_test,
)
from .access import posted, project_for

INBOX_SIZE = 100


@login_required
@require_GET
def notification_inbox(request):
    notifications = list(Notification.objects.filter(recipient=request.user).select_related("project")[:INBOX_SIZE])
    return render(request, "strategies/notifications/inbox.html", {"notifications": notifications})


@login_required
@require_GET
def notification_bell(request):
    """The navbar's bell: loaded apart (htmx), so the cached pages around it stay the same for everyone."""
    unread = Notification.objects.unread().filter(recipient=request.user).count()
    return render(request, "strategies/notifications/bell.html", {"unread": unread})


@login_required
@require_POST
def notification_read(request):
    """Mark one notification read and open its link (`notification`), or mark all read (`all`)."""
    if request.POST.get("all"):
        notification_mark_read(user=request.user)
        return redirect("notification_inbox")
    try:
        notification_id = int(request.POST.get("notification", ""))
    except ValueError:
        return HttpResponseBadRequest(_("Which notification?"))
    # Someone else's notification is answered like one that does not exist.
    notification = get_object_or_404(Notification, pk=notification_id, recipient=request.user)
    notification_mark_read(user=request.user, notification_id=notification.pk)
    if notification.url and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notification.url)
    return redirect("notification_inbox")


@login_required
@require_http_methods(["GET", "POST"])
def notification_preferences(request):
    modes = dict.fromkeys(NotificationKind.values, NotificationPreference.DEFAULT_MODE)
    modes.update(dict(request.user.notification_preferences.values_list("kind", "mode")))
    form = NotificationPreferencesForm(posted(request), modes=modes)
    if request.method == "POST" and form.is_valid():
        try:
            notification_preferences_save(user=request.user, modes=form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, str(error))
        else:
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notification_preferences")
    return render(request, "strategies/notifications/preferences.html", {"form": form})


@login_required
@require_GET
def mention_suggestions(request, pk: int):
    """The project's members matching what follows the "@" (`q`), for the comment box; members only."""
    project = project_for(request, pk)
    return JsonResponse({"members": mention_candidates(project=project, prefix=request.GET.get("q", ""))})


@login_required
@require_http_methods(["GET", "POST"])
def project_webhook(request, pk: int):
    """Where the project's notifications also go (Slack or Teams), and how the last sending went."""
    project = project_for(request, pk, "strategies.manage_webhook")
    hook = ProjectWebhook.objects.filter(project=project).first()
    initial = {"kind": hook.kind, "url": hook.url} if hook else {}
    form = ProjectWebhookForm(posted(request), initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                saved = project_webhook_save(
                    project=project, user=request.user, url=form.cleaned_data["url"], kind=form.cleaned_data["kind"]
                )
            except DomainError as error:
                form.add_error(error.field or "url", str(error))
            else:
                messages.success(
                    request,
                    _("The project's notifications now also go to this webhook.")
                    if saved
                    else _("The project's notifications no longer go to a webhook."),
                )
                return redirect("project_webhook", pk=project.pk)
        status = 422
    return render(
        request,
        "strategies/notifications/project_webhook.html",
        {"project": project, "form": form, "hook": hook},
        status=status,
    )


@login_required
@require_POST
def project_webhook_test_view(request, pk: int):
    """Send a test message now (queued); the settings page then shows whether it arrived."""
    project = project_for(request, pk, "strategies.manage_webhook")
    try:
        project_webhook_test(project=project, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.info(request, _("A test message is on its way; reload this page to see whether it arrived."))
    return redirect("project_webhook", pk=project.pk)
