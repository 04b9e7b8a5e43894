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


# lock_version is a PositiveIntegerField: no version a row can have is larger, on any database.
LOCK_VERSION_MAX = 2_147_483_647


class StaleLockVersion(Exception):
    """A save named the version it was edited from, and the row no longer has it (or is gone)."""


class WorkingMaterial(models.Model):
    """Rows that consultants edit in the wizard.

    lock_version backs optimistic locking: a save names the version it was
    edited from (save_from_version), and a stale one is refused instead of
    overwriting a colleague.
    """

    lock_version = models.PositiveIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        abstract = True

    def save_from_version(self, version: int) -> None:
        """Save the row as the successor of `version`, only if it still has that version.

        The compare-and-set is the save's own UPDATE (… WHERE id = %s AND lock_version = %s),
        not an UPDATE of the version before it: one round trip instead of two, and the row
        is locked by the same statement that checks it. Of two colleagues saving from the
        same version, PostgreSQL makes the second UPDATE wait for the first's commit and
        then finds no row still at that version. Raises StaleLockVersion then, before
        anything is written (no history record either: simple-history writes it after a
        save that succeeded); the caller's transaction is marked for rollback.
        """
        if not 0 <= version < LOCK_VERSION_MAX:
            # No row can be at this version and still be saved: its successor is no number the
            # column holds, and the UPDATE would fail on the number before comparing anything.
            raise StaleLockVersion
        in_hand = self.lock_version
        self.lock_version = version + 1
        self._saved_from_version = version
        try:
            self.save(force_update=True)
        except StaleLockVersion:
            self.lock_version = in_hand
            raise
        finally:
            del self._saved_from_version

    def _do_update(self, base_qs, using, pk_val, values, update_fields, forced_update):
        """Django's UPDATE of the row, narrowed to the version named in save_from_version."""
        version = getattr(self, "_saved_from_version", None)
        # Only this model's own table: a parent table in multi-table inheritance has no lock_version.
        if version is None or base_qs.model is not self._meta.concrete_model:
            return super()._do_update(base_qs, using, pk_val, values, update_fields, forced_update)
        if super()._do_update(
            base_qs.filter(lock_version=version), using, pk_val, values, update_fields, forced_update
        ):
            return True
        raise StaleLockVersion

    def clean_fields(self, exclude=None):
        """Validate the fields, without asking the database again for a related row in hand.

        Django checks a foreign key with a query for the id's existence. A relation set to
        a row loaded from the database (a form's choice field has just looked it up among
        its own, narrower choices) passes that check by being in hand: the query would ask
        the same thing a second time on every row save. Relations with limit_choices_to
        are checked as ever (the row in hand may have been chosen without them); the
        database's foreign key still guards the write itself.
        """
        in_hand = {field.name for field in self._meta.concrete_fields if self._relation_in_hand(field)}
        super().clean_fields(exclude={*(exclude or ()), *in_hand})

    def _relation_in_hand(self, field) -> bool:
        if not isinstance(field, models.ForeignKey) or field.remote_field.limit_choices_to:
            return False
        if not field.is_cached(self):
            return False
        related = field.get_cached_value(self)
        return (
            related is not None
            and not related._state.adding
            and related._state.db is not None
            and getattr(related, field.target_field.attname) == getattr(self, field.attname)
        )

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
