"""Shared pieces of the property-based fuzz tests (tests/test_fuzz_*.py).

Values are generated per form field from the field's class, so a field added to a form is
fuzzed without touching the tests. Each generated value carries what the form must make of it:

  VALID    the right shape; the form may still refuse it (a duplicate title), beside the field
  INVALID  the wrong shape (NUL byte, too long, out of range, not a number, another project's id);
           the form must refuse it with a message beside this very field
  ODD      unusual but possibly acceptable (" 3", "3.0", 300 weeks); no expectation but no crash

Every request goes through a CountingClient, so each test can prove how many inputs it sent.
"""

import datetime
import os
import re
from dataclasses import dataclass, field

from django import forms
from django.apps import apps
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.test import Client
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st

from strategies.models import ContentPillar, ContentPlanLine

from .factories import (
    BenefitFactory,
    CompetitorFactory,
    KpiFactory,
    MilestoneFactory,
    OptionFactory,
    PlatformFactory,
    PresenceFactory,
    RequirementFactory,
    ResourceFactory,
    TopicFactory,
)

VALID, INVALID, ODD = "valid", "invalid", "odd"

# derandomize: CI sees the same inputs every run (a failure reproduces); no example database.
# No shrinking: the examples share one database, so replaying one is not faithful and shrinking
# would only spend minutes; the failing example is printed draw by draw as generated.
FUZZ_SETTINGS = {
    "phases": [Phase.explicit, Phase.generate],
    "deadline": None,
    "derandomize": True,
    "database": None,
    "suppress_health_check": [
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
        HealthCheck.filter_too_much,
    ],
}


# FUZZ_SCALE=0.1 runs a tenth of the examples while working on the fuzz; the total check then fails.
SCALE = float(os.environ.get("FUZZ_SCALE", "1"))


def scaled(examples: int) -> int:
    return max(1, int(examples * SCALE))


def fuzz_settings(max_examples: int):
    return settings(max_examples=max_examples, **FUZZ_SETTINGS)


# --- hostile text ------------------------------------------------------------------------------

# Escaped on every page, this marker never appears raw in a response.
MARKUP = "<x-fuzz onclick=alert(1)>"
SCRIPT = "<script>alert(1)</script><b>x</b>"

PIECES = [
    MARKUP,
    SCRIPT,
    "\"'><img src=x onerror=alert(1)>",
    "</textarea></form><a href=javascript:alert(1)>",
    "'; DROP TABLE strategies_topic; --",
    "1' OR '1'='1",
    '" OR 1=1 --',
    "{{ request.user }}",
    "{% debug %}",
    "%s%d%n%x",
    "\\x00",
    "\u202eevil\u202c",  # right-to-left override
    "שלום",
    "مرحبا",
    "\u200b\u200c\u200d",  # zero-width
    "\ufeff",
    "😀👨\u200d👩\u200d👧",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "\U0010fffd",
    "e\u0301",
    "ＡＢＣ",
    "ß",
    "İı",
    "\x07\x08\x1b[31m",
    "\x7f\x85",
    "\r\n",
    "\t",
    "\u2028\u2029",
    "null",
    "None",
    "undefined",
    "NaN",
    "-0",
    "../../etc/passwd",
    "${jndi:ldap://x}",
    "%00",
    "&amp;&lt;&#x27;",
]

# Any code point a browser can send (no lone surrogates, no NUL: NUL is tested on purpose below).
_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
hostile_text = st.lists(st.one_of(st.sampled_from(PIECES), st.text(_chars, max_size=12)), max_size=6).map("".join)
# Text without whitespace at either end: it reaches the database exactly as sent.
_solid = st.characters(blacklist_categories=("Cs", "Zs", "Zl", "Zp", "Cc"), blacklist_characters="\x00")


def _kind(draw, valid_only: bool, kinds: list[str]) -> str:
    """The shape of the next value: any of `kinds`, or "valid" in an all-valid example."""
    return "valid" if valid_only else draw(st.sampled_from(kinds))


def _fit(text: str, room: int) -> str:
    return text[: max(room, 0)]


_sequence = iter(range(1, 10**9))


