"""Forms of the business model step: topics on the canvas and the benefits they could yield."""

from django.utils.translation import gettext_lazy as _

from competencies.models import BenefitType, BusinessModelBlock

from ..models import BusinessBenefit, Topic
from .action_options import (
    active_or_current,
    limit_topics,
    refuse_duplicate_title,
    refuse_moving_a_realised_benefit,
)
from .rows import RowForm


class TopicForm(RowForm):
    class Meta:
        model = Topic
        fields = ["title", "block", "priority", "social_media_affinity", "description"]

    def limit_to_project(self, project):
        self.fields["block"].queryset = BusinessModelBlock.objects.active().order_by("order")


class BenefitNameForm(RowForm):
    """Step 2 only names a benefit; step 5 works it out."""

    class Meta:
        model = BusinessBenefit
        fields = ["title", "benefit_type", "priority", "topic"]

    def limit_to_project(self, project):
        limit_topics(self.fields["topic"], project)
        self.fields["benefit_type"].queryset = active_or_current(BenefitType, self.instance.benefit_type_id)

    def clean(self):
        cleaned = super().clean()
        refuse_duplicate_title(self, "topic", _("This topic already has a benefit with this name."))
        refuse_moving_a_realised_benefit(self)
        return cleaned
