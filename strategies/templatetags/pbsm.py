import datetime
from decimal import Decimal

from django import template
from django.utils import dateformat, numberformat
from django.utils.formats import date_format, get_format, number_format
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from ..coverage import figure
from ..models import Role, VersionStatus
from ..snapshots import title_in_language
from ..wizard.swot_panel import QUADRANT_LABELS, swot_item, swot_message

register = template.Library()

_STATUS_LABELS = dict(VersionStatus.choices)
_ROLE_LABELS = dict(Role.choices)


PRODUCT = "pbsm workbench"


@register.filter(is_safe=True)
def page_title(title: str) -> str:
    """ "Geschäftsmodell · Projekt — pbsm workbench"; the product name alone where a page has no title."""
    title = title.strip()
    return f"{title} \u2014 {PRODUCT}" if title else PRODUCT


@register.filter
def version_status_label(status: str | None) -> str:
    return str(_STATUS_LABELS.get(status, "")) if status else ""


@register.filter
def role_label(role: str | None) -> str:
    return str(_ROLE_LABELS.get(role, "")) if role else ""


@register.filter
def beyond(items, limit) -> int:
    """How many of `items` lie beyond the first `limit` (0 without a limit): "and 12 more"."""
    if not limit:
        return 0
    return max(len(items) - int(limit), 0)


@register.filter
def signed(value) -> str:
    """A change with its sign: "+5", "−2.5", "0" (trailing zeros dropped, a real minus sign)."""
    if value in (None, ""):
        return ""
    number = Decimal(str(value)).normalize()
    if number == 0:
        return "0"
    text = f"{abs(number):f}"
    return f"+{text}" if number > 0 else f"\u2212{text}"


@register.filter
def person(user) -> str:
    """A user's full name, or the username when no name is on record."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


_KPI_FIELD_LABELS = {
    "target": _("target"),
    "baseline": _("baseline"),
    "unit": _("unit"),
    "owner": _("owner"),
    "due_date": _("due date"),
}


@register.filter
def kpi_field_label(field: str) -> str:
    return str(_KPI_FIELD_LABELS.get(field, field))


@register.filter
def kpi_value(value) -> str:
    """A compared KPI value for display: numbers without trailing zeros, dates in the short format."""
    if value in (None, ""):
        return ""
    if isinstance(value, Decimal):
        return f"{value.normalize():f}"
    if isinstance(value, datetime.date):
        return date_format(value, "SHORT_DATE_FORMAT")
    return str(value)


register.filter("title_in_language", title_in_language)


@register.filter
def swot_sentence(row: dict) -> str:
    """A version content's SWOT item (snapshots.swot_content) as its sentence, with its quadrant."""
    return f"{swot_message(swot_item(row))} ({QUADRANT_LABELS[row['quadrant']]})"


@register.filter
def plain_number(value) -> str:
    """A stored number ("45000", "4.1", Decimal) in the active language, grouped, without trailing zeros."""
    if value in (None, ""):
        return ""
    number = figure(value)
    if number is None:
        return str(value)[:40]  # out of any sane range (a damaged snapshot): shown as stored, not computed with
    number = number.normalize()
    exponent = number.as_tuple().exponent
    decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return number_format(number, decimal_pos=decimals, force_grouping=True)


@register.simple_tag
def chart_table_rows(chart) -> str:
    """The rows of a KPI chart's numbers table (date, actual, planned, difference), written in one
    pass: a cockpit holds dozens of charts with dozens of rows each, and a template loop with the
    `date` and `plain_number` filters (each looking up the language's formats again) was most of the
    page's time. The formats are looked up once here; the text is the filters' own.
    """
    day_format = get_format("SHORT_DATE_FORMAT")
    separators = get_format("DECIMAL_SEPARATOR"), get_format("NUMBER_GROUPING"), get_format("THOUSAND_SEPARATOR")

    def plain(value) -> str:
        if value is None:
            return "–"
        number = figure(value)
        if number is None:
            return str(value)[:40]
        number = number.normalize()
        exponent = number.as_tuple().exponent
        decimals = -exponent if isinstance(exponent, int) and exponent < 0 else 0
        decimal_sep, grouping, thousand_sep = separators
        return numberformat.format(number, decimal_sep, decimals, grouping, thousand_sep, force_grouping=True)

    return format_html_join(
        "",
        '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td></tr>',
        (
            (dateformat.format(row.on, day_format), plain(row.actual), plain(row.planned), plain(row.gap))
            for row in chart.rows
        ),
    )
