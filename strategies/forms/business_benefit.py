"""Form of the business benefit step: a benefit worked out in full."""

from django.utils.translation import gettext_lazy as _

from competencies.models import BenefitType, UsageFormat

from ..models import BusinessBenefit
from .action_options import (
    active_or_current,
    limit_topics,
    refuse_duplicate_title,
    refuse_moving_a_realised_benefit,
)
from .rows import RowForm


class BenefitForm(RowForm):
    """Step 2 names a benefit (BenefitNameForm); this form works it out: format, chain, receiving process."""

    class Meta:
        model = BusinessBenefit
        fields = [
            "title",
            "topic",
            "benefit_type",
            "priority",
            "usage_format",
            "methods",
            "preconditions",
            "causal_chain",
            "receiving_process",
        ]

    def limit_to_project(self, project):
        limit_topics(self.fields["topic"], project)
        self.fields["benefit_type"].queryset = active_or_current(BenefitType, self.instance.benefit_type_id)
        self.fields["usage_format"].queryset = active_or_current(UsageFormat, self.instance.usage_format_id)

    def clean(self):
        cleaned = super().clean()
        refuse_duplicate_title(self, "topic", _("This topic already has a benefit with this name."))
        refuse_moving_a_realised_benefit(self)
        return cleaned
