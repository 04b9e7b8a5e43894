"""A version's read-only links: the list with their accesses, making one, revoking one.

For the project's consultants and managers (viewers get 403, non-members 404). A new link's
address is shown once, in the answer to the POST that made it: only its hash is stored, and
it is put in no redirect, session or message on the way.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..exceptions import DomainError
from ..forms.share_links import ShareLinkCreateForm
from ..models import ShareLink, ShareLinkAccess, StrategyVersion
from ..services.share_links import share_link_create, share_link_revoke
from .access import posted, project_for

SHARE = "strategies.share_versions"
# The newest accesses listed per link: the list stays short however often a link is opened.
ACCESSES_SHOWN = 20


def _version_of(project, version_pk: int) -> StrategyVersion:
    version = get_object_or_404(StrategyVersion.objects.filter(project=project).defer("snapshot"), pk=version_pk)
    version.project = project  # the role remembered by project_for answers the guards without queries
    return version


def _links(version) -> list[ShareLink]:
    """The version's links, newest first, each with its access count and newest accesses (three queries)."""
    newest = ShareLinkAccess.objects.order_by("-at", "-id")[:ACCESSES_SHOWN]
    return list(
        version.share_links.annotate(access_count=Count("accesses"))
        .prefetch_related(Prefetch("accesses", queryset=newest, to_attr="newest_accesses"))
        .order_by("-created_at", "-id")
    )


def _page(request, project, version, *, form=None, created=None, status: int = 200):
    context = {
        "project": project,
        "version": version,
        "links": _links(version),
        "can_share": version.can_share(request.user),
        "form": form or ShareLinkCreateForm(),
        "created": created,
        "accesses_shown": ACCESSES_SHOWN,
    }
    return render(request, "strategies/share_links/manage.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def share_links(request, pk: int, version_pk: int):
    """GET: the version's links and the form for a new one; POST: make one and show its address once."""
    project = project_for(request, pk, SHARE)
    version = _version_of(project, version_pk)
    form = ShareLinkCreateForm(posted(request))
    if request.method == "GET" or not form.is_valid():
        return _page(request, project, version, form=form, status=200 if request.method == "GET" else 400)
    try:
        link, raw_token = share_link_create(
            version=version,
            user=request.user,
            expires_in_days=form.cleaned_data["expires_in_days"],
            password=form.cleaned_data["password"],
            label=form.cleaned_data["label"],
        )
    except DomainError as error:
        form.add_error(error.field if error.field in form.fields else None, str(error))
        return _page(request, project, version, form=form, status=400)
    created = {
        "link": link,
        "url": request.build_absolute_uri(reverse("shared_version", kwargs={"token": raw_token})),
    }
    return _page(request, project, version, created=created)


@login_required
@require_POST
def share_link_revoke_view(request, pk: int, version_pk: int, link_pk: int):
    """Close a link at once; it stays in the list with its accesses."""
    project = project_for(request, pk, SHARE)
    version = _version_of(project, version_pk)
    link = get_object_or_404(ShareLink.objects.filter(version=version), pk=link_pk)
    link.version = version
    try:
        share_link_revoke(link=link, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("The link is revoked: it opens nothing any more."))
    return redirect(reverse("share_links", args=[project.pk, version.pk]))
