"""Forms of the resources step: what the client has, and what each action option needs."""

from django import forms
from django.utils.translation import gettext_lazy as _

from competencies.models import ResourceType

from ..models import ActionOption, Resource, ResourceRequirement
from .rows import RowForm


class OptionChoiceField(forms.ModelChoiceField):
    """An action option shown with its topic: titles repeat across topics."""

    def label_from_instance(self, obj):
        return f"{obj.topic.title}: {obj.title}"


class ResourceForm(RowForm):
    class Meta:
        model = Resource
        fields = ["resource_type", "description", "amount", "quality"]
        help_texts = {"amount": _("In the unit of the resource type; for a competence, its level from 1 to 5.")}

    def limit_to_project(self, project):
        self.fields["resource_type"].queryset = ResourceType.objects.active().order_by("order")
        self.fields["amount"].widget.attrs["min"] = 0


class RequirementForm(RowForm):
    class Meta:
        model = ResourceRequirement
        fields = ["option", "resource_type", "amount", "lead_time_weeks", "notes"]
        field_classes = {"option": OptionChoiceField}
        help_texts = {"amount": _("In the unit of the resource type; for a competence, the level it takes (1 to 5).")}

    def limit_to_project(self, project):
        self.fields["option"].queryset = (
            ActionOption.objects.filter(topic__project=project)
            .select_related("topic")
            .order_by("topic__block__order", "topic__order", "topic_id", "order", "id")
        )
        self.fields["resource_type"].queryset = ResourceType.objects.active().order_by("order")
        self.fields["amount"].widget.attrs["min"] = 0
        self.fields["lead_time_weeks"].widget.attrs["max"] = 260

    def clean(self):
        cleaned = super().clean()
        option, resource_type = cleaned.get("option"), cleaned.get("resource_type")
        if option is not None and resource_type is not None:
            taken = ResourceRequirement.objects.filter(option=option, resource_type=resource_type)
            if taken.exclude(pk=self.instance.pk).exists():
                # On the field, before the database constraint answers with a generic message.
                self.add_error(
                    "resource_type",
                    _("This option already has a requirement for this resource type; edit that one instead."),
                )
        return cleaned
