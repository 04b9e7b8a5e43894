from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from . import models as m
from .exceptions import DomainError
from .services.memberships import membership_add, membership_remove, membership_role_change
from .services.projects import project_delete


class MembershipInline(admin.TabularInline):
    """Read-only here: access changes go through the membership admin, which records them."""

    model = m.Membership
    extra = 0
    fields = readonly_fields = ("user", "role", "created_at")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("name", "industry", "created_at")
    search_fields = ("name", "industry")


@admin.register(m.StrategyProject)
class StrategyProjectAdmin(SimpleHistoryAdmin):
    list_display = ("title", "client", "readiness_stage", "updated_at")
    list_filter = ("readiness_stage",)
    search_fields = ("title", "client__name")
    list_select_related = ("client",)
    inlines = [MembershipInline]

    # A project goes with everything in it, its decided versions included: only
    # project_delete() may remove those (on PostgreSQL a trigger refuses anything else).
    def delete_model(self, request, obj):
        project_delete(project=obj)

    def delete_queryset(self, request, queryset):
        for project in queryset:
            project_delete(project=project)

    def get_deleted_objects(self, objs, request):
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        # The version admin refuses to delete decided versions one by one; taking them
        # along with their project only needs the permission to delete versions at all.
        version_admin = self.admin_site._registry.get(m.StrategyVersion)
        if version_admin is None or admin.ModelAdmin.has_delete_permission(version_admin, request):
            perms_needed.discard(m.StrategyVersion._meta.verbose_name)
        # Memberships and the access record go with their project: their admins refuse deleting
        # them one by one (the last consultant; the record at all), not with the whole project.
        perms_needed.discard(m.Membership._meta.verbose_name)
        perms_needed.discard(m.AccessChange._meta.verbose_name)
        # So do the records of strategy management, which no admin changes or deletes on their own.
        for model in RECORDS_OF_MANAGEMENT:
            perms_needed.discard(model._meta.verbose_name)
        return deleted, counts, perms_needed, protected


class MembershipAdminForm(forms.ModelForm):
    """Checks the change with the project's access guard, so a refusal shows beside the fields."""

    class Meta:
        model = m.Membership
        fields = ("project", "user", "role")

    actor = None  # set by MembershipAdmin.get_form: the staff member at work

    def clean(self):
        data = super().clean()
        project = data.get("project") or (self.instance.project if self.instance.pk else None)
        user = data.get("user") or (self.instance.user if self.instance.pk else None)
        role = data.get("role")
        if project is None or user is None or role is None:
            return data
        if self.instance.pk is None and m.Membership.objects.filter(project=project, user=user).exists():
            return data  # the unique constraint's own message says so
        old_role = self.instance.role if self.instance.pk else None
        if old_role != role:
            refusal = project.access_change_refusal(
                actor=self.actor, user=user, old_role=old_role, new_role=role, in_admin=True
            )
            if refusal is not None:
                raise forms.ValidationError(refusal)
        return data