def pick(draw, items):
    """One of `items`, drawn so that the draws do not depend on how many there are.

    The examples share the database, so lists read from it change between runs; Hypothesis
    requires the same sequence of draws whenever it replays an example.
    """
    index = draw(st.integers(0, 2**16))
    return items[index % len(items)] if items else None


def unique_suffix() -> str:
    """Keeps generated titles apart: examples share one transaction, and titles are unique per parent."""
    return f"~{next(_sequence)}"


@dataclass
class Value:
    value: object  # None: the field is not sent at all
    shape: str


def _char_values(field_obj: forms.CharField, draw, valid_only=False) -> Value:
    limit = field_obj.max_length
    kind = _kind(draw, valid_only, ["valid", "valid", "valid", "nul", "long", "blank", "missing", "huge"])
    if kind == "valid":
        suffix = unique_suffix()
        room = (limit or 200) - len(suffix) - 1
        body = _fit(draw(hostile_text), room)
        return Value("v" + body + suffix, VALID)
    if kind == "nul":
        text = draw(hostile_text)
        position = draw(st.integers(0, len(text)))
        nul = _fit(text[:position] + "\x00" + text[position:], (limit or 4000))
        return Value(nul, INVALID)
    if kind == "long":
        if limit is None:
            return Value("v" + draw(hostile_text) * 20 + unique_suffix(), VALID)
        extra = draw(st.integers(1, 40))
        tail = draw(st.text(_solid, min_size=extra, max_size=extra))
        return Value("x" * limit + tail, INVALID)
    if kind == "huge":
        # Long strings: 20,000 characters (no limit on a text field; far over one elsewhere).
        text = "v" + (draw(st.sampled_from(PIECES)) + "ä😀") * 700 + unique_suffix()
        return Value(text, INVALID if limit is not None and limit < len(text) else VALID)
    blank = "" if kind == "missing" else draw(st.sampled_from(["", " ", "  \t\r\n ", "\u3000", "\x1c\x1d"]))
    shape = INVALID if field_obj.required else VALID
    if blank and not field_obj.strip:
        shape = ODD  # a password keeps its spaces: not blank to the form
    return Value(None if kind == "missing" else blank, shape)


def _int_bounds(field_obj) -> tuple[int | None, int | None]:
    low, high = getattr(field_obj, "min_value", None), getattr(field_obj, "max_value", None)
    for validator in field_obj.validators:
        if isinstance(validator, MinValueValidator):
            low = validator.limit_value if low is None else max(low, validator.limit_value)
        if isinstance(validator, MaxValueValidator):
            high = validator.limit_value if high is None else min(high, validator.limit_value)
    return low, high


NOT_A_NUMBER = ["abc", "1,5,3", "0x10", "1e3x", "١٢", "½", "--1", "1-", "NaN", "Infinity", "-inf", "🙂", "1\x00", "[]"]


def _empty_or_missing(field_obj, draw) -> Value:
    missing = draw(st.booleans())
    return Value(None if missing else "", INVALID if field_obj.required else VALID)


def _integer_values(field_obj: forms.IntegerField, draw, valid_only=False) -> Value:
    low, high = _int_bounds(field_obj)
    kind = _kind(draw, valid_only, ["valid", "valid", "low", "high", "huge", "float", "text", "empty", "odd"])
    lo, hi = (low if low is not None else -1000), (high if high is not None else 1000)
    if kind == "valid":
        return Value(str(draw(st.integers(lo, hi))), VALID)
    if kind == "low" and low is not None:
        return Value(str(draw(st.integers(low - 10**6, low - 1))), INVALID)
    if kind == "high" and high is not None:
        return Value(str(draw(st.integers(high + 1, high + 10**6))), INVALID)
    if kind == "huge":
        return Value(str(draw(st.sampled_from([10**19, 10**30, -(10**30), 2**63, 2**64 + 1]))), INVALID)
    if kind == "float":
        return Value(draw(st.sampled_from(["1.5", "2.25", "-0.5", "1e3", "3,5", "4.0001"])), INVALID)
    if kind == "text":
        return Value(draw(st.sampled_from(NOT_A_NUMBER) | hostile_text.filter(lambda t: t.strip() != "")), ODD)
    if kind == "empty":
        return _empty_or_missing(field_obj, draw)
    return Value(
        draw(st.sampled_from([" 3", "3 ", "+3", "3.0", "03", "300", "720", "721", "260", "261", "32768"])), ODD
    )


