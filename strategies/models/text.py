"""Whether a text field is filled, asked the same way in Python and in a query."""

from django.db.models import Func, Q, TextField, Value
from django.db.models.lookups import Exact

# Every character Python's str.strip() removes: rules that ask whether a text is
# filled (SMART, a worked-out benefit) strip exactly these in the model and in the database,
# so the two never disagree about a text of blanks.
# (All of them lie in the Basic Multilingual Plane; tests/test_filled_text_rules.py checks the rest.)
WHITESPACE = "".join(c for c in map(chr, range(0x10000)) if c.isspace())


class StripWhitespace(Func):
    """A text without leading and trailing WHITESPACE, as str.strip() gives it.

    Django's Trim removes spaces only: a tab or a line break would stay and the
    database would call a blank description specific where the model does not.
    """

    function = "TRIM"  # SQLite: TRIM(text, characters)
    output_field = TextField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(WHITESPACE), **extra)

    def as_postgresql(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="BTRIM", **extra_context)


def filled(field: str) -> Q:
    """The text field holds more than blanks: the query twin of `bool(value.strip())`."""
    return ~Q(Exact(StripWhitespace(field), ""))
