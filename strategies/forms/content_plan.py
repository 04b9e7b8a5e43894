"""Forms of the content plan (implementation step): content pillars and their plan lines."""

from crispy_forms.layout import HTML, Column, Layout, Row
from django import forms
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from competencies.models import UsageFormat

from ..models import BusinessBenefit, ContentPillar, ContentPlanLine, Platform, Topic
from ..models.content_plan import MAX_SHARE_TOTAL
from .rows import RowForm

SHARE_PREFIX = "share_"


class ContentPillarForm(RowForm):
    class Meta:
        model = ContentPillar
        fields = ["title", "topic", "benefit"]
        help_texts = {"benefit": _("Optional: the business benefit this pillar works towards.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A pillar serves a topic of the business model: without one it floats free of the strategy.
        self.fields["topic"].required = True

    def limit_to_project(self, project):
        self.fields["topic"].queryset = Topic.objects.filter(project=project).order_by("block__order", "order", "id")
        benefit = self.fields["benefit"]
        benefit.queryset = BusinessBenefit.objects.filter(topic__project=project).select_related("topic")
        benefit.label_from_instance = lambda b: f"{b.topic.title}: {b.title}"

    def clean(self):
        cleaned = super().clean()
        topic, benefit = cleaned.get("topic"), cleaned.get("benefit")
        if topic is not None and benefit is not None and benefit.topic_id != topic.pk:
            self.add_error("benefit", _("This benefit belongs to another topic; choose one of the pillar's topic."))
        return cleaned


class ContentPlanLineForm(RowForm):
    """A plan line, with one share field (percent) per active usage format, kept in `usage_shares`."""

    class Meta:
        model = ContentPlanLine
        fields = ["pillar", "platform", "format", "frequency_per_month", "hours_per_post", "owner"]
        help_texts = {
            "platform": _("One of the project's platforms; another name is possible and is pointed out."),
            "format": _("For example: short video, carousel, live Q&A."),
            "hours_per_post": _("Working time per post, from idea to publishing."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.formats = list(UsageFormat.objects.active().order_by("order", "id"))
        shares = self.instance.usage_shares or {}
        names = []
        for usage_format in self.formats:
            name = f"{SHARE_PREFIX}{usage_format.key}"
            self.fields[name] = forms.IntegerField(
                label=_("%(format)s share (%%)") % {"format": usage_format.title},
                required=False,
                min_value=0,
                max_value=MAX_SHARE_TOTAL,
                initial=shares.get(usage_format.key),
            )
            names.append(name)
        self.fields["frequency_per_month"].widget.attrs["min"] = 1
        self.fields["hours_per_post"].widget.attrs["min"] = 0
        self.fields["platform"].widget.attrs["list"] = "content-plan-platforms"
        self.helper.layout = Layout(
            "pillar",
            "platform",
            HTML(self._platform_list()),
            Row(Column("format"), Column("owner")),
            Row(Column("frequency_per_month"), Column("hours_per_post")),
            Row(*[Column(name) for name in names]),
        )

    def _platform_list(self) -> str:
        # The project's platforms as suggestions; names are escaped (user material shows as text).
        names = Platform.objects.filter(project=self.project).values_list("name", flat=True)
        options = format_html_join("", '<option value="{}"></option>', ((name,) for name in names))
        return format_html('<datalist id="content-plan-platforms">{}</datalist>', options)

    def limit_to_project(self, project):
        self.fields["pillar"].queryset = ContentPillar.objects.filter(project=project)

    def clean_platform(self):
        return self.cleaned_data["platform"].strip()

    def clean(self):
        cleaned = super().clean()
        # Shares of formats no longer offered are kept as they are; the offered ones replace theirs.
        offered = {usage_format.key for usage_format in self.formats}
        shares = {key: value for key, value in (self.instance.usage_shares or {}).items() if key not in offered}
        for usage_format in self.formats:
            value = cleaned.get(f"{SHARE_PREFIX}{usage_format.key}")
            if value:
                shares[usage_format.key] = value
        total = sum(shares.values())
        if total > MAX_SHARE_TOTAL and self.formats:
            self.add_error(
                f"{SHARE_PREFIX}{self.formats[0].key}",
                _("The shares add up to %(total)s %%; together they can be at most 100 %%.") % {"total": total},
            )
        cleaned["usage_shares"] = shares
        return cleaned
