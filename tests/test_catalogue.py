"""The default catalogue that the data migration ships, its loader command and its admin."""

import datetime
from io import StringIO
from itertools import product

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.test import RequestFactory
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import override

from competencies.catalogue import read_catalogue
from competencies.models import (
    AreaKey,
    BenefitType,
    BusinessModelBlock,
    CompetenceArea,
    Effect,
    GuidingQuestion,
    ResourceType,
    UsageFormat,
)
from strategies import models as m

from .factories import (
    KpiFactory,
    MembershipFactory,
    MilestoneFactory,
    OptionFactory,
    PlatformFactory,
    PresenceFactory,
    RequirementFactory,
    ResourceFactory,
    VersionFactory,
)

pytestmark = pytest.mark.django_db

PBSM_ORDER = [
    "potential",
    "business_model",
    "action_options",
    "competition",
    "business_benefit",
    "overview",
    "method",
    "resources",
    "implementation",
]
CANVAS_COLUMNS = 10
CANVAS_ROWS = 3
AREA_TEXT_FIELDS = ("title", "summary", "why_it_matters", "competence_required")
CATALOGUE_MODELS = (CompetenceArea, GuidingQuestion, BusinessModelBlock, UsageFormat, Effect, BenefitType, ResourceType)


def catalogue_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in CATALOGUE_MODELS}


# --- areas and guiding questions -------------------------------------------------


def test_default_catalogue_has_exactly_the_nine_pbsm_areas_in_method_order():
    areas = list(CompetenceArea.objects.active())
    assert [area.key for area in areas] == PBSM_ORDER
    assert CompetenceArea.objects.count() == 9


def test_area_keys_cover_every_area_key_choice():
    assert set(CompetenceArea.objects.values_list("key", flat=True)) == set(AreaKey.values)


def test_area_order_is_strictly_increasing():
    orders = list(CompetenceArea.objects.active().values_list("order", flat=True))
    assert all(earlier < later for earlier, later in zip(orders, orders[1:], strict=False))
    assert len(set(orders)) == len(orders)


def test_every_area_has_at_least_four_active_guiding_questions():
    for area in CompetenceArea.objects.active():
        assert area.questions.active().count() >= 4, area.key


@pytest.mark.parametrize("field", AREA_TEXT_FIELDS)
def test_every_area_text_exists_in_german_and_english_and_they_differ(field):
    for area in CompetenceArea.objects.all():
        german = getattr(area, f"{field}_de")
        english = getattr(area, f"{field}_en")
        assert german and german.strip(), (area.key, field)
        assert english and english.strip(), (area.key, field)
        assert german != english, (area.key, field)


@pytest.mark.parametrize("field", AREA_TEXT_FIELDS)
def test_area_text_follows_the_active_language(field):
    for area in CompetenceArea.objects.all():
        with override("en"):
            assert getattr(area, field) == getattr(area, f"{field}_en")
        with override("de"):
            assert getattr(area, field) == getattr(area, f"{field}_de")


def test_every_guiding_question_exists_in_german_and_english_and_they_differ():
    questions = list(GuidingQuestion.objects.all())
    assert questions
    for question in questions:
        assert question.text_de and question.text_de.strip(), question.pk
        assert question.text_en and question.text_en.strip(), question.pk
        assert question.text_de != question.text_en, question.text_de
        with override("en"):
            assert question.text == question.text_en
        with override("de"):
            assert question.text == question.text_de


def test_english_titles_are_read_through_the_plain_field_when_english_is_active():
    area = CompetenceArea.objects.get(key="competition")
    with override("en"):
        english = CompetenceArea.objects.get(key="competition").title
    with override("de"):
        german = CompetenceArea.objects.get(key="competition").title
    assert english == area.title_en
    assert german == area.title_de
    assert english != german


def test_migrated_questions_match_the_shipped_catalogue_file():
    shipped = {area["key"]: [q["text_en"] for q in area["questions"]] for area in read_catalogue()["areas"]}
    for area in CompetenceArea.objects.all():
        assert list(area.questions.order_by("order", "id").values_list("text_en", flat=True)) == shipped[area.key]


# --- business model canvas ---------------------------------------------------------


def _cells(block) -> set[tuple[int, int]]:
    columns = range(block.grid_column, block.grid_column + block.column_span)
    rows = range(block.grid_row, block.grid_row + block.row_span)
    return set(product(columns, rows))


def test_there_are_nine_active_canvas_blocks():
    assert BusinessModelBlock.objects.active().count() == 9


