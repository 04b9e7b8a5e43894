"""Forms of the competition step: competitors and their presence on the project's topics."""

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from ..models import Competitor, CompetitorPresence
from .action_options import limit_topics
from .rows import RowForm


class CompetitorForm(RowForm):
    """Competitor.validate_unique refuses a second competitor of the same name (any case) beside the name."""

    class Meta:
        model = Competitor
        fields = ["name", "kind", "description"]


class PresenceForm(RowForm):
    class Meta:
        model = CompetitorPresence
        fields = ["competitor", "topic", "strength", "standard_set", "expected_reaction"]
        # The model's relation has no verbose name of its own: without this the label stays English.
        labels = {"competitor": capfirst(_("competitor"))}

    def limit_to_project(self, project):
        self.fields["competitor"].queryset = Competitor.objects.filter(project=project).order_by("name")
        limit_topics(self.fields["topic"], project)

    def clean(self):
        # The unique constraint alone answers with a generic message above the form;
        # naming the clash beside the topic tells the team what to do instead.
        cleaned = super().clean()
        competitor, topic = cleaned.get("competitor"), cleaned.get("topic")
        if competitor is not None and topic is not None:
            clash = CompetitorPresence.objects.filter(competitor=competitor, topic=topic).exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "topic",
                    _("%(competitor)s is already assessed on this topic; edit that entry instead.")
                    % {"competitor": competitor.name},
                )
        return cleaned
