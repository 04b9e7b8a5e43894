"""The shape of a project document ("pbsm-project", version 2), shared by exporter and importer.

A document is one JSON object:

    {"format": "pbsm-project", "version": 2, "exported_at": "<ISO datetime>",
     "project": {..., "client": {"name", "industry", "description"}, "created_by": "<username>"|null},
     "members": [{"user": "<username>", "role": "consultant"|"manager"|"viewer"}],
     "effect_relevances": [...], "usage_format_relevances": [...], "checklist_answers": [...],
     "step_comments": [...], "topics": [...], "benefits": [...], "options": [...],
     "competitors": [...], "presences": [...], "resources": [...], "requirements": [...],
     "kpis": [...], "milestones": [...], "platforms": [...],
     "content_pillars": [...], "content_plan_lines": [...], "swot_notes": [...],
     "scenarios": [{..., "changes": [{"kind": ..., ...}]}]  (optional: older files lack them),
     "versions": [{..., "snapshot": {...}, "options": [...], "decisions": [...], "transitions": [...]}],
     "version_comments": [...],
     "kpi_trackings": [{..., "owner_label": "<the member owner's name>"}], "checkin_reminders": [...],
     "kpi_checkins": [...], "milestone_status_changes": [...], "reviews": [{..., "findings": [...]}],
     "history": [{"model", "object", "type", "date", "user", "change_reason", "fields": {...}}]}

Rows carry every concrete field of their model (derived from the model, so a new field is
exported without anyone remembering to), except the primary key and lock_version (an
installation-local edit counter, reset on import). References:

- to catalogue rows by natural key, never by id: blocks, usage formats, effects, benefit types
  and resource types by `key`, competence areas by `key`, guiding questions by
  {"area": key, "order": n, "text_de": ..., "text_en": ...};
- to rows inside the document by a document-local "id" (1, 2, ... per section, in the order
  the rows are listed); a negative number names a row that no longer existed when the file
  was written (deleted working material still named by a frozen snapshot or by history), the
  same negative number for the same vanished row throughout the document;
- to users by username (null when the account is gone).

Strategy management (format version 2; a version 1 file has none of it) names a KPI or a
milestone by its *key*, the working row's id that snapshot schema 4 records: in the document the
key is that row's document-local id of "kpis" or "milestones" (negative for a row deleted since),
mapped like the snapshot's ids, so a KPI's check-ins, tracking, findings and snapshot entries stay
one line after an import.

What-if scenarios (issue 17) keep their changes as `impact.change_to_dict` writes them; the fields
of a change that name a row (SCENARIO_CHANGE_REFS) hold that row's document-local id, like any other
reference (negative for a row deleted since the scenario was kept), in the scenario's history records too.

Decimals are strings ("12.50"), dates and datetimes ISO 8601.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from competencies.models import (
    BenefitType,
    BusinessModelBlock,
    CompetenceArea,
    Effect,
    ResourceType,
    UsageFormat,
)

from ..analysis.swot import QUADRANTS as SWOT_QUADRANTS
from ..analysis.swot import SWOT_ITEM_KINDS
from ..models import (
    ActionOption,
    BusinessBenefit,
    CheckInReminder,
    ChecklistAnswer,
    Competitor,
    CompetitorPresence,
    ContentPillar,
    ContentPlanLine,
    EffectRelevance,
    Kpi,
    KpiCheckIn,
    KpiTracking,
    Milestone,
    MilestoneStatusChange,
    Platform,
    Resource,
    ResourceRequirement,
    ReviewFinding,
    Scenario,
    StepComment,
    StrategyProject,
    StrategyReview,
    StrategyVersion,
    SwotNote,
    Topic,
    UsageFormatRelevance,
    VersionComment,
    VersionDecision,
    VersionOption,
    VersionTransition,
)

FORMAT = "pbsm-project"
VERSION = 2
# Version 1 files (before strategy management travelled) still import: without those sections.
READABLE_VERSIONS = (1, VERSION)

# Catalogue rows that have a `key`, by the name a reference uses.
CATALOGUE = {
    "block": BusinessModelBlock,
    "usage_format": UsageFormat,
    "effect": Effect,
    "benefit_type": BenefitType,
    "resource_type": ResourceType,
    "area": CompetenceArea,
}
QUESTION = "question"  # guiding questions have no key: area key + order + texts
USER = "user"


@dataclass(frozen=True)
class Section:
    """One list of rows in the document and the model it holds.

    refs names every foreign key of the model: a section key (a row inside the document),
    a CATALOGUE name, QUESTION or USER. parent is the foreign key to the project, not written.
    """

    key: str
    model: type
    refs: dict[str, str] = field(default_factory=dict)
    parent: str | None = "project"
    local_id: bool = True
    # How export finds the project's rows, and their order (the document's order).
    path: str = "project"
    order_by: tuple[str, ...] = ("id",)
    # Fields added after the format's first files were written, with the value a file without them
    # means: such a file still imports (the key is filled in before the keys are checked).
    added_later: dict = field(default_factory=dict)
    # Whole-number fields that hold the id of a row of another section (a KPI's or milestone's key),
    # by that section's key: mapped as references, a deleted row's by its negative number.
    keys: dict[str, str] = field(default_factory=dict)

    def plain_fields(self) -> list:
        """Concrete non-relational fields written as values (pk and lock_version left out)."""
        return [
            f
            for f in self.model._meta.concrete_fields
            if not f.primary_key and not f.is_relation and f.name != "lock_version"
        ]

    def relation_fields(self) -> list:
        return [f for f in self.model._meta.concrete_fields if f.is_relation]


SECTIONS = [
    Section("effect_relevances", EffectRelevance, {"effect": "effect"}, local_id=False),
    Section("usage_format_relevances", UsageFormatRelevance, {"usage_format": "usage_format"}, local_id=False),
    Section("checklist_answers", ChecklistAnswer, {"question": QUESTION, "updated_by": USER}, local_id=False),
    Section("step_comments", StepComment, {"area": "area", "author": USER}, local_id=False),
    Section("topics", Topic, {"block": "block"}),
    Section(
        "benefits",
        BusinessBenefit,
        {"topic": "topics", "benefit_type": "benefit_type", "usage_format": "usage_format"},
        parent=None,
        path="topic__project",
    ),
    Section(
        "options",
        ActionOption,
        {"topic": "topics", "benefit": "benefits", "usage_format": "usage_format"},
        parent=None,
        path="topic__project",
        added_later={"priority": None},  # an option's priority (migration 0016): not set
    ),
    Section("competitors", Competitor),
    Section(
        "presences",
        CompetitorPresence,
        {"competitor": "competitors", "topic": "topics"},
        parent=None,
        path="competitor__project",
    ),
    Section("resources", Resource, {"resource_type": "resource_type"}),
    Section(
        "requirements",
        ResourceRequirement,
        {"option": "options", "resource_type": "resource_type"},
        parent=None,
        path="option__topic__project",
    ),
    Section("kpis", Kpi, {"benefit": "benefits"}, parent=None, path="benefit__topic__project"),
    Section("milestones", Milestone),
    Section("platforms", Platform, {"usage_format": "usage_format"}),
    # The content plan (issue 17): pillars tied to a topic (and a benefit), their lines per platform.
    Section("content_pillars", ContentPillar, {"topic": "topics", "benefit": "benefits"}),
    Section(
        "content_plan_lines",
        ContentPlanLine,
        {"pillar": "content_pillars"},
        parent=None,
        path="pillar__project",
    ),
    # The consultant's own SWOT points (migration 0022).
    Section("swot_notes", SwotNote),
]
SECTION_BY_KEY = {section.key: section for section in SECTIONS}
# Sections added after files were written without them: such a file has none of those rows, and
# still imports (the empty lists are filled in before the document's keys are checked): version
# comments (migration 0020), the content plan (0021), SWOT notes (0022) and what-if scenarios.
SECTIONS_ADDED_LATER = ("version_comments", "content_pillars", "content_plan_lines", "swot_notes", "scenarios")

# Kept what-if scenarios (issue 17), after the working material their changes name. Who kept and who
# applied one by username. Their `changes` name rows by id: mapped by SCENARIO_CHANGE_REFS, in the
# scenario and in its history (kept, applied, discarded) alike.
SCENARIOS = Section("scenarios", Scenario, {"created_by": USER, "applied_by": USER})
# By the stored name of a change's kind (strategies/analysis/impact.py CHANGE_KINDS): the fields that
# name a row of the project, by the section that row is listed in.
SCENARIO_CHANGE_REFS = {
    "drop_topic": {"topic": "topics"},
    "drop_option": {"option": "options"},
    "raise_competitor_strength": {"competitor": "competitors", "topic": "topics"},
    "cut_resource_amount": {"resource": "resources"},
    "lengthen_lead_time": {"requirement": "requirements"},
    "lower_topic_rating": {"topic": "topics"},
}

PROJECT = Section("project", StrategyProject, {"client": "client", "created_by": USER}, parent=None, local_id=False)
VERSIONS = Section(
    "versions",
    StrategyVersion,
    {"based_on": "versions", "created_by": USER, "submitted_by": USER},
    order_by=("number",),
    # The import mark (migration 0007): a file from before it carries decisions just as imported.
    added_later={"imported_from": ""},
)
VERSION_OPTIONS = Section(
    "options",
    VersionOption,
    {"option": "options"},
    parent="version",
    local_id=False,
    added_later={"included_at_takeover": None},  # successor reasons (migration 0006): nothing taken over
)
VERSION_DECISIONS = Section("decisions", VersionDecision, {"actor": USER}, parent="version", local_id=False)
VERSION_TRANSITIONS = Section("transitions", VersionTransition, {"actor": USER}, parent="version", local_id=False)
# Comments on the versions (migration 0020), after the versions they name; their author by username,
# as a step comment's. A local id, so their history travels too. A file written before them has none
# (the key is filled in with an empty list on import).
VERSION_COMMENTS = Section(
    "version_comments",
    VersionComment,
    {"version": "versions", "author": USER},
    parent=None,
    path="version__project",
)

# Working material whose simple-history records travel with the project, by the name a
# history record gives as its "model". The project's own history is "project".
# --- strategy management (format version 2) --------------------------------------------------------
# Written after the versions, which they name. Who recorded a row is named by username (null when
# unknown here) and kept as text beside it (*_name); a tracking's member owner is linked only to a
# member of the imported project (see importer.py).

TRACKINGS = Section("kpi_trackings", KpiTracking, {"owner": USER}, keys={"kpi_key": "kpis"})
REMINDERS = Section(
    "checkin_reminders",
    CheckInReminder,
    {"tracking": "kpi_trackings", "recipient": USER},
    parent=None,
    local_id=False,
    path="tracking__project",
)
CHECKINS = Section(
    "kpi_checkins",
    KpiCheckIn,
    {"version": "versions", "recorded_by": USER, "supersedes": "kpi_checkins"},
    keys={"kpi_key": "kpis"},
)
MILESTONE_CHANGES = Section(
    "milestone_status_changes",
    MilestoneStatusChange,
    {"milestone": "milestones", "changed_by": USER},
    local_id=False,
)
REVIEWS = Section(
    "reviews",
    StrategyReview,
    {"version": "versions", "decided_by": USER, "successor": "versions"},
    local_id=False,
)
REVIEW_FINDINGS = Section(
    "findings",
    ReviewFinding,
    parent="review",
    local_id=False,
    keys={"kpi_key": "kpis", "milestone_key": "milestones"},
)
MANAGEMENT_SECTIONS = [TRACKINGS, REMINDERS, CHECKINS, MILESTONE_CHANGES, REVIEWS]
# What a tracking's row says beyond its model's fields: the member owner's name, kept as the owner's
# name where that person is no member of the imported project.
TRACKING_EXTRA = "owner_label"

HISTORY_SECTIONS = {
    "project": PROJECT,
    **{
        key: SECTION_BY_KEY[key]
        for key in (
            "topics",
            "benefits",
            "options",
            "competitors",
            "presences",
            "resources",
            "requirements",
            "kpis",
            "milestones",
            "platforms",
            "content_pillars",
            "content_plan_lines",
            "swot_notes",
        )
    },
    "kpi_trackings": TRACKINGS,
    "version_comments": VERSION_COMMENTS,
    "scenarios": SCENARIOS,
}
HISTORY_TYPES = ("+", "~", "-")

TOP_LEVEL_KEYS = {
    "format",
    "version",
    "exported_at",
    "project",
    "members",
    *SECTION_BY_KEY,
    "versions",
    VERSION_COMMENTS.key,
    *(section.key for section in MANAGEMENT_SECTIONS),
    SCENARIOS.key,
    "history",
}

# --- the frozen snapshot (strategies.snapshots, SCHEMA 2-6) --------------------------------------
# A spec is a type (or tuple of types), a dict of keys to specs (every key required, further
# keys passed through unchanged), a one-element list (a list of such items), a Ref, a Parsed,
# a OneOf or a Tagged.


@dataclass(frozen=True)
class Ref:
    """An id inside a snapshot: a section's row, or (kind "resource_type") a catalogue row by key."""

    kind: str
    null: bool = False