@admin.register(m.Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Staff add members, change roles and remove members here through the membership services:
    the same rules (nobody changes their own role, no former consultant becomes manager, a
    consultant remains), the same record in the project's history, the same e-mail to managers."""

    form = MembershipAdminForm
    list_display = ("project", "user", "role")
    list_filter = ("role",)
    search_fields = ("project__title", "user__username", "user__email")
    list_select_related = ("project__client", "user")
    autocomplete_fields = ["user", "project"]

    def get_readonly_fields(self, request, obj=None):
        return ("project", "user") if obj is not None else ()

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def save_model(self, request, obj, form, change):
        if change:
            membership_role_change(membership=obj, actor=request.user, role=obj.role, in_admin=True)
        else:
            saved = membership_add(project=obj.project, actor=request.user, user=obj.user, role=obj.role, in_admin=True)
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        try:
            membership_remove(membership=obj, actor=request.user, in_admin=True)
        except DomainError as error:
            self.message_user(request, str(error), messages.ERROR)

    def delete_queryset(self, request, queryset):
        for membership in queryset:
            self.delete_model(request, membership)

    def has_delete_permission(self, request, obj=None):
        # Removing the last consultant is refused up front, not after a "deleted" message.
        if obj is not None and obj.project.access_change_refusal(
            actor=request.user, user=obj.user, old_role=obj.role, new_role=None, in_admin=True
        ):
            return False
        return super().has_delete_permission(request, obj)


@admin.register(m.AccessChange)
class AccessChangeAdmin(admin.ModelAdmin):
    """The access record, read-only: written only by the membership services."""

    list_display = ("created_at", "project", "actor_name", "action", "user_name", "old_role", "new_role", "in_admin")
    list_filter = ("action", "in_admin")
    search_fields = ("project__title", "actor_name", "user_name")
    list_select_related = ("project",)
    readonly_fields = [f.name for f in m.AccessChange._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RecordAdmin(admin.ModelAdmin):
    """A record written only by its service (strategy management): shown, never added, changed or deleted."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(m.KpiCheckIn)
class KpiCheckInAdmin(RecordAdmin):
    """Append-only: a correction is a new check-in that supersedes one (services/checkins.py)."""

    list_display = ("project", "kpi_key", "date", "value", "unit", "recorded_by_name", "recorded_at", "supersedes")
    search_fields = ("project__title", "recorded_by_name", "comment")
    list_select_related = ("project__client", "supersedes")


@admin.register(m.KpiTracking)
class KpiTrackingAdmin(RecordAdmin):
    """Changed through kpi_tracking_update only, whose history records who changed what."""

    list_display = ("project", "kpi_key", "tolerance_percent", "cadence", "owner", "owner_name", "updated_at")
    list_filter = ("cadence",)
    list_select_related = ("project__client", "owner")


@admin.register(m.CheckInReminder)
class CheckInReminderAdmin(RecordAdmin):
    list_display = ("tracking", "period_start", "recipient", "sent_at")
    list_select_related = ("tracking", "recipient")


@admin.register(m.MilestoneStatusChange)
class MilestoneStatusChangeAdmin(RecordAdmin):
    list_display = ("milestone", "from_status", "to_status", "date", "changed_by_name", "created_at")
    list_filter = ("to_status",)
    list_select_related = ("milestone",)


class ReviewFindingInline(admin.TabularInline):
    model = m.ReviewFinding
    extra = 0
    can_delete = False
    fields = readonly_fields = ("kpi_key", "milestone_key", "subject", "status", "text")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.StrategyReview)
class StrategyReviewAdmin(RecordAdmin):
    list_display = ("project", "version", "date", "decision", "decided_by_name", "successor")
    list_filter = ("decision",)
    list_select_related = ("project__client", "version", "successor")
    inlines = [ReviewFindingInline]


# Deleted with their project only (StrategyProjectAdmin.get_deleted_objects).
RECORDS_OF_MANAGEMENT = (
    m.KpiCheckIn,
    m.KpiTracking,
    m.CheckInReminder,
    m.MilestoneStatusChange,
    m.StrategyReview,
    m.ReviewFinding,
)


class ProjectScopedAdmin(SimpleHistoryAdmin):
    list_select_related = True


@admin.register(m.Topic)
class TopicAdmin(ProjectScopedAdmin):
    list_display = ("title", "project", "block", "priority", "social_media_affinity")
    list_filter = ("block", "priority", "social_media_affinity")
    search_fields = ("title", "project__title")
    list_select_related = ("project", "block")


@admin.register(m.BusinessBenefit)
class BusinessBenefitAdmin(ProjectScopedAdmin):
    list_display = ("title", "topic", "benefit_type", "priority", "usage_format")
    list_filter = ("benefit_type", "priority")
    search_fields = ("title", "topic__title")
    list_select_related = ("topic", "benefit_type", "usage_format")


@admin.register(m.ActionOption)
class ActionOptionAdmin(ProjectScopedAdmin):
    list_display = ("title", "topic", "benefit", "usage_format", "priority", "effort")
    list_filter = ("usage_format", "priority", "effort")
    search_fields = ("title", "topic__title")
    list_select_related = ("topic", "benefit", "usage_format")


class PresenceInline(admin.TabularInline):
    model = m.CompetitorPresence
    extra = 0
    autocomplete_fields = ["topic"]


@admin.register(m.Competitor)
class CompetitorAdmin(ProjectScopedAdmin):
    list_display = ("name", "project", "kind")
    list_filter = ("kind",)
    search_fields = ("name", "project__title")
    list_select_related = ("project",)
    inlines = [PresenceInline]


@admin.register(m.Resource)
class ResourceAdmin(ProjectScopedAdmin):
    list_display = ("resource_type", "project", "amount", "quality")
    list_select_related = ("resource_type", "project")


@admin.register(m.ResourceRequirement)
class ResourceRequirementAdmin(ProjectScopedAdmin):
    list_display = ("option", "resource_type", "amount", "lead_time_weeks")
    list_select_related = ("option", "resource_type")


@admin.register(m.Kpi)
class KpiAdmin(ProjectScopedAdmin):
    list_display = ("metric", "benefit", "target", "unit", "owner", "due_date")
    search_fields = ("metric", "description")
    list_select_related = ("benefit",)


@admin.register(m.Milestone)
class MilestoneAdmin(ProjectScopedAdmin):
    list_display = ("title", "project", "owner", "due_date", "status")
    list_filter = ("status",)
    list_select_related = ("project",)


@admin.register(m.Platform)
class PlatformAdmin(ProjectScopedAdmin):
    list_display = ("name", "project", "kind", "usage_format")
    list_filter = ("kind",)
    list_select_related = ("project", "usage_format")


def _is_draft(version) -> bool:
    """A version still in the draft stage (None: the add form), by its stored status."""
    return version is None or version.status == m.VersionStatus.DRAFT


class VersionOptionInline(admin.TabularInline):
    """The choices of a version: editable for a draft, read-only once it left the draft stage."""

    model = m.VersionOption
    extra = 0
    raw_id_fields = ["option"]

    def has_change_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_draft(obj) and super().has_delete_permission(request, obj)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        if obj is not None and "option" in formset.form.base_fields:
            # Only the version's own project's options can be chosen.
            field = formset.form.base_fields["option"]
            field.queryset = field.queryset.filter(topic__project=obj.project_id)
        return formset


class VersionDecisionInline(admin.TabularInline):
    model = m.VersionDecision
    extra = 0
    readonly_fields = ("actor_name", "decision", "comment", "created_at")
    fields = readonly_fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class VersionTransitionInline(admin.TabularInline):
    model = m.VersionTransition
    extra = 0
    readonly_fields = ("created_at", "actor_name", "from_status", "to_status", "comment")
    fields = readonly_fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(m.StrategyVersion)
class StrategyVersionAdmin(admin.ModelAdmin):
    list_display = ("__str__", "project", "status", "imported", "submitted_at", "decided_at")
    list_filter = ("status",)
    search_fields = ("name", "project__title")
    list_select_related = ("project",)
    readonly_fields = (
        "status",
        "imported_from",
        "snapshot",
        "submitted_by",
        "submitted_at",
        "decided_at",
        "created_by",
    )

    @admin.display(boolean=True, description=_("imported"))
    def imported(self, obj) -> bool:
        """Decided in another installation: its decision record is history from there (see imported_from)."""
        return obj.is_imported

    inlines = [VersionOptionInline, VersionDecisionInline, VersionTransitionInline]

    def has_add_permission(self, request):
        # Versions start in the application (strategy_version_create), which numbers
        # them and records the first transition; the admin only looks after them.
        return False

    def get_readonly_fields(self, request, obj=None):
        # A draft's project, number and base are set when it is started.
        fixed_once_started = ("project", "number", "based_on") if obj is not None else ()
        return (*self.readonly_fields, *fixed_once_started)

    # Status changes go through the approval workflow, never the admin; a
    # frozen version is read-only here like everywhere else.
    def has_change_permission(self, request, obj=None):
        if obj is not None and not _is_draft(obj):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (not _is_draft(obj) or obj.successors.exclude(status=m.VersionStatus.DRAFT).exists()):
            # Decided versions stay; a draft that a fixed record builds on stays too (see StrategyVersion.delete).
            return False
        return super().has_delete_permission(request, obj)


@admin.register(m.Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("version", "kind", "language", "status", "progress", "created_at")
    list_filter = ("kind", "status", "language")
    list_select_related = ("version__project",)
    readonly_fields = [f.name for f in m.Report._meta.fields]

    def has_add_permission(self, request):
        return False


admin.site.register(m.ChecklistAnswer)
admin.site.register(m.StepComment)
admin.site.register(m.VersionComment, SimpleHistoryAdmin)
