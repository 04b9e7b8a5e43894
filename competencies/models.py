"""The admin-maintained pbsm catalogue.

The wizard, the analysis and the report read their words from here; nothing
in this app knows about client projects (dependency direction: strategies
imports competencies, never the other way round).
"""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class CatalogueQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class CatalogueEntry(models.Model):
    """Shared shape of catalogue rows: a stable key for code, words for people."""

    key = models.SlugField(_("key"), max_length=40, unique=True, help_text=_("Stable identifier used by the code."))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    # Wizard pages are cached per content; a catalogue edit must show at once.
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        abstract = True
        ordering = ["order", "id"]

    def __str__(self) -> str:
        return self.title


class AreaKey(models.TextChoices):
    """The nine areas in pbsm order; each maps to one wizard step module."""

    POTENTIAL = "potential", _("Social media potential")
    BUSINESS_MODEL = "business_model", _("Business model")
    ACTION_OPTIONS = "action_options", _("Action options")
    COMPETITION = "competition", _("Competition")
    BUSINESS_BENEFIT = "business_benefit", _("Business benefits")
    OVERVIEW = "overview", _("Overview")
    METHOD = "method", _("Method and strategy versions")
    RESOURCES = "resources", _("Resources")
    IMPLEMENTATION = "implementation", _("Implementation")


class CompetenceArea(models.Model):
    """One of the nine competence areas; each active area is one wizard step."""

    key = models.CharField(_("key"), max_length=40, unique=True, choices=AreaKey.choices)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    title = models.CharField(_("title"), max_length=120)
    summary = models.TextField(_("summary"))
    why_it_matters = models.TextField(_("why it matters"))
    competence_required = models.TextField(_("competence required"))
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("competence area")
        verbose_name_plural = _("competence areas")
        constraints = [
            models.CheckConstraint(condition=Q(key__in=AreaKey.values), name="competence_area_key_known"),
        ]

    def __str__(self) -> str:
        return self.title


class GuidingQuestion(models.Model):
    """A workshop checklist question shown in an area's guidance panel."""

    area = models.ForeignKey(CompetenceArea, on_delete=models.CASCADE, related_name="questions", verbose_name=_("area"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    text = models.CharField(_("question"), max_length=300)
    # Questions that projects have answered are deactivated, not deleted
    # (answers protect them), so a client's workshop notes are never lost.
    is_active = models.BooleanField(_("active"), default=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["area__order", "order", "id"]
        verbose_name = _("guiding question")
        verbose_name_plural = _("guiding questions")

    def __str__(self) -> str:
        return self.text


class BusinessModelBlock(CatalogueEntry):
    """A Business Model Canvas building block with its place on the canvas grid (10 x 3)."""

    grid_column = models.PositiveSmallIntegerField(_("grid column"), default=1)
    grid_row = models.PositiveSmallIntegerField(_("grid row"), default=1)
    column_span = models.PositiveSmallIntegerField(_("column span"), default=1)
    row_span = models.PositiveSmallIntegerField(_("row span"), default=1)

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("business model block")
        verbose_name_plural = _("business model blocks")
        constraints = [
            models.CheckConstraint(
                condition=Q(grid_column__gte=1, grid_column__lte=10, grid_row__gte=1, grid_row__lte=3),
                name="block_grid_position_on_canvas",
            ),
            models.CheckConstraint(
                condition=Q(column_span__gte=1, column_span__lte=10, row_span__gte=1, row_span__lte=3),
                name="block_grid_span_on_canvas",
            ),
        ]


class UsageFormat(CatalogueEntry):
    """Audience, network or community: how a company uses social media."""

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("usage format")
        verbose_name_plural = _("usage formats")


class Effect(CatalogueEntry):
    """Information, dialogue or networking: what social media does."""

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("effect")
        verbose_name_plural = _("effects")


class BenefitType(CatalogueEntry):
    """A kind of business benefit (lead generation, retention, ...)."""

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("benefit type")
        verbose_name_plural = _("benefit types")


class ResourceType(CatalogueEntry):
    """A resource a strategy may need: a competence or a countable amount."""

    class Kind(models.TextChoices):
        QUALITATIVE = "qualitative", _("Qualitative (competence)")
        QUANTITATIVE = "quantitative", _("Quantitative (budget, time, tools)")

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    unit = models.CharField(_("unit"), max_length=40)

    class Meta(CatalogueEntry.Meta):
        verbose_name = _("resource type")
        verbose_name_plural = _("resource types")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["qualitative", "quantitative"]), name="resource_type_kind_known"
            ),
        ]