def _decimal_values(field_obj: forms.DecimalField, draw, valid_only=False) -> Value:
    digits, places = field_obj.max_digits, field_obj.decimal_places
    low, _high = _int_bounds(field_obj)
    kind = _kind(draw, valid_only, ["valid", "valid", "negative", "huge", "places", "special", "text", "empty", "odd"])
    if kind == "valid":
        whole = draw(st.integers(0 if low is not None else -(10 ** (digits - places) - 1), 10 ** (digits - places) - 1))
        cents = draw(st.integers(0, 10**places - 1))
        sign = "-" if whole < 0 else ""
        return Value(f"{sign}{abs(whole)}.{cents:0{places}d}", VALID)
    if kind == "negative":
        value = f"-{draw(st.integers(1, 10**6))}.5"
        return Value(value, INVALID if low is not None and low >= 0 else VALID)
    if kind == "huge":
        return Value(draw(st.sampled_from(["1" + "0" * digits, "9" * 40, "1e20", "-1e30", "1E+100"])), INVALID)
    if kind == "places":
        return Value(draw(st.sampled_from(["1.234", "0.001", "3.14159265358979"])), INVALID)
    if kind == "special":
        return Value(draw(st.sampled_from(["NaN", "nan", "Infinity", "-Infinity", "sNaN", "inf"])), INVALID)
    if kind == "text":
        return Value(draw(st.sampled_from(NOT_A_NUMBER) | hostile_text.filter(lambda t: t.strip() != "")), ODD)
    if kind == "empty":
        return _empty_or_missing(field_obj, draw)
    return Value(draw(st.sampled_from([" 5", "5,5", "1_000", "+1", ".5", "5.", "-0", "0e0", "1e2"])), ODD)


def _date_values(field_obj: forms.DateField, draw, valid_only=False) -> Value:
    kind = _kind(draw, valid_only, ["valid", "valid", "impossible", "text", "empty", "odd"])
    if kind == "valid":
        day = draw(st.dates(datetime.date(1900, 1, 1), datetime.date(2200, 12, 31)))
        return Value(day.isoformat(), VALID)
    if kind == "impossible":
        return Value(
            draw(st.sampled_from(["2024-02-30", "2023-13-01", "0000-01-01", "10000-01-01", "2024-00-10"])), INVALID
        )
    if kind == "text":
        return Value(draw(st.sampled_from(["tomorrow", "31/31/2024", "9" * 30, "2024-01-01\x00"])), INVALID)
    if kind == "empty":
        return _empty_or_missing(field_obj, draw)
    return Value(draw(st.sampled_from(["0001-01-01", "9999-12-31", "01/02/2024", "2024-1-1", " 2024-01-01"])), ODD)


def _choice_values(field_obj: forms.ChoiceField, draw, valid_only=False) -> Value:
    offered = [str(value) for value, _label in field_obj.choices if value not in ("", None)]
    kind = _kind(draw, valid_only, ["valid", "valid", "valid", "wrong", "number", "empty"])
    if kind == "valid" and offered:
        return Value(draw(st.sampled_from(offered)), VALID)
    if kind == "empty":
        return _empty_or_missing(field_obj, draw)
    wrong = draw(
        st.sampled_from(["0", "6", "-1", "99999999999999999999", "1.5", "3.0", "APPROVE", "admin", "\x00"])
        | hostile_text
    )
    if wrong in offered or wrong.strip() == "" or wrong.strip() in offered:
        return Value(wrong, ODD)
    return Value(wrong, INVALID)