@dataclass(frozen=True)
class Parsed:
    """Text the pages parse (a decimal, a date, a datetime) or a bounded whole number: checked, not
    trusted, so a hand-made snapshot cannot break the version pages or the comparison."""

    kind: str  # "decimal", "date", "datetime" or "int"
    null: bool = False
    low: int | None = None
    high: int | None = None
    # Decimals: at most `digits` digits, `places` of them after the point (the model field's
    # max_digits and decimal_places), so every page can compute with them (1E+100000000 overflows).
    digits: int = 14
    places: int = 2

    def accepts(self, value) -> bool:
        if value is None:
            return self.null
        if self.kind == "int":
            return (
                is_a(value, int)
                and (self.low is None or value >= self.low)
                and (self.high is None or value <= self.high)
            )
        if not isinstance(value, str):
            return False
        if len(value) > 40:
            return False
        try:
            if self.kind == "decimal":
                number = Decimal(value)
                if not number.is_finite() or (self.low is not None and number < self.low):
                    return False
                exponent = number.as_tuple().exponent
                whole = max(number.adjusted() + 1, 0)
                return -exponent <= self.places and whole <= self.digits - self.places
            if self.kind == "date":
                date.fromisoformat(value)
            else:
                datetime.fromisoformat(value)
        except (ValueError, InvalidOperation):
            return False
        return True

    def describe(self) -> str:
        names = {"decimal": "a decimal number as text", "date": "a date (YYYY-MM-DD)", "datetime": "a date and time"}
        if self.kind == "int":
            text = "a whole number" + (f" from {self.low}" if self.low is not None else "")
            text += f" to {self.high}" if self.high is not None else ""
        else:
            text = names[self.kind]
        text += " or null" if self.null else ""
        if self.kind == "decimal":
            text += f" (at most {self.digits - self.places} digits before the point and {self.places} after it" + (
                ", not negative)" if self.low == 0 else ")"
            )
        return text


