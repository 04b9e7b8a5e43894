"""Kept what-if scenarios travel in the project export (issue 17): their changes name the document's
own rows, and after an import the new project's rows, so the scenario tells the same story there."""

import json

import pytest

from strategies import models as m
from strategies.analysis.impact import DropTopic, RaiseCompetitorStrength, what_if
from strategies.exceptions import DomainError
from strategies.portability import document_json, project_export, project_import
from strategies.services.scenarios import scenario_changes, scenario_compare, scenario_discard, scenario_save

from .factories import (
    CompetitorFactory,
    OptionFactory,
    ProjectFactory,
    RequirementFactory,
    ResourceFactory,
    TopicFactory,
)
from .portability_data import fill, importer_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


@pytest.fixture
def filled(project, consultant, manager):
    # Another project's rows first, so this project's ids differ from the document's numbers (1, 2, ...)
    # and a change still naming an id would be noticed.
    other = ProjectFactory()
    for _ in range(3):
        option = OptionFactory(topic=TopicFactory(project=other))
        RequirementFactory(option=option)
        CompetitorFactory(project=other)
        ResourceFactory(project=other)
    return fill(project, consultant, manager)


def exported(project) -> dict:
    return json.loads(document_json(project_export(project=project)))


def without_ids(value):
    """An impact's figures without the rows' ids, which differ between two projects of the same content."""
    if isinstance(value, dict):
        return {key: without_ids(item) for key, item in value.items() if key != "id" and not key.endswith("_id")}
    if isinstance(value, list):
        return [without_ids(item) for item in value]
    return value


def figures(impact) -> dict:
    return without_ids({name: value for name, value in vars(impact).items() if name != "changes"})


def number_in(document: dict, section: str, **match) -> int:
    """The document-local id of the row of `section` whose fields match."""
    rows = [row for row in document[section] if all(row[key] == value for key, value in match.items())]
    assert len(rows) == 1, (section, match)
    return rows[0]["id"]


def test_the_export_names_a_scenarios_rows_by_the_documents_references(filled):
    document = exported(filled)
    [scenario] = document["scenarios"]
    assert scenario["name"] == "Without the booth"
    assert scenario["created_by"] == "alice"
    assert scenario["applied_by"] is None
    booth = number_in(document, "options", title="Booth live posts")
    careers = number_in(document, "topics", title="Careers")
    rival = number_in(document, "competitors", name="Rival AG")
    team = number_in(document, "resources", description="Editorial team")
    editor = number_in(document, "requirements", notes="Editor")
    assert scenario["changes"] == [
        {"kind": "drop_option", "option": booth},
        {"kind": "lower_topic_rating", "topic": careers, "priority": 2, "affinity": None},
        {"kind": "raise_competitor_strength", "competitor": rival, "topic": careers, "to": 5},
        {"kind": "cut_resource_amount", "resource": team, "to": "1.50"},
        {"kind": "lengthen_lead_time", "requirement": editor, "weeks": 6},
    ]


def test_an_imported_scenario_names_the_new_projects_rows_and_tells_the_same(filled):
    original = m.Scenario.objects.get(project=filled)
    before = what_if(filled, scenario_changes(original))

    imported = project_import(document=exported(filled), user=importer_user())

    scenario = m.Scenario.objects.get(project=imported)
    assert (scenario.name, scenario.created_by.username, scenario.created_at) == (
        original.name,
        "alice",
        original.created_at,
    )
    assert not scenario.is_applied
    changes = scenario_changes(scenario)
    assert [type(change) for change in changes] == [type(change) for change in scenario_changes(original)]
    assert changes[0].option == m.ActionOption.objects.get(topic__project=imported, title="Booth live posts").pk
    assert changes[1].topic == changes[2].topic == m.Topic.objects.get(project=imported, title="Careers").pk
    assert changes[2].competitor == m.Competitor.objects.get(project=imported, name="Rival AG").pk
    assert changes[3].resource == m.Resource.objects.get(project=imported, description="Editorial team").pk
    assert (
        changes[4].requirement == m.ResourceRequirement.objects.get(option__topic__project=imported, notes="Editor").pk
    )
    after = what_if(imported, changes)
    assert after.anything
    # The same figures, except that an approval decided in the first installation is imported history
    # here (importer.py), which what-if does not count as a version relying on the material.
    expected = figures(before)
    assert {v["status"] for v in expected["affected_versions"]} == {"approved", "draft"}
    expected["affected_versions"] = [v for v in expected["affected_versions"] if v["status"] == "draft"]
    assert figures(after) == expected
    assert figures(scenario_compare(scenario)) == expected