def _model_choice_values(field_obj: forms.ModelChoiceField, draw, foreign: dict, valid_only=False) -> Value:
    offered = list(field_obj.queryset.values_list("pk", flat=True))
    kind = _kind(draw, valid_only, ["valid", "valid", "valid", "foreign", "missing_row", "junk", "empty"])
    chosen = pick(draw, offered if kind == "valid" else foreign.get(field_obj.queryset.model, []))
    if kind == "valid" and chosen is not None:
        return Value(str(chosen), VALID)
    if kind == "foreign" and chosen is not None:
        return Value(str(chosen), INVALID)
    if kind == "empty":
        return _empty_or_missing(field_obj, draw)
    if kind == "missing_row":
        return Value(str(draw(st.sampled_from([0, -1, 987654321, 10**20, 2**63]))), INVALID)
    if draw(st.booleans()):
        return Value(draw(st.sampled_from(["abc", "1.5", "1e3", "[1]", "1;2", "\x00", "1\x00", "0x1"])), INVALID)
    # Free text may happen to be an id (" 3", "٣" is 3 to Python): no expectation.
    return Value(draw(hostile_text), ODD)


def _boolean_values(field_obj, draw, valid_only=False) -> Value:
    return Value(draw(st.sampled_from([None, "on", "true", "false", "0", "1", "", "\x00", "yes", "😀"])), ODD)


def field_value(field_obj: forms.Field, draw, foreign: dict | None = None, valid_only: bool = False) -> Value:
    """One generated value for a form field, of the right or a wrong shape (only right ones if valid_only)."""
    if isinstance(field_obj, forms.ModelChoiceField):
        return _model_choice_values(field_obj, draw, foreign or {}, valid_only)
    generators = [
        (forms.ChoiceField, _choice_values),
        (forms.BooleanField, _boolean_values),
        (forms.DecimalField, _decimal_values),
        (forms.IntegerField, _integer_values),
        (forms.DateField, _date_values),
        (forms.CharField, _char_values),
    ]
    for field_class, generate in generators:
        if isinstance(field_obj, field_class):
            return generate(field_obj, draw, valid_only)
    raise AssertionError(f"No fuzz values for {type(field_obj).__name__}: add them to tests/fuzzing.py")


EXTRA_FIELDS = ["project", "project_id", "id", "pk", "order", "created_at", "lock_version_x", "status", "user", "🙂"]


def form_data(form: forms.BaseForm, draw, foreign: dict | None = None) -> tuple[dict, dict[str, Value]]:
    """POST data for every field of the form class (base_fields), plus stray extra fields.

    Returns the data and the generated value of each field (for the expectations).
    """
    # A third of the examples are well-formed throughout: with many fields, mixed ones are rarely saved.
    valid_only = draw(st.sampled_from([True, False, False]))
    values = {name: field_value(form.fields[name], draw, foreign, valid_only) for name in type(form).base_fields}
    data = {name: v.value for name, v in values.items() if v.value is not None}
    for extra in draw(st.lists(st.sampled_from(EXTRA_FIELDS), max_size=3, unique=True)):
        data[extra] = draw(st.sampled_from(["1", "0", "-1", "approved", MARKUP, "\x00", "99999999999"]))
    return data, values


def invalid_fields(values: dict[str, Value]) -> list[str]:
    return [name for name, v in values.items() if v.shape == INVALID]


# --- material to fuzz against --------------------------------------------------------------------


def seed_material(project) -> dict:
    """A little of everything, so every relation field has rows to choose from."""
    blocks = list(apps.get_model("competencies.BusinessModelBlock").objects.active().order_by("order")[:2])
    topics = [TopicFactory(project=project, block=block) for block in blocks]
    benefits = [BenefitFactory(topic=topic) for topic in topics]
    options = [OptionFactory(topic=topic, benefit=benefit) for topic, benefit in zip(topics, benefits, strict=True)]
    competitor = CompetitorFactory(project=project)
    PresenceFactory(competitor=competitor, topic=topics[0])
    ResourceFactory(project=project)
    RequirementFactory(option=options[0])
    KpiFactory(benefit=benefits[0])
    MilestoneFactory(project=project)
    PlatformFactory(project=project)
    pillar = ContentPillar.objects.create(project=project, title="Pillar", topic=topics[0], benefit=benefits[0])
    ContentPlanLine.objects.create(pillar=pillar, platform="LinkedIn")
    return {"topics": topics, "benefits": benefits, "options": options}


# --- sending and checking ------------------------------------------------------------------------