@dataclass(frozen=True)
class OneOf:
    """Text that is one of a fixed set of words (a SWOT quadrant, kind or source type): the pages
    look each up in a table, and a word they do not know would break them."""

    values: tuple[str, ...]

    def describe(self) -> str:
        return "one of " + ", ".join(self.values)


@dataclass(frozen=True)
class Tagged:
    """An object whose `field` names a row of the kind its `tag` says (a SWOT item's source_id is a
    topic's, a benefit's, ... id, by its source_type): `body` checks the object, then `field` is
    resolved as `refs[the tag's value]`."""

    body: dict
    tag: str
    field: str
    refs: dict


TEXT = str
OPT_TEXT = (str, type(None))
INT_MAX = 2**31 - 1  # the database's integer fields
OPT_INT = Parsed("int", null=True, low=0, high=INT_MAX)
RATING = Parsed("int", low=1, high=5)
# As Kpi.target/baseline (max_digits 14, 2 places): KPI figures may be negative.
OPT_DECIMAL = Parsed("decimal", null=True)
# As Resource.amount / ResourceRequirement.amount (max_digits 12, 2 places, not negative).
OPT_AMOUNT = Parsed("decimal", null=True, low=0, digits=12)
# A balance row adds up amounts (and its gap may be negative): room for sums of many rows.
OPT_SUM = Parsed("decimal", null=True, digits=18)
OPT_DATE = Parsed("date", null=True)