def test_every_canvas_block_lies_inside_the_10_by_3_canvas():
    for block in BusinessModelBlock.objects.all():
        for column, row in _cells(block):
            assert 1 <= column <= CANVAS_COLUMNS, block.key
            assert 1 <= row <= CANVAS_ROWS, block.key


def test_canvas_blocks_do_not_overlap():
    taken: dict[tuple[int, int], str] = {}
    for block in BusinessModelBlock.objects.all():
        for cell in _cells(block):
            assert cell not in taken, f"{block.key} overlaps {taken.get(cell)} at {cell}"
            taken[cell] = block.key


def test_canvas_blocks_fill_the_whole_canvas():
    covered = set().union(*(_cells(block) for block in BusinessModelBlock.objects.all()))
    assert covered == set(product(range(1, CANVAS_COLUMNS + 1), range(1, CANVAS_ROWS + 1)))


def test_canvas_block_titles_are_translated():
    for block in BusinessModelBlock.objects.all():
        assert block.title_de and block.title_en, block.key


# --- the smaller catalogues ------------------------------------------------------


def test_usage_formats_are_audience_network_and_community():
    assert list(UsageFormat.objects.active().values_list("key", flat=True)) == ["audience", "network", "community"]


def test_effects_are_information_dialogue_and_networking():
    assert list(Effect.objects.active().values_list("key", flat=True)) == ["information", "dialogue", "networking"]


def test_there_are_at_least_ten_benefit_types_with_both_languages():
    types = list(BenefitType.objects.active())
    assert len(types) >= 10
    for benefit_type in types:
        assert benefit_type.title_de and benefit_type.title_en, benefit_type.key


def test_there_are_at_least_eight_resource_types_of_both_kinds_with_units_in_both_languages():
    types = list(ResourceType.objects.active())
    assert len(types) >= 8
    assert {t.kind for t in types} == {ResourceType.Kind.QUALITATIVE, ResourceType.Kind.QUANTITATIVE}
    for resource_type in types:
        assert resource_type.unit_de and resource_type.unit_de.strip(), resource_type.key
        assert resource_type.unit_en and resource_type.unit_en.strip(), resource_type.key
        assert resource_type.title_de and resource_type.title_en, resource_type.key


# --- load_catalogue ----------------------------------------------------------------


def test_load_catalogue_twice_creates_nothing_new():
    before = catalogue_counts()
    call_command("load_catalogue", stdout=StringIO())
    call_command("load_catalogue", stdout=StringIO())
    assert catalogue_counts() == before


def test_load_catalogue_restores_a_deleted_row():
    BenefitType.objects.filter(key="lead_generation").delete()
    call_command("load_catalogue", stdout=StringIO())
    assert BenefitType.objects.filter(key="lead_generation").exists()


def test_load_catalogue_keeps_an_admins_edited_title():
    area = CompetenceArea.objects.get(key="potential")
    area.title_de = "Vom Admin geändert"
    area.title_en = "Changed by the admin"
    area.save()
    block = BusinessModelBlock.objects.get(key="channels")
    block.title_en = "Admin's channels"
    block.save()

    call_command("load_catalogue", stdout=StringIO())

    area.refresh_from_db()
    block.refresh_from_db()
    assert area.title_de == "Vom Admin geändert"
    assert area.title_en == "Changed by the admin"
    assert block.title_en == "Admin's channels"


def test_load_catalogue_with_overwrite_resets_edited_titles_to_the_shipped_words():
    shipped = next(a for a in read_catalogue()["areas"] if a["key"] == "potential")
    area = CompetenceArea.objects.get(key="potential")
    area.title_de = "Vom Admin geändert"
    area.title_en = "Changed by the admin"
    area.save()
    before = catalogue_counts()

    with override("de"):
        call_command("load_catalogue", "--overwrite", stdout=StringIO())

    area.refresh_from_db()
    assert area.title_de == shipped["title_de"]
    assert area.title_en == shipped["title_en"]
    assert catalogue_counts() == before


# --- active() ----------------------------------------------------------------------


def test_active_hides_deactivated_catalogue_rows():
    area = CompetenceArea.objects.get(key="overview")
    question = area.questions.first()
    fmt = UsageFormat.objects.get(key="community")
    CompetenceArea.objects.filter(pk=area.pk).update(is_active=False)
    GuidingQuestion.objects.filter(pk=question.pk).update(is_active=False)
    UsageFormat.objects.filter(pk=fmt.pk).update(is_active=False)

    assert area not in CompetenceArea.objects.active()
    assert question not in GuidingQuestion.objects.active()
    assert fmt not in UsageFormat.objects.active()
    assert CompetenceArea.objects.active().count() == 8
    # Deactivated, not deleted: the rows are still there for old projects.
    assert area in CompetenceArea.objects.all()
    assert fmt in UsageFormat.objects.all()


