"""Forms of the implementation step: milestones, KPIs, platforms, community and crisis handling."""

from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.core.validators import MaxValueValidator
from django.utils.translation import gettext_lazy as _

from competencies.models import UsageFormat

from ..models import BusinessBenefit, Kpi, Milestone, Platform, StrategyProject
from .rows import RowForm

# The database refuses longer response times (a month); the form says so beside the field.
MAX_RESPONSE_HOURS = 720


class MilestoneForm(RowForm):
    class Meta:
        model = Milestone
        fields = ["title", "owner", "due_date", "status", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper.layout = Layout("title", Row(Column("owner"), Column("due_date"), Column("status")), "description")


class KpiForm(RowForm):
    class Meta:
        model = Kpi
        fields = ["description", "metric", "baseline", "target", "unit", "owner", "due_date", "benefit"]
        help_texts = {
            "description": _("What exactly is to change, for whom?"),
            "baseline": _("Where it stands today; the target is judged against it."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # The figures side by side: baseline, target and unit are read together.
        self.helper.layout = Layout(
            "description",
            "metric",
            Row(Column("baseline"), Column("target"), Column("unit")),
            Row(Column("owner"), Column("due_date")),
            "benefit",
        )

    def limit_to_project(self, project):
        benefit = self.fields["benefit"]
        benefit.queryset = BusinessBenefit.objects.filter(topic__project=project).select_related("topic")
        # Two topics may name a benefit alike: the topic tells them apart.
        benefit.label_from_instance = lambda b: f"{b.topic.title}: {b.title}"


class PlatformForm(RowForm):
    class Meta:
        model = Platform
        fields = ["name", "kind", "usage_format", "purpose", "risks", "mitigation"]

    def limit_to_project(self, project):
        self.fields["usage_format"].queryset = UsageFormat.objects.active().order_by("order")

    def clean_name(self):
        # The unique constraint spans the project, which the form leaves out: check it here.
        name = self.cleaned_data["name"].strip()
        clash = Platform.objects.filter(project=self.project, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError(_("This project already lists a platform with this name."))
        return name


class CommunityForm(RowForm):
    """Community management, crisis handling and how often the strategy is reviewed."""

    class Meta:
        model = StrategyProject
        fields = ["netiquette", "monitoring", "escalation_path", "response_time_hours", "review_cadence"]
        help_texts = {
            "netiquette": _("The rules of conduct the community is held to."),
            "monitoring": _("Who watches which channels, and how."),
            "escalation_path": _("Who is told, and who decides, when a discussion turns into a crisis."),
            "response_time_hours": _("At most 720 hours (30 days)."),
            "review_cadence": _("For example: quarterly with the management team."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        hours = self.fields["response_time_hours"]
        hours.validators.append(MaxValueValidator(MAX_RESPONSE_HOURS))
        hours.widget.attrs["max"] = MAX_RESPONSE_HOURS