_REQUIREMENT = {
    "resource_type_id": Ref("resource_type", null=True),
    "resource_type": TEXT,
    "unit": TEXT,
    "amount": OPT_AMOUNT,
    "lead_time_weeks": OPT_INT,
    "notes": TEXT,
}
SNAPSHOT_SPEC = {
    "schema": int,
    "taken_at": Parsed("datetime"),
    "version": {
        "number": Parsed("int", low=1, high=INT_MAX),
        "name": TEXT,
        "rationale": TEXT,
        "assumptions": TEXT,
        "prerequisites": TEXT,
        "based_on": OPT_INT,
    },
    "project": {
        "client": TEXT,
        "title": TEXT,
        "readiness_stage": TEXT,
        "netiquette": TEXT,
        "monitoring": TEXT,
        "escalation_path": TEXT,
        "response_time_hours": OPT_INT,
        "review_cadence": TEXT,
    },
    "options": [
        {
            "id": Ref("options"),
            "title": TEXT,
            "included": bool,
            "reason": TEXT,
            "topic_id": Ref("topics"),
            "topic": TEXT,
            "block": TEXT,
            "benefit_id": Ref("benefits", null=True),
            "benefit": OPT_TEXT,
            "usage_format": OPT_TEXT,
            "user_benefit": TEXT,
            "motivation": TEXT,
            "participation": TEXT,
            "services_needed": TEXT,
            "effort": RATING,
            "requirements": [_REQUIREMENT],
        }
    ],
    "topics": [
        {
            "id": Ref("topics"),
            "title": TEXT,
            "block": TEXT,
            "priority": RATING,
            "social_media_affinity": RATING,
        }
    ],
    "all_topics": [{"id": Ref("topics"), "title": TEXT, "block": TEXT, "priority": RATING}],
    "benefits": [
        {
            "id": Ref("benefits"),
            "title": TEXT,
            "topic_id": Ref("topics"),
            "benefit_type": TEXT,
            "priority": RATING,
            "usage_format": OPT_TEXT,
            "causal_chain": TEXT,
            "receiving_process": TEXT,
        }
    ],
    "competitors": [
        {
            "id": Ref("competitors"),
            "name": TEXT,
            "kind": TEXT,
            "presences": [
                {
                    "topic_id": Ref("topics"),
                    "topic": TEXT,
                    "strength": RATING,
                    "standard_set": TEXT,
                    "expected_reaction": TEXT,
                }
            ],
        }
    ],
    "resources": [{"resource_type": TEXT, "unit": TEXT, "description": TEXT, "amount": OPT_AMOUNT, "quality": RATING}],
    "resource_balance": {
        "rows": [
            {
                "resource_type_id": Ref("resource_type", null=True),
                "title": TEXT,
                "unit": TEXT,
                "qualitative": bool,
                "available": OPT_SUM,
                "needed": OPT_SUM,
                "gap": OPT_SUM,
                "lead_time_weeks": OPT_INT,
            }
        ],
        "earliest_start_weeks": OPT_INT,
    },
    "kpis": [
        {
            "benefit_id": Ref("benefits", null=True),
            "description": TEXT,
            "metric": TEXT,
            "baseline": OPT_DECIMAL,
            "target": OPT_DECIMAL,
            "unit": TEXT,
            "owner": TEXT,
            "due_date": OPT_DATE,
            "smart_missing": [TEXT],
        }
    ],
    "milestones": [{"title": TEXT, "owner": TEXT, "due_date": OPT_DATE, "status": TEXT, "description": TEXT}],
    "platforms": [
        {
            "name": TEXT,
            "kind": TEXT,
            "usage_format": OPT_TEXT,
            "purpose": TEXT,
            "risks": TEXT,
            "mitigation": TEXT,
        }
    ],
}