# --- admin smoke test ----------------------------------------------------------------

ADMIN_APPS = {"competencies", "strategies"}
REGISTERED = sorted(
    (model for model in admin.site._registry if model._meta.app_label in ADMIN_APPS),
    key=lambda model: model._meta.label,
)


def _changelist(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


@pytest.fixture
def populated_project(admin_user):
    """One row of every project model, so changelists render real rows."""
    option = OptionFactory()
    project = option.topic.project
    membership = MembershipFactory(project=project, user=admin_user)
    m.AccessChange.objects.create(
        project=project,
        actor=None,
        actor_name="",
        user=admin_user,
        user_name="Admin",
        action="added",
        new_role=membership.role,
    )
    PresenceFactory(topic=option.topic, competitor__project=project)
    RequirementFactory(option=option)
    ResourceFactory(project=project)
    kpi = KpiFactory(benefit=option.benefit)
    milestone = MilestoneFactory(project=project)
    PlatformFactory(project=project)
    version = VersionFactory(project=project, number=1)
    m.VersionOption.objects.create(version=version, option=option)
    approved = VersionFactory(project=project, number=2, status=m.VersionStatus.APPROVED, snapshot={"schema": 1})
    m.VersionDecision.objects.create(version=approved, actor=admin_user, actor_name="Admin", decision="approve")
    m.Report.objects.create(version=approved, language="de")
    m.ChecklistAnswer.objects.create(project=project, question=GuidingQuestion.objects.first(), done=True)
    m.StepComment.objects.create(project=project, area=CompetenceArea.objects.first(), author=admin_user, text="Hm")
    m.VersionComment.objects.create(version=version, author=admin_user, text="Looks right")
    m.EffectRelevance.objects.create(project=project, effect=Effect.objects.first())
    # Strategy management: its records, written here straight (their admins only show them).
    tracking = m.KpiTracking.objects.create(project=project, kpi_key=kpi.pk, owner=admin_user)
    m.CheckInReminder.objects.create(tracking=tracking, period_start=datetime.date(2026, 12, 1), recipient=admin_user)
    first = m.KpiCheckIn.objects.create(
        project=project, kpi_key=kpi.pk, version=approved, date=datetime.date(2026, 12, 1), value=12
    )
    m.KpiCheckIn.objects.create(
        project=project, kpi_key=kpi.pk, version=approved, date=datetime.date(2026, 12, 1), value=21, supersedes=first
    )
    m.MilestoneStatusChange.objects.create(
        project=project, milestone=milestone, from_status="planned", to_status="done", date=datetime.date(2026, 12, 1)
    )
    review = m.StrategyReview.objects.create(
        project=project, version=approved, date=datetime.date(2026, 12, 1), decision="adjust", successor=version
    )
    m.ReviewFinding.objects.create(review=review, kpi_key=kpi.pk, status="at_risk", text="Behind")
    return project


def test_every_model_of_both_apps_is_registered_in_the_admin():
    labels = {model._meta.label for model in REGISTERED}
    assert "competencies.CompetenceArea" in labels
    assert "strategies.StrategyVersion" in labels
    assert len(REGISTERED) >= 20


def test_admin_shows_the_competence_area_changelist(admin_client):
    response = admin_client.get(_changelist(CompetenceArea))
    assert response.status_code == 200
    assert escape(CompetenceArea.objects.get(key="potential").title_de) in response.content.decode()


def test_admin_change_page_of_an_area_shows_its_guiding_questions_inline(admin_client):
    area = CompetenceArea.objects.get(key="competition")
    question = area.questions.order_by("order").first()
    response = admin_client.get(reverse("admin:competencies_competencearea_change", args=[area.pk]))
    assert response.status_code == 200
    content = response.content.decode()
    assert escape(question.text_de) in content
    assert escape(question.text_en) in content


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_admin_changelist_answers_200(admin_client, populated_project, model):
    response = admin_client.get(_changelist(model))
    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_admin_change_page_of_an_existing_row_answers_200(admin_client, populated_project, model):
    obj = model.objects.order_by("pk").first()
    assert obj is not None, f"no {model._meta.label} row to open"
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[obj.pk])
    assert admin_client.get(url).status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_admin_add_page_answers_200_where_adding_is_allowed(admin_client, admin_user, model):
    request = RequestFactory().get("/")
    request.user = admin_user
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_add")
    response = admin_client.get(url)
    if admin.site._registry[model].has_add_permission(request):
        assert response.status_code == 200
    else:
        assert response.status_code == 403
