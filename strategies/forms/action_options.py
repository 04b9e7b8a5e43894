"""Forms of the action options step: the ways to use social media for a topic."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from competencies.models import UsageFormat

from ..models import ActionOption, BusinessBenefit, Topic
from .rows import RowForm


def limit_topics(field, project) -> None:
    """The project's topics, in canvas order, labelled with their block (titles repeat across blocks)."""
    field.queryset = (
        Topic.objects.filter(project=project).select_related("block").order_by("block__order", "order", "id")
    )
    field.label_from_instance = lambda topic: f"{topic.title} ({topic.block.title})"


def active_or_current(model, current_id):
    """Active catalogue rows, plus the one already chosen (it may have been retired since)."""
    return model.objects.filter(Q(is_active=True) | Q(pk=current_id)).order_by("order", "id")


def refuse_duplicate_title(form, parent: str, message) -> None:
    """A second row of the same title under one parent is a message beside the title, not a database error.

    Case-insensitive, like the names of topics and competitors: "Leads" and "leads" are one entry.
    """
    title, parent_row = form.cleaned_data.get("title"), form.cleaned_data.get(parent)
    if not title or parent_row is None:
        return
    model = form._meta.model
    clash = model.objects.filter(**{parent: parent_row, "title__iexact": title}).exclude(pk=form.instance.pk)
    if clash.exists():
        form.add_error("title", message)


def refuse_moving_a_realised_benefit(form) -> None:
    """A benefit that options of its topic realise stays with that topic.

    An option realises a benefit of its own topic only (ActionOption.clean); moving the benefit
    would leave those options pointing across topics. The message names them, so the team can
    unlink them (or move them) first.
    """
    benefit, topic = form.instance, form.cleaned_data.get("topic")
    if benefit.pk is None or topic is None or topic.pk == benefit.topic_id:
        return
    holding = list(ActionOption.objects.filter(benefit=benefit).exclude(topic=topic).values_list("title", flat=True))
    if holding:
        form.add_error(
            "topic",
            _("Options realise this benefit: %(options)s. Unlink them from it before moving it to another topic.")
            % {"options": ", ".join(f"“{title}”" for title in holding)},
        )


class ActionOptionForm(RowForm):
    class Meta:
        model = ActionOption
        fields = [
            "title",
            "topic",
            "benefit",
            "user_benefit",
            "motivation",
            "participation",
            "usage_format",
            "services_needed",
            "priority",
            "effort",
        ]

    def limit_to_project(self, project):
        limit_topics(self.fields["topic"], project)
        benefit = self.fields["benefit"]
        benefit.queryset = (
            BusinessBenefit.objects.filter(topic__project=project)
            .select_related("topic")
            .order_by("topic__block__order", "topic__order", "topic_id", "order", "id")
        )
        # Benefits of different topics may share a name: the topic tells them apart.
        benefit.label_from_instance = lambda b: f"{b.topic.title}: {b.title}"
        benefit.help_text = _("Choose a benefit of the option's own topic.")
        self.fields["usage_format"].queryset = active_or_current(UsageFormat, self.instance.usage_format_id)

    def clean(self):
        cleaned = super().clean()
        refuse_duplicate_title(self, "topic", _("This topic already has an option with this title."))
        return cleaned