class CountingClient(Client):
    """A test client that counts the requests it sends; a crash in a view raises here (no 500 hides)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.sent = 0

    def request(self, **request):
        self.sent += 1
        response = super().request(**request)
        assert response.status_code < 500, (response.status_code, request.get("PATH_INFO"))
        body = response.content.decode(errors="replace") if not response.streaming else ""
        # The markup fuzz marker is shown as text, never as a tag, on every page and partial.
        assert MARKUP not in body and SCRIPT not in body, ("raw markup in", request.get("PATH_INFO"))
        return response


def counting_client(user, language="en") -> CountingClient:
    from django.conf import settings as django_settings

    client = CountingClient()
    client.force_login(user)
    client.cookies[django_settings.LANGUAGE_COOKIE_NAME] = language
    return client


FIELD_ERROR = re.compile(r'class="[^"]*\b(invalid-feedback|is-invalid|errorlist)\b')


def has_field_error(body: str) -> bool:
    return FIELD_ERROR.search(body) is not None


def assert_error_beside(body: str, name: str) -> None:
    """The refused field shows its message beside it (crispy's invalid-feedback / is-invalid).

    A page may hold several inputs of that name (the members page has a role select per member):
    one of them carries the message.
    """
    starts = [m.start() for m in re.finditer(f'name="{re.escape(name)}"', body)]
    assert starts, f"field {name} is not in the re-rendered form"
    beside = any(_error_before_next(body, start, name) for start in starts)
    assert beside, f"no message beside {name}:\n{body[:4000]}"


def _error_before_next(body: str, start: int, name: str) -> bool:
    """A message between this input and the next field's (crispy puts it after the input or its label)."""
    window = body[max(0, start - 300) : start + 200_000]
    offset = min(start, 300)
    following = re.search(r'<(?:input|select|textarea)[^>]*name="(?!' + re.escape(name) + r'")', window[offset:])
    return has_field_error(window[: offset + following.start()] if following else window)


# --- the stored data obeys the model's rules ----------------------------------------------------------

WORKING_MODELS = [
    "strategies.StrategyProject",
    "strategies.Client",
    "strategies.Membership",
    "strategies.Topic",
    "strategies.BusinessBenefit",
    "strategies.ActionOption",
    "strategies.Competitor",
    "strategies.CompetitorPresence",
    "strategies.Resource",
    "strategies.ResourceRequirement",
    "strategies.Kpi",
    "strategies.Milestone",
    "strategies.Platform",
    "strategies.EffectRelevance",
    "strategies.UsageFormatRelevance",
    "strategies.ChecklistAnswer",
    "strategies.StepComment",
    "strategies.StrategyVersion",
    "strategies.VersionOption",
    "strategies.VersionDecision",
    "strategies.VersionTransition",
    "strategies.Report",
]

# Fields set by the application, never by a form (a version's creator may have left; it is kept as text).
NOT_VALIDATED = {"created_by", "actor", "requested_by", "author", "updated_by", "submitted_by"}


@dataclass
class Violation:
    row: str
    error: str


@dataclass
class Audit:
    rows: int = 0
    violations: list = field(default_factory=list)


def audit_stored_rows() -> Audit:
    """Every row passes full_clean() and every check constraint; foreign keys point at rows."""
    audit = Audit()
    for label in WORKING_MODELS:
        model = apps.get_model(label)
        checks = [c for c in model._meta.constraints if isinstance(c, models.CheckConstraint)]
        for row in model._default_manager.all():
            audit.rows += 1
            name = f"{label}#{row.pk}"
            try:
                row.full_clean(exclude=NOT_VALIDATED)
            except ValidationError as error:
                audit.violations.append(Violation(name, str(error.message_dict)))
            for constraint in checks:
                try:
                    constraint.validate(model, row)
                except ValidationError as error:
                    audit.violations.append(Violation(name, f"{constraint.name}: {error}"))
            for text_field in model._meta.fields:
                value = getattr(row, text_field.attname)
                if isinstance(value, str) and "\x00" in value:
                    audit.violations.append(Violation(name, f"NUL byte stored in {text_field.name}"))
    connection.check_constraints()  # deferred foreign keys, never committed in a test
    return audit


def assert_stored_rows_obey_the_rules(minimum_rows: int = 1) -> int:
    audit = audit_stored_rows()
    assert not audit.violations, audit.violations[:20]
    assert audit.rows >= minimum_rows
    return audit.rows
