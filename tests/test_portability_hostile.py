"""Malformed and hostile export files: a clear error that says where, and not one row written."""

import copy
import json

import hypothesis
import pytest
from django.db import transaction
from hypothesis import strategies as st

from strategies.models import VersionStatus
from strategies.portability import ProjectImportError, document_json, project_export, project_import, read_document

from .portability_data import fill, importer_user, row_counts

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def document(project, consultant, manager):
    return json.loads(document_json(project_export(project=fill(project, consultant, manager))))


@pytest.fixture
def ingrid(db):
    return importer_user()


def refused(document, user, match: str):
    before = row_counts()
    with pytest.raises(ProjectImportError, match=match):
        project_import(document=document, user=user)
    assert row_counts() == before, "a refused file writes nothing"


# --- the file itself ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data, match",
    [
        pytest.param(b"this is not JSON", "not valid JSON", id="not-json"),
        pytest.param(b"", "not valid JSON", id="empty"),
        pytest.param(b'{"format": "pbsm-project",', "not valid JSON", id="truncated"),
        pytest.param(b"\xff\xfe{\x00}", "not UTF-8", id="not-utf8"),
        pytest.param(b"[" * 200_000 + b"]" * 200_000, "too deeply", id="deep-for-the-parser"),
        pytest.param(b'{"a":' * 30 + b"1" + b"}" * 30, "too deeply", id="deeper-than-a-document"),
        pytest.param(b'{"format": "pbsm-project", "format": "x"}', 'names the key "format" twice', id="duplicate-key"),
        pytest.param(b'{"amount": NaN}', "NaN, which is not a JSON number", id="nan"),
        pytest.param(b'{"amount": Infinity}', "not a JSON number", id="infinity"),
    ],
)
def test_unreadable_files_are_refused_with_the_reason(data, match):
    with pytest.raises(ProjectImportError, match=match):
        read_document(data)


def test_files_over_the_size_limit_are_refused_before_parsing(settings):
    settings.PROJECT_IMPORT_MAX_BYTES = 1024 * 1024
    with pytest.raises(ProjectImportError, match="larger than 1 MiB"):
        read_document(b" " * (1024 * 1024 + 1))


def test_a_utf8_byte_order_mark_is_accepted(document, ingrid):
    parsed = read_document(b"\xef\xbb\xbf" + document_json(document).encode())
    assert project_import(document=parsed, user=ingrid).title.startswith(document["project"]["title"])


@pytest.mark.parametrize(
    "value, match",
    [
        pytest.param([], "expected a JSON object", id="list"),
        pytest.param("pbsm-project", "expected a JSON object", id="string"),
        pytest.param({"format": "other-tool", "version": 1}, "not a pbsm project export", id="wrong-format"),
        pytest.param({"version": 1}, "not a pbsm project export", id="no-format"),
    ],
)
def test_documents_of_another_kind_are_refused(value, match, ingrid):
    refused(value, ingrid, match)


@pytest.mark.parametrize("version", [3, 0, "1", True, None, 1.0, 2.0])
def test_unknown_format_versions_are_refused(document, ingrid, version):
    document["version"] = version
    refused(document, ingrid, "format version .* reads format versions 1, 2")


# --- shape: keys and types ---------------------------------------------------------------------------


