"""Comments on a strategy version: the list and form on the version page, and adding one.

One view serves the section: with htmx it answers with the section alone (the list and the
form, the new comment in it or the refused text kept beside its message); without script a
saved comment sends the browser back to the version page, and a refused one renders that whole
page with the message beside the field.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..exceptions import DomainError
from ..forms.versions import VersionCommentForm
from ..services.version_comments import version_comment_add
from .access import project_for
from .versions import _page, _version_of, comments_context

SECTION = "strategies/versions/comments.html"


@login_required
@require_http_methods(["GET", "POST"])
def version_comments(request, pk: int, version_pk: int):
    """GET: the comments section (htmx) or the version page at it; POST: add a comment."""
    if request.method == "GET":
        project = project_for(request, pk)
        version = _version_of(project, version_pk)
        if not request.htmx:
            return redirect(reverse("version_detail", args=[project.pk, version.pk]) + "#comments")
        return render(request, SECTION, comments_context(request, project, version))
    project = project_for(request, pk, "strategies.comment_on_version")
    version = _version_of(project, version_pk)
    form = VersionCommentForm(request.POST)
    if form.is_valid():
        try:
            version_comment_add(version=version, user=request.user, text=form.cleaned_data["text"])
        except DomainError as error:
            form.add_error("text", str(error))
    if not form.is_valid():
        if request.htmx:
            return render(request, SECTION, comments_context(request, project, version, form))
        return _page(request, project, version, comment_form=form)
    if request.htmx:
        # A fresh, empty form under the list that now holds the comment.
        return render(request, SECTION, {**comments_context(request, project, version), "saved": True})
    messages.success(request, _("Comment saved; the consultants are notified."))
    return redirect(reverse("version_detail", args=[project.pk, version.pk]) + "#comments")
