from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Rating(models.IntegerChoices):
    """The one 1..5 scale used for priority, affinity, strength, relevance and effort."""

    VERY_LOW = 1, _("very low")
    LOW = 2, _("low")
    MEDIUM = 3, _("medium")
    HIGH = 4, _("high")
    VERY_HIGH = 5, _("very high")


def rating_field(verbose_name, **kwargs) -> models.PositiveSmallIntegerField:
    kwargs.setdefault("default", Rating.MEDIUM)
    return models.PositiveSmallIntegerField(verbose_name, choices=Rating.choices, **kwargs)


def rating_check(field: str, model: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": 1, f"{field}__lte": 5}), name=f"{model}_{field}_1_to_5"
    )


def choices_check(field: str, choices, model: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__in": [c[0] for c in choices]}), name=f"{model}_{field}_known"
    )


class WorkingMaterial(models.Model):
    """Rows that consultants edit in the wizard.

    lock_version backs optimistic locking: a save names the version it was
    edited from, and a stale one is refused instead of overwriting a colleague.
    """

    lock_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def get_constraints(self):
        """Validate unique constraints in forms; leave range and choice checks to the fields.

        Every CheckConstraint here restates a field's choices, validator or
        clean() rule, which reject bad input first with a clearer message;
        evaluating each again through a query would double a row save's round
        trips. The database still enforces them all.
        """
        return [
            (model_class, [c for c in constraints if isinstance(c, models.UniqueConstraint)])
            for model_class, constraints in super().get_constraints()
        ]
