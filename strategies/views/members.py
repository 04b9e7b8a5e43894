"""The members page: who is on the project; consultants and managers add, change and remove members.

What each may do is the project's access guard (StrategyProject.access_change_refusal); the
services in services/memberships.py apply it, record the change and tell the managers. A
refusal is shown beside the select or button it concerns, with what was chosen kept.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ..exceptions import DomainError
from ..forms.projects import MemberAddForm, MemberRoleForm
from ..models import Membership, Role
from ..services.memberships import AlreadyMemberError, membership_add, membership_remove, membership_role_change
from .access import project_for


def _page(request, project, *, form=None, refused: dict | None = None):
    """The members page; `refused`: the membership a change of was refused, with the reason and the chosen role."""
    # The guard itself, not has_perm: Django's has_perm says yes to any superuser, while project
    # rights come from membership for everyone.
    can_manage = project.can_manage_members(request.user)
    if can_manage and form is None:
        form = MemberAddForm(project=project, actor=request.user)
    memberships = project.memberships.select_related("user").order_by("role", "user__username")
    context = {
        "project": project,
        "memberships": memberships,
        "form": form,
        "can_manage": can_manage,
        "roles": Role.choices,
        "refused": refused or {},
        # The roles the visitor may grant and withdraw (the access guard): rows of other roles show no controls.
        "grantable": project.grantable_roles(request.user),
    }
    return render(request, "strategies/members.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def member_list(request, pk: int):
    """Every member sees who is on the project; consultants and managers add members."""
    if request.method == "GET":
        return _page(request, project_for(request, pk))
    project = project_for(request, pk, "strategies.manage_members")
    form = MemberAddForm(request.POST, project=project, actor=request.user)
    if not form.is_valid():
        return _page(request, project, form=form)
    role = form.cleaned_data["role"]
    if form.user is not None:
        try:
            membership_add(project=project, actor=request.user, user=form.user, role=role)
        except AlreadyMemberError as error:
            form.add_error("identifier", str(error))
            return _page(request, project, form=form)
        except DomainError as error:
            form.add_error("role", str(error))
            return _page(request, project, form=form)
    # The same answer whether or not an account matched: nobody learns here which addresses
    # have accounts. Whoever was added is in the list below (and in the project's history).
    messages.success(
        request,
        _("If an active account has the username or e-mail address “%(identifier)s”, it is now a %(role)s here.")
        % {"identifier": form.cleaned_data["identifier"].strip(), "role": Role(role).label},
    )
    return redirect("member_list", pk=project.pk)


def _membership(request, pk: int, membership_pk: int) -> Membership:
    project = project_for(request, pk, "strategies.manage_members")
    membership = get_object_or_404(Membership.objects.select_related("user"), pk=membership_pk, project=project)
    membership.project = project  # the loaded project, with the visitor's role remembered
    return membership


@login_required
@require_POST
def member_remove(request, pk: int, membership_pk: int):
    membership = _membership(request, pk, membership_pk)
    try:
        membership_remove(membership=membership, actor=request.user)
    except DomainError as error:
        refused = {"pk": membership.pk, "remove": str(error)}
        return _page(request, membership.project, refused=refused)
    messages.success(request, _("%(user)s removed from the project.") % {"user": membership.user.get_username()})
    if membership.user == request.user:
        return redirect("home")  # left the project: its pages are closed now
    return redirect("member_list", pk=pk)


@login_required
@require_POST
def member_change_role(request, pk: int, membership_pk: int):
    membership = _membership(request, pk, membership_pk)
    form = MemberRoleForm(request.POST)
    chosen = request.POST.get("role", "")
    if not form.is_valid():
        refused = {"pk": membership.pk, "role": chosen, "message": _("Choose one of the listed roles.")}
        return _page(request, membership.project, refused=refused)
    try:
        membership = membership_role_change(membership=membership, actor=request.user, role=form.cleaned_data["role"])
    except DomainError as error:
        refused = {"pk": membership.pk, "role": chosen, "message": str(error)}
        return _page(request, membership.project, refused=refused)
    messages.success(
        request,
        _("%(user)s is now %(role)s.")
        % {"user": membership.user.get_username(), "role": membership.get_role_display()},
    )
    return redirect("member_list", pk=pk)
