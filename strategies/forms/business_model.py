"""Forms of the business model step: topics on the canvas and the benefits they could yield."""

from competencies.models import BenefitType, BusinessModelBlock

from ..models import BusinessBenefit, Topic
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
        self.fields["topic"].queryset = Topic.objects.filter(project=project).select_related("block")
        self.fields["benefit_type"].queryset = BenefitType.objects.active().order_by("order")
