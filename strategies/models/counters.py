from django.db import models
from django.utils.translation import gettext_lazy as _

# The scope of the catalogue's counter: project ids start at 1.
CATALOGUE_SCOPE = 0


class ContentCounter(models.Model):
    """How often a project's content (or, in scope 0, the shared catalogue) has changed.

    The cached pages key on it (strategies/wizard/page_cache.py): every write to what a
    page shows adds one in the same transaction (strategies/content_changes.py), so an
    edit renews its own project's pages and leaves every other project's alone.

    A table of its own, not a field of the project: a project saved from a copy loaded
    before a row edit would otherwise write the older count back and make an old page
    current again. Only UPDATE ... SET count = count + 1 ever writes it. The scope is a
    plain number, not a foreign key: the row of a deleted project is left behind (ids are
    never reused), so nothing about it can cascade or be restored to an earlier count.
    """

    scope = models.PositiveBigIntegerField(_("scope"), primary_key=True)
    count = models.PositiveBigIntegerField(_("count"), default=0)

    class Meta:
        verbose_name = _("content counter")
        verbose_name_plural = _("content counters")

    def __str__(self):
        return f"{self.scope}: {self.count}"