def _set(path_and_value):
    """A mutation: set document[...][...] to value."""
    *path, value = path_and_value

    def mutate(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def _delete(*path):
    def mutate(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


SHAPE_CASES = [
    pytest.param(_delete("topics"), r"document\.topics: this key is missing", id="missing-section"),
    pytest.param(_delete("topics", 0, "title"), r"topics\[0\]\.title: this key is missing", id="missing-field"),
    pytest.param(_delete("project", "client"), r"project\.client: this key is missing", id="missing-client"),
    pytest.param(_set(("topics", 0, "evil", 1)), r"topics\[0\]\.evil: this key is not part", id="unknown-field"),
    pytest.param(_set(("extra", {})), r"document\.extra: this key is not part", id="unknown-section"),
    pytest.param(_set(("topics", {"a": 1})), r"topics: expected a list", id="section-not-a-list"),
    pytest.param(_set(("topics", 0, "priority", "5")), r"topics\[0\]\.priority: expected whole number", id="str-int"),
    pytest.param(_set(("topics", 0, "priority", True)), r"topics\[0\]\.priority: expected whole number", id="bool"),
    pytest.param(_set(("topics", 0, "priority", 4.0)), r"topics\[0\]\.priority: expected whole number", id="float"),
    pytest.param(_set(("topics", 0, "title", 42)), r"topics\[0\]\.title: expected text", id="int-for-text"),
    pytest.param(_set(("topics", 0, "title", None)), r"topics\[0\]\.title: a value is required", id="null-text"),
    pytest.param(_set(("topics", 0, "title", ["x"])), r"topics\[0\]\.title: expected text", id="list-for-text"),
    pytest.param(_set(("resources", 0, "amount", 12.5)), r"resources\[0\]\.amount: expected text or whole", id="flt"),
    pytest.param(_set(("resources", 0, "amount", "lots")), r"resources\[0\]\.amount: expected a decimal", id="word"),
    pytest.param(_set(("resources", 0, "amount", "NaN")), r"resources\[0\]\.amount: expected a decimal", id="nan"),
    pytest.param(_set(("kpis", 0, "due_date", "tomorrow")), r"kpis\[0\]\.due_date: expected a date", id="date"),
    pytest.param(
        _set(("topics", 0, "created_at", "2026-01-01T10:00:00")), r"created_at: expected a date and time", id="naive"
    ),
    pytest.param(_set(("milestones", 0, "status", "bogus")), r"milestones\[0\]\.status: .*not a valid choice", id="ch"),
    pytest.param(_set(("effect_relevances", 0, "notes", "a\x00b")), r"notes: the text contains a NUL", id="nul"),
    pytest.param(_set(("exported_at", 5)), r"exported_at: expected text", id="exported-at"),
    pytest.param(_set(("members", 0, "role", "owner")), r"members\[0\]\.role: not a role", id="member-role"),
    pytest.param(_set(("topics", 0, "id", 0)), r"topics\[0\]\.id: ids are positive", id="zero-id"),
    pytest.param(_set(("topics", 1, "id", 1)), r"topics\[1\]\.id: ids are positive and unique", id="duplicate-id"),
]


@pytest.mark.parametrize("mutate, match", SHAPE_CASES)
def test_documents_with_missing_keys_or_wrong_types_are_refused(document, ingrid, mutate, match):
    mutate(document)
    refused(document, ingrid, match)


# --- references ----------------------------------------------------------------------------------------

REFERENCE_CASES = [
    pytest.param(
        _set(("topics", 0, "block", "no-such-block")),
        r'topics\[0\]\.block: this installation has no business model block with the key "no-such-block"',
        id="block",
    ),
    pytest.param(
        _set(("benefits", 0, "benefit_type", "nope")), r"benefits\[0\]\.benefit_type: .*no benefit type", id="type"
    ),
    pytest.param(_set(("platforms", 0, "usage_format", "nope")), r"no usage format", id="format"),
    pytest.param(_set(("resources", 0, "resource_type", "nope")), r"no resource type", id="resource-type"),
    pytest.param(_set(("effect_relevances", 0, "effect", "nope")), r"no effect", id="effect"),
    pytest.param(_set(("step_comments", 0, "area", "nope")), r"no competence area", id="area"),
    pytest.param(_set(("topics", 0, "block", 1)), r"topics\[0\]\.block: expected text", id="catalogue-by-id"),
    pytest.param(
        _set(("checklist_answers", 0, "question", {"area": "potential", "order": 99, "text_de": "?", "text_en": "?"})),
        r"checklist_answers\[0\]\.question: this installation has no guiding question 99",
        id="question",
    ),
    pytest.param(
        _set(("benefits", 0, "topic", 999)), r"benefits\[0\]\.topic: refers to topics 999, which the file", id="local"
    ),
    pytest.param(_set(("benefits", 0, "topic", -1)), r"refers to topics -1", id="gone-in-material"),
    pytest.param(_set(("benefits", 0, "topic", None)), r"benefits\[0\]\.topic: a reference is required", id="null"),
    pytest.param(_set(("options", 0, "benefit", "1")), r"options\[0\]\.benefit: expected whole number", id="str-ref"),
    pytest.param(
        _set(("versions", 1, "snapshot", "options", 0, "requirements", 0, "resource_type_id", "nope")),
        r"versions\[1\]\.snapshot\.options\[0\]\.requirements\[0\]\.resource_type_id: .*no resource type",
        id="snapshot-catalogue",
    ),
    pytest.param(
        _set(("versions", 1, "snapshot", "options", 0, "id", 999)),
        r"snapshot\.options\[0\]\.id: refers to options 999",
        id="snapshot-local",
    ),
    pytest.param(
        _set(("versions", 1, "options", 0, "option", 999)), r"versions\[1\]\.options\[0\]\.option: refers", id="choice"
    ),
    pytest.param(_set(("history", 3, "object", 999)), r"history\[3\]\.object: refers to", id="history-object"),
    pytest.param(_set(("history", 3, "object", -(2**70))), r"history\[3\]\.object: refers to", id="history-huge-gone"),
]


@pytest.mark.parametrize("mutate, match", REFERENCE_CASES)
def test_references_to_rows_that_do_not_exist_are_refused(document, ingrid, mutate, match):
    mutate(document)
    refused(document, ingrid, match)


# --- the models' rules --------------------------------------------------------------------------------

RULE_CASES = [
    pytest.param(_set(("topics", 0, "priority", 0)), r"topics\[0\]\.priority: Value 0 is not a valid choice", id="0"),
    pytest.param(_set(("topics", 0, "priority", 6)), r"topics\[0\]\.priority: Value 6 is not a valid choice", id="6"),
    pytest.param(_set(("presences", 0, "strength", 9)), r"presences\[0\]\.strength", id="strength"),
    pytest.param(
        _set(("resources", 0, "amount", "-1")), r"resources\[0\]\.amount: .*greater than or equal to 0", id="n"
    ),
    pytest.param(_set(("requirements", 0, "amount", "-0.01")), r"requirements\[0\]\.amount", id="negative-need"),
    pytest.param(_set(("requirements", 0, "lead_time_weeks", 9999)), r"lead_time_weeks: .*five years", id="lead"),
    pytest.param(_set(("requirements", 0, "lead_time_weeks", -1)), r"lead_time_weeks", id="negative-lead"),
    pytest.param(
        _set(("resources", 0, "amount", "12345678901234")), r"resources\[0\]\.amount: .*digits", id="too-many-digits"
    ),
    pytest.param(_set(("project", "response_time_hours", 721)), r"project\.response_time_hours: at most 720", id="rt"),
    pytest.param(_set(("project", "readiness_stage", "bogus")), r"project\.readiness_stage", id="stage"),
    pytest.param(_set(("project", "title", "")), r"project\.title: This field cannot be blank", id="blank-title"),
    pytest.param(_set(("project", "title", "x" * 201)), r"project\.title: .*at most 200 characters", id="long"),
    pytest.param(_set(("project", "client", "name", "")), r"project\.client\.name", id="blank-client"),
    pytest.param(_set(("topics", 1, "title", None)), r"topics\[1\]\.title", id="null-title"),
    pytest.param(_set(("competitors", 0, "kind", "friend")), r"competitors\[0\]\.kind", id="kind"),
    pytest.param(_set(("step_comments", 0, "text", "x" * 4001)), r"step_comments\[0\]\.text", id="long-comment"),
    pytest.param(_set(("history", 0, "type", "*")), r"history\[0\]\.type: expected one of", id="history-type"),
    pytest.param(_set(("history", 0, "model", "users")), r"history\[0\]\.model: not a kind", id="history-model"),
    pytest.param(_set(("history", 0, "change_reason", "x" * 101)), r"change_reason: at most 100", id="reason"),
]


@pytest.mark.parametrize("mutate, match", RULE_CASES)
def test_values_breaking_the_models_rules_are_refused(document, ingrid, mutate, match):
    mutate(document)
    refused(document, ingrid, match)


def test_two_topics_with_the_same_title_in_one_block_are_refused(document, ingrid):
    document["topics"][1].update(block=document["topics"][0]["block"], title=document["topics"][0]["title"])
    refused(document, ingrid, r"topics\[1\]: repeats project, business model block, title")


def test_an_option_realising_another_topics_benefit_is_refused(document, ingrid):
    benefit = document["benefits"][0]
    n, option = next((n, o) for n, o in enumerate(document["options"]) if o["topic"] != benefit["topic"])
    option["benefit"] = benefit["id"]
    refused(document, ingrid, rf"options\[{n}\]\.benefit: Choose a benefit of the same topic")


# --- versions ------------------------------------------------------------------------------------------


def _version(document, status):
    return next(v for v in document["versions"] if v["status"] == status)


def test_two_approved_versions_are_refused(document, ingrid):
    _version(document, "superseded")["status"] = "approved"
    refused(document, ingrid, "more than one version claims to be the approved one")


def test_a_version_approved_twice_is_refused(document, ingrid):
    approved = _version(document, "approved")
    decision = approved["decisions"][0]
    approved["decisions"].append(dict(decision))
    refused(document, ingrid, r"versions\[1\]\.decisions: a version is decided once; this one claims 2")


def test_a_transition_approving_an_approved_version_again_is_refused(document, ingrid):
    approved = _version(document, "approved")
    approved["transitions"].append(dict(approved["transitions"][-1], from_status="approved"))
    refused(document, ingrid, r"versions\[1\]\.transitions\[3\]: this step does not follow")


@pytest.mark.parametrize(
    "claimed", [VersionStatus.APPROVED, VersionStatus.DRAFT, VersionStatus.SUBMITTED], ids=lambda s: f"as-{s}"
)
def test_a_rejected_version_claiming_another_status_is_refused(document, ingrid, claimed):
    _version(document, "rejected")["status"] = claimed
    refused(document, ingrid, r"versions\[2\]\.(decisions|transitions)|more than one version")


def test_transitions_skipping_the_submission_are_refused(document, ingrid):
    approved = _version(document, "approved")
    approved["transitions"] = [approved["transitions"][0], dict(approved["transitions"][2], from_status="draft")]
    refused(document, ingrid, r"versions\[1\]\.transitions\[1\]: this step does not follow")


def test_a_decided_version_without_snapshot_is_refused(document, ingrid):
    _version(document, "approved")["snapshot"] = None
    refused(document, ingrid, r"versions\[1\]\.snapshot: a submitted or decided version needs its snapshot")


@pytest.mark.parametrize(
    "mutate, match",
    [
        pytest.param(_set(("versions", 1, "snapshot", "options", "x")), r"snapshot\.options: expected list", id="list"),
        pytest.param(_delete("versions", 1, "snapshot", "topics"), r"snapshot\.topics: expected a value", id="missing"),
        pytest.param(
            _set(("versions", 1, "snapshot", "options", 0, "title", 5)), r"options\[0\]\.title: expected text", id="t"
        ),
        pytest.param(_set(("versions", 1, "snapshot", [])), r"versions\[1\]\.snapshot: expected an object", id="obj"),
        pytest.param(
            _set(("versions", 1, "snapshot", "resources", 0, "amount", "plenty")),
            r"snapshot\.resources\[0\]\.amount: expected a decimal number as text or null",
            id="snapshot-decimal",
        ),
        pytest.param(
            _set(("versions", 1, "snapshot", "topics", 0, "priority", 9)),
            r"snapshot\.topics\[0\]\.priority: expected a whole number from 1 to 5",
            id="snapshot-rating",
        ),
        pytest.param(
            _set(("versions", 1, "snapshot", "kpis", 0, "due_date", "soon")),
            r"snapshot\.kpis\[0\]\.due_date: expected a date",
            id="snapshot-date",
        ),
        pytest.param(
            _set(("versions", 1, "snapshot", "taken_at", "yesterday")),
            r"snapshot\.taken_at: expected a date and time",
            id="snapshot-taken-at",
        ),
        pytest.param(
            _set(("versions", 1, "snapshot", "options", 0, "included", 1)),
            r"snapshot\.options\[0\]\.included: expected true/false",
            id="snapshot-bool",
        ),
        pytest.param(_set(("versions", 1, "status", "frozen")), r"versions\[1\]\.status", id="status"),
        pytest.param(_set(("versions", 1, "based_on", 2)), r"versions\[1\]\.based_on: a version builds on an", id="b"),
        pytest.param(_set(("versions", 3, "name", "first")), r"versions: two versions have the same name", id="name"),
        pytest.param(_set(("versions", 3, "number", 1)), r"versions\[3\]: repeats project, number", id="number"),
        pytest.param(_set(("versions", 1, "options", 0, "included", "yes")), r"included: expected true/false", id="b2"),
    ],
)
def test_malformed_versions_are_refused(document, ingrid, mutate, match):
    mutate(document)
    refused(document, ingrid, match)


# --- strategy management ---------------------------------------------------------------------------------


def _append_copy(section, n, **changes):
    def mutate(document):
        document[section].append(dict(document[section][n], **changes))

    return mutate


def _finding(review, n, **changes):
    def mutate(document):
        document["reviews"][review]["findings"][n].update(changes)

    return mutate


# The filled project's order: check-ins [0] counted, [1] its correction (supersedes id 1), [2] another KPI;
# trackings [0] with a member owner, [1] a named owner; reviews [0] "continue", [1] "adjust" (successor V5).
MANAGEMENT_CASES = [
    pytest.param(
        _set(("kpi_checkins", 0, "kpi_key", 999)), r"kpi_checkins\[0\]\.kpi_key: refers to kpis 999", id="kpi-missing"
    ),
    pytest.param(_set(("kpi_checkins", 0, "kpi_key", -7)), r"kpi_checkins\[0\]\.kpi_key: V2 has no KPI", id="kpi-gone"),
    pytest.param(
        _set(("kpi_checkins", 0, "kpi_key", "1")), r"kpi_checkins\[0\]\.kpi_key: expected whole", id="key-str"
    ),
    pytest.param(_set(("kpi_checkins", 0, "version", 4)), r"kpi_checkins\[0\]\.version: .*approved", id="draft"),
    pytest.param(_set(("kpi_checkins", 0, "version", 9)), r"kpi_checkins\[0\]\.version: refers to", id="no-version"),
    pytest.param(
        _set(("kpi_checkins", 0, "supersedes", 2)), r"kpi_checkins\[0\]\.supersedes: .*listed before", id="cycle"
    ),
    pytest.param(
        _set(("kpi_checkins", 2, "supersedes", 3)), r"kpi_checkins\[2\]\.supersedes: .*listed before", id="itself"
    ),
    pytest.param(
        _set(("kpi_checkins", 2, "supersedes", 1)), r"kpi_checkins\[2\]\.supersedes: .*same KPI", id="other-kpi"
    ),
    pytest.param(
        _append_copy("kpi_checkins", 1, id=9),
        r"kpi_checkins\[3\]\.supersedes: this check-in is already corrected",
        id="corrected-twice",
    ),
    pytest.param(
        _set(("kpi_checkins", 0, "supersedes", 99)), r"kpi_checkins\[0\]\.supersedes: refers to", id="corrects-none"
    ),
    pytest.param(
        _set(("kpi_checkins", 0, "value", "1000000000000")), r"kpi_checkins\[0\]\.value: .*12 digits", id="too-big"
    ),
    pytest.param(_set(("kpi_checkins", 0, "value", "1E+100000000")), r"kpi_checkins\[0\]\.value", id="huge"),
    pytest.param(_set(("kpi_checkins", 0, "value", "0.001")), r"kpi_checkins\[0\]\.value: .*2 decimal", id="places"),
    pytest.param(_set(("kpi_checkins", 0, "value", None)), r"kpi_checkins\[0\]\.value: a value is required", id="v"),
    pytest.param(_set(("kpi_checkins", 0, "recorded_by_name", "")), r"recorded_by_name: .*blank", id="nameless"),
    pytest.param(_set(("kpi_checkins", 0, "recorded_at", "yesterday")), r"recorded_at: expected a date", id="when"),
    pytest.param(_set(("kpi_checkins", 0, "id", 2)), r"kpi_checkins\[1\]\.id: ids are positive and unique", id="id"),
    pytest.param(
        _set(("checkin_reminders", 0, "tracking", 999)),
        r"checkin_reminders\[0\]\.tracking: refers to kpi_trackings 999",
        id="reminder-tracking",
    ),
    pytest.param(
        _append_copy("checkin_reminders", 0), r"checkin_reminders\[1\]: repeats tracking, period", id="reminder-twice"
    ),
    pytest.param(_set(("checkin_reminders", 0, "period_start", "May")), r"period_start: expected a date", id="period"),
    pytest.param(_set(("kpi_trackings", 0, "kpi_key", 999)), r"kpi_trackings\[0\]\.kpi_key: refers to", id="t-kpi"),
    pytest.param(_set(("kpi_trackings", 0, "kpi_key", -9)), r"kpi_trackings\[0\]\.kpi_key: no approved", id="t-gone"),
    pytest.param(
        _set(("kpi_trackings", 1, "kpi_key", 1)), r"kpi_trackings\[1\]: repeats project, KPI", id="tracked-twice"
    ),
    pytest.param(_set(("kpi_trackings", 0, "tolerance_percent", "101")), r"tolerance_percent", id="tolerance"),
    pytest.param(_set(("kpi_trackings", 0, "cadence", "daily")), r"kpi_trackings\[0\]\.cadence", id="cadence"),
    pytest.param(_set(("kpi_trackings", 0, "owner_name", "Anna")), r"owner_name: .*not both", id="two-owners"),
    pytest.param(_set(("kpi_trackings", 0, "owner_label", 5)), r"owner_label: expected text", id="label"),
    pytest.param(_delete("kpi_trackings", 0, "owner_label"), r"owner_label: this key is missing", id="no-label"),
    pytest.param(
        _set(("milestone_status_changes", 0, "to_status", "planned")),
        r"milestone_status_changes\[0\]\.to_status: a change moves",
        id="no-move",
    ),
    pytest.param(
        _set(("milestone_status_changes", 0, "milestone", 999)), r"milestone_status_changes\[0\]\.milestone", id="ms"
    ),
    pytest.param(_set(("milestone_status_changes", 0, "to_status", "gone")), r"to_status: .*not a valid", id="state"),
    pytest.param(
        _finding(0, 1, kpi_key=1), r"reviews\[0\]\.findings\[1\]: a finding is about one KPI or one", id="both-keys"
    ),
    pytest.param(_finding(0, 0, kpi_key=None), r"reviews\[0\]\.findings\[0\]: a finding is about", id="no-key"),
    pytest.param(_finding(0, 0, kpi_key=999), r"reviews\[0\]\.findings\[0\]\.kpi_key: refers to", id="f-kpi"),
    pytest.param(_finding(0, 1, milestone_key=-5), r"findings\[1\]\.milestone_key: V2 has no milestone", id="f-ms"),
    pytest.param(_finding(0, 0, status="done"), r"findings\[0\]\.status: this status does not fit", id="f-status"),
    pytest.param(_set(("reviews", 0, "findings", {})), r"reviews\[0\]\.findings: expected a list", id="f-list"),
    pytest.param(_set(("reviews", 0, "successor", 5)), r"reviews\[0\]\.successor: only a review that", id="succ"),
    pytest.param(_set(("reviews", 1, "successor", 1)), r"reviews\[1\]\.successor: the successor builds", id="base"),
    pytest.param(_set(("reviews", 1, "version", 3)), r"reviews\[1\]\.version: a review looks at an approved", id="rv"),
    pytest.param(_set(("reviews", 0, "decision", "pause")), r"reviews\[0\]\.decision", id="decision"),
    pytest.param(
        _set(("reviews", 0, "next_review_on", "2000-01-01")), r"next_review_on: the next review comes after", id="next"
    ),
]


@pytest.mark.parametrize("mutate, match", MANAGEMENT_CASES)
def test_strategy_management_that_breaks_its_rules_is_refused(document, ingrid, mutate, match):
    mutate(document)
    refused(document, ingrid, match)


def test_strategy_management_sections_are_required_in_a_version_2_file(document, ingrid):
    del document["kpi_checkins"]
    refused(document, ingrid, r"document\.kpi_checkins: this key is missing")


# --- what-if scenarios: their changes name the file's own rows -------------------------------------------

# The scenario of portability_data.fill: changes [0] drop_option, [1] lower_topic_rating,
# [2] raise_competitor_strength, [3] cut_resource_amount, [4] lengthen_lead_time. The file has two topics
# and three options.
_CHANGES = ("scenarios", 0, "changes")


def _scenario_history_change(**values):
    """A mutation: the first scenario history record's first change gets these values."""

    def mutate(document):
        record = next(record for record in document["history"] if record["model"] == "scenarios")
        record["fields"]["changes"][0].update(values)

    return mutate


SCENARIO_CASES = [
    pytest.param(
        _scenario_history_change(option=999),
        r"history\[\d+\]\.fields\.changes\[0\]\.option: refers to options 999",
        id="history-missing",
    ),
    pytest.param(
        _scenario_history_change(kind="drop_everything"),
        r"history\[\d+\]\.fields\.changes\[0\]\.kind: not a kind",
        id="history-kind",
    ),
    pytest.param(
        _set((*_CHANGES, 1, "topic", 3)), r"scenarios\[0\]\.changes\[1\]\.topic: refers to topics 3", id="other-section"
    ),
    pytest.param(_set((*_CHANGES, 0, "option", 999)), r"changes\[0\]\.option: refers to options 999", id="missing"),
    pytest.param(_set((*_CHANGES, 4, "requirement", 0)), r"changes\[4\]\.requirement: refers to", id="zero"),
    pytest.param(_set((*_CHANGES, 2, "competitor", None)), r"changes\[2\]\.competitor: a reference is", id="null"),
    pytest.param(_set((*_CHANGES, 3, "resource", "1")), r"changes\[3\]\.resource: expected whole number", id="str"),
    pytest.param(_set((*_CHANGES, 1, "topic", True)), r"changes\[1\]\.topic: expected whole number", id="bool"),
    pytest.param(_set((*_CHANGES, 1, "topic", -(2**40))), r"changes\[1\]\.topic: refers to", id="huge-gone"),
    pytest.param(
        _set((*_CHANGES, [{"kind": "drop_topic", "topic": 1}] * 10_000)),
        r"scenarios\[0\]\.changes: at most 50 changes; this has 10000",
        id="ten-thousand",
    ),
    pytest.param(_set((*_CHANGES, [])), r"scenarios\[0\]\.changes: a scenario has at least one change", id="none"),
    pytest.param(_set((*_CHANGES, {"kind": "drop_topic"})), r"scenarios\[0\]\.changes: expected a list", id="obj"),
    pytest.param(_set((*_CHANGES, 0, "drop_option:1")), r"changes\[0\]: expected an object", id="token"),
    pytest.param(_set((*_CHANGES, 0, "kind", "delete_project")), r"changes\[0\]\.kind: not a kind", id="kind"),
    pytest.param(_set((*_CHANGES, 0, "kind", ["drop_option"])), r"changes\[0\]\.kind: not a kind", id="kind-list"),
    pytest.param(_delete(*_CHANGES, 0, "kind"), r"changes\[0\]\.kind: not a kind", id="no-kind"),
    pytest.param(_delete(*_CHANGES, 4, "weeks"), r"changes\[4\]\.weeks: this key is missing", id="missing-key"),
    pytest.param(_set((*_CHANGES, 0, "topic", 1)), r"changes\[0\]\.topic: this key is not part", id="extra-key"),
    pytest.param(_set((*_CHANGES, 4, "weeks", "soon")), r"changes\[4\]\.weeks: .*must be a whole number", id="wk"),
    pytest.param(_set((*_CHANGES, 3, "to", "lots")), r"changes\[3\]\.to: .*must be a number", id="amount"),
    pytest.param(_set((*_CHANGES, 3, "to", "Infinity")), r"changes\[3\]\.to: .*must be a number", id="inf"),
    pytest.param(_set((*_CHANGES, 3, "to", "9" * 5000)), r"changes\[3\]\.to: expected a number", id="long-text"),
    pytest.param(_set((*_CHANGES, 2, "to", [5])), r"changes\[2\]\.to: .*must be a whole number", id="to-list"),
    pytest.param(_set(("scenarios", 0, "name", "x" * 201)), r"scenarios\[0\]\.name: at most 200", id="name"),
    pytest.param(_set(("scenarios", 0, "created_by", 1)), r"scenarios\[0\]\.created_by: expected text", id="user"),
    pytest.param(_set(("scenarios", {})), r"scenarios: expected a list", id="section"),
]


@pytest.mark.parametrize("mutate, match", SCENARIO_CASES)
def test_scenarios_with_unresolvable_or_malformed_changes_are_refused(document, ingrid, mutate, match):
    mutate(document)
    refused(document, ingrid, match)


# --- content stays content ------------------------------------------------------------------------------


def test_markup_in_strings_is_stored_as_plain_text(document, ingrid):
    document["topics"][0]["title"] = '<script>alert("x")</script>'
    document["project"]["description"] = "<img src=x onerror=alert(1)>"
    imported = project_import(document=document, user=ingrid)
    assert imported.topics.filter(title='<script>alert("x")</script>').exists()
    assert imported.description == "<img src=x onerror=alert(1)>"


def test_nobody_to_be_consultant_is_refused(document):
    refused(document, None, "Nobody would be a consultant")


# --- fuzzing: whatever a file says, the answer is an import or a ProjectImportError ---------------------


def _leaves(value, path=()):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _leaves(item, (*path, key))
    elif isinstance(value, list):
        for n, item in enumerate(value):
            yield from _leaves(item, (*path, n))
    if path:
        yield path


JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**70), 2**70)
    | st.text(max_size=30)
    | st.sampled_from(["", "-1", "0", "6", "1e309", "2026-13-45", "NaN", "<b>x</b>", "draft", "approved", "network"]),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3),
    max_leaves=6,
)


@hypothesis.settings(
    max_examples=60, deadline=None, suppress_health_check=[hypothesis.HealthCheck.function_scoped_fixture]
)
@hypothesis.given(data=st.data())
def test_any_changed_value_gives_an_import_or_a_clear_error(document, ingrid, data):
    leaves = list(_leaves(document))
    changed = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(1, 3))):
        path = data.draw(st.sampled_from(leaves))
        target = changed
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = data.draw(JSON_VALUES)
        except (KeyError, IndexError, TypeError):
            continue  # an earlier change replaced the container
    before = row_counts()

    class Undo(Exception):
        pass

    try:
        with transaction.atomic():
            project_import(document=changed, user=ingrid)
            raise Undo
    except ProjectImportError:
        assert row_counts() == before
    except Undo:
        pass