def _potential_ratings(kind: str) -> list:
    return [
        {
            "id": Ref(kind),
            "key": TEXT,
            "title": TEXT,
            "titles": dict,
            "relevance": Parsed("int", null=True, low=1, high=5),
            "notes": TEXT,
        }
    ]


# By the snapshot's own schema (strategies/snapshots.py): 3 adds the potential step's ratings, whose
# catalogue ids travel as keys like every other catalogue reference; 4 adds each KPI's and
# milestone's id, mapped like every other row reference (a row deleted since: a negative number);
# 5 adds each option's priority (1..5, or null while not set); 6 adds the SWOT (each item's source
# mapped by its source_type like any other reference) and the content plan (titles and figures only).
SNAPSHOT_SPEC_3 = {
    **SNAPSHOT_SPEC,
    "potential": {
        "notes": TEXT,
        "effects": _potential_ratings("effect"),
        "usage_formats": _potential_ratings("usage_format"),
    },
}
SNAPSHOT_SPEC_4 = {
    **SNAPSHOT_SPEC_3,
    "kpis": [{"id": Ref("kpis"), **SNAPSHOT_SPEC["kpis"][0]}],
    "milestones": [{"id": Ref("milestones"), **SNAPSHOT_SPEC["milestones"][0]}],
}
SNAPSHOT_SPEC_5 = {
    **SNAPSHOT_SPEC_4,
    "options": [{**SNAPSHOT_SPEC["options"][0], "priority": Parsed("int", null=True, low=1, high=5)}],
}
_SWOT_SOURCES = {
    "topic": Ref("topics"),
    "benefit": Ref("benefits"),
    "resource_type": Ref("resource_type"),
    "competitor": Ref("competitors"),
    "platform": Ref("platforms"),
}
_QUADRANT = OneOf(SWOT_QUADRANTS)
_COUNT = Parsed("int", low=0, high=INT_MAX)
_HOURS = Parsed("decimal", low=0, digits=18)
SNAPSHOT_SPECS = {
    2: SNAPSHOT_SPEC,
    3: SNAPSHOT_SPEC_3,
    4: SNAPSHOT_SPEC_4,
    5: SNAPSHOT_SPEC_5,
    6: {
        **SNAPSHOT_SPEC_5,
        "swot": {
            "items": [
                Tagged(
                    {
                        "quadrant": _QUADRANT,
                        "kind": OneOf(SWOT_ITEM_KINDS),
                        "source_type": OneOf(tuple(_SWOT_SOURCES)),
                        "source_id": (int, str),
                        "title": TEXT,
                        "parent": TEXT,
                        "strength": Parsed("int", null=True, low=1, high=5),
                        "gap": OPT_SUM,
                        "unit": TEXT,
                    },
                    tag="source_type",
                    field="source_id",
                    refs=_SWOT_SOURCES,
                )
            ],
            "notes": [{"quadrant": _QUADRANT, "text": TEXT}],
        },
        "content_plan": {
            "pillars": [
                {
                    "title": TEXT,
                    "topic": OPT_TEXT,
                    "benefit": OPT_TEXT,
                    "lines": [
                        {
                            "platform": TEXT,
                            "format": TEXT,
                            "frequency_per_month": Parsed("int", low=1, high=INT_MAX),
                            "owner": TEXT,
                            "hours_per_post": Parsed("decimal", low=0, digits=7),
                            "usage_shares": dict,
                        }
                    ],
                }
            ],
            "figures": {
                "pillar_count": _COUNT,
                "line_count": _COUNT,
                "posts_per_month": _COUNT,
                "hours_needed": _HOURS,
                "hours_available": _HOURS,
                "has_staff_time": bool,
                "hours_gap": _HOURS,
                "has_gap": bool,
                "unchosen_platforms": [TEXT],
                "pillars_without_topic": [TEXT],
                "pillars_without_lines": [TEXT],
                "topics": [{"title": TEXT}],
                "benefits": [{"title": TEXT}],
                "usage_mix": [
                    {
                        "key": TEXT,
                        "title": TEXT,
                        "titles": dict,
                        "posts": _HOURS,
                        "percent": Parsed("int", low=0, high=100),
                    }
                ],
            },
        },
    },
}