def test_a_scenario_naming_a_row_deleted_before_the_export_imports_and_still_names_no_row(filled, consultant):
    leaving = CompetitorFactory(project=filled, name="Gone GmbH")
    careers = m.Topic.objects.get(project=filled, title="Careers")
    scenario_save(
        project=filled,
        user=consultant,
        name="If Gone GmbH pushed",
        changes=[RaiseCompetitorStrength(leaving.pk, careers.pk, 5), DropTopic(careers.pk)],
    )
    leaving.delete()
    document = exported(filled)
    gone = next(s for s in document["scenarios"] if s["name"] == "If Gone GmbH pushed")
    assert gone["changes"][0]["competitor"] < 0

    imported = project_import(document=document, user=importer_user())

    kept = m.Scenario.objects.get(project=imported, name="If Gone GmbH pushed")
    assert kept.changes[0]["competitor"] < 0
    assert kept.changes[1]["topic"] == m.Topic.objects.get(project=imported, title="Careers").pk
    # As in the original project: the scenario no longer fits the material, which the page says.
    with pytest.raises(DomainError, match="competitor does not belong"):
        scenario_compare(kept)


def test_an_applied_scenario_keeps_who_applied_it_and_unknown_people_become_nobody(filled, manager):
    scenario = m.Scenario.objects.get(project=filled)
    document = exported(filled)
    document["scenarios"][0].update(applied_by="marc", applied_at="2026-11-30T10:00:00+00:00", created_by="nobody")

    imported = project_import(document=document, user=importer_user())

    copied = m.Scenario.objects.get(project=imported)
    assert copied.applied_by == manager and copied.is_applied
    assert copied.created_by is None
    assert copied.changes != scenario.changes  # the new project's rows


def test_a_file_written_before_scenarios_travelled_imports_without_any(filled):
    document = exported(filled)
    del document["scenarios"]
    # Nor had such a file the scenarios' history.
    document["history"] = [record for record in document["history"] if record["model"] != "scenarios"]

    imported = project_import(document=document, user=importer_user())

    assert imported.topics.count() == 2
    assert not m.Scenario.objects.filter(project=imported).exists()


def test_a_scenarios_history_travels_naming_the_new_rows_a_discarded_ones_under_a_gone_id(filled, consultant):
    careers = m.Topic.objects.get(project=filled, title="Careers")
    dropped = scenario_save(project=filled, user=consultant, name="No careers", changes=[DropTopic(careers.pk)])
    scenario_discard(scenario=dropped, user=consultant)
    document = exported(filled)
    records = [record for record in document["history"] if record["model"] == "scenarios"]
    kept = next(r for r in records if r["object"] > 0)
    assert kept["fields"]["changes"] == document["scenarios"][0]["changes"]
    assert [r["type"] for r in records if r["object"] < 0] == ["+", "-"]

    imported = project_import(document=document, user=importer_user())

    scenario = m.Scenario.objects.get(project=imported)
    [created] = scenario.history.all()
    assert created.history_user.username == "alice"
    assert created.changes == scenario.changes
    gone = m.Scenario.history.filter(project=imported).exclude(id=scenario.pk)
    assert [record.history_type for record in gone.order_by("history_date")] == ["+", "-"]
    new_careers = m.Topic.objects.get(project=imported, title="Careers").pk
    assert {record.changes[0]["topic"] for record in gone} == {new_careers}
    assert all(record.id < 0 for record in gone)
