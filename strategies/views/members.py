from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..exceptions import DomainError
from ..forms.projects import MemberAddForm, MemberRoleForm
from ..models import Membership, Role
from ..services.projects import membership_add, membership_change_role, membership_remove
from .access import posted, project_for


@login_required
@require_http_methods(["GET", "POST"])
def member_list(request, pk: int):
    """Every member sees who is on the project; consultants add, change and remove members."""
    project = project_for(request, pk)
    can_manage = project.can_manage_members(request.user)
    form = None
    if can_manage:
        form = MemberAddForm(posted(request), project=project)
    elif request.method == "POST":
        project_for(request, pk, "strategies.manage_members")  # raises the 403 with its reason
    if request.method == "POST" and form.is_valid():
        try:
            membership = membership_add(
                project=project, identifier=form.cleaned_data["identifier"], role=form.cleaned_data["role"]
            )
        except DomainError as error:
            form.add_error("identifier", str(error))
        else:
            messages.success(
                request,
                _("%(user)s added as %(role)s.")
                % {"user": membership.user.get_username(), "role": membership.get_role_display()},
            )
            return redirect("member_list", pk=project.pk)
    memberships = project.memberships.select_related("user").order_by("role", "user__username")
    return render(
        request,
        "strategies/members.html",
        {"project": project, "memberships": memberships, "form": form, "can_manage": can_manage, "roles": Role.choices},
    )


def _membership(request, pk: int, membership_pk: int) -> Membership:
    project = project_for(request, pk, "strategies.manage_members")
    return get_object_or_404(Membership.objects.select_related("user"), pk=membership_pk, project=project)


@login_required
@require_POST
def member_remove(request, pk: int, membership_pk: int):
    membership = _membership(request, pk, membership_pk)
    try:
        membership_remove(membership=membership)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("%(user)s removed from the project.") % {"user": membership.user.get_username()})
    return redirect("member_list", pk=pk)


@login_required
@require_POST
def member_change_role(request, pk: int, membership_pk: int):
    membership = _membership(request, pk, membership_pk)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose one of the listed roles."))
        return redirect("member_list", pk=pk)
    try:
        membership_change_role(membership=membership, role=form.cleaned_data["role"])
    except DomainError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(user)s is now %(role)s.")
            % {"user": membership.user.get_username(), "role": membership.get_role_display()},
        )
    return redirect("member_list", pk=pk)