class ShapeError(ValueError):
    """A value does not have the shape its spec asks for; `path` says where."""

    def __init__(self, path: str, expected: str):
        super().__init__(path, expected)
        self.path = path
        self.expected = expected


def type_name(spec) -> str:
    names = {str: "text", int: "whole number", bool: "true/false", type(None): "null", dict: "object", list: "list"}
    if isinstance(spec, tuple):
        return " or ".join(names.get(t, t.__name__) for t in spec)
    return names.get(spec, getattr(spec, "__name__", str(spec)))


def is_a(value, types) -> bool:
    """isinstance without bool passing for a number (JSON true is not 1)."""
    types = types if isinstance(types, tuple) else (types,)
    if isinstance(value, bool):
        return bool in types
    return isinstance(value, types)


def walk(value, spec, path: str, ref):
    """Check `value` against `spec` and return a copy with every Ref replaced by ref(spec, value, path)."""
    if isinstance(spec, Ref):
        if value is None and spec.null:
            return None
        return ref(spec, value, path)
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            raise ShapeError(path, "object")
        missing = [key for key in spec if key not in value]
        if missing:
            raise ShapeError(f"{path}.{missing[0]}", "a value (the key is missing)")
        return {
            key: walk(item, spec[key], f"{path}.{key}", ref) if key in spec else item for key, item in value.items()
        }
    if isinstance(spec, list):
        if not isinstance(value, list):
            raise ShapeError(path, "list")
        return [walk(item, spec[0], f"{path}[{n}]", ref) for n, item in enumerate(value)]
    if isinstance(spec, Parsed):
        if not spec.accepts(value):
            raise ShapeError(path, spec.describe())
        return value
    if isinstance(spec, OneOf):
        if not isinstance(value, str) or value not in spec.values:
            raise ShapeError(path, spec.describe())
        return value
    if isinstance(spec, Tagged):
        checked = walk(value, spec.body, path, ref)
        target = spec.refs[checked[spec.tag]]
        return {**checked, spec.field: walk(value[spec.field], target, f"{path}.{spec.field}", ref)}
    if not is_a(value, spec):
        raise ShapeError(path, type_name(spec))
    return value
