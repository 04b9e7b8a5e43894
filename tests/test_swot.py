"""The SWOT drawn from the material (analysis/swot.py), its words and links, and the consultant's own notes."""

import pytest
from django.urls import reverse
from django.utils import translation

from competencies.models import ResourceType
from strategies.analysis.swot import QUADRANTS, SWOT_ITEM_KINDS, swot
from strategies.exceptions import DomainError
from strategies.models import CompetitorKind, SwotNote
from strategies.services.swot import swot_note_add, swot_note_change, swot_note_delete
from strategies.wizard.swot_panel import swot_message, swot_quadrants

from .factories import (
    BenefitFactory,
    CompetitorFactory,
    OptionFactory,
    PlatformFactory,
    PresenceFactory,
    ProjectFactory,
    RequirementFactory,
    ResourceFactory,
    TopicFactory,
)
from .wizard_rows import HX

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def _types():
    quantitative = ResourceType.objects.filter(kind=ResourceType.Kind.QUANTITATIVE).order_by("order").first()
    qualitative = ResourceType.objects.filter(kind=ResourceType.Kind.QUALITATIVE).order_by("order").first()
    return quantitative, qualitative


def _kinds(project):
    return {quadrant: [item.kind for item in items] for quadrant, items in swot(project).items()}


def _items(project, kind):
    return [item for items in swot(project).values() for item in items if item.kind == kind]


def test_an_empty_project_has_every_quadrant_and_nothing_in_it(project):
    assert swot(project) == {quadrant: [] for quadrant in QUADRANTS}


def test_focus_topic_whose_options_find_their_resources_is_a_strength(project):
    hours, _competence = _types()
    focus = TopicFactory(project=project, title="Recruiting", priority=5, social_media_affinity=4)
    RequirementFactory(option=OptionFactory(topic=focus), resource_type=hours, amount=5)
    ResourceFactory(project=project, resource_type=hours, amount=10)
    [item] = _items(project, "focus_topic_resourced")
    assert (item.quadrant, item.source_type, item.source_id, item.title) == (
        "strength",
        "topic",
        focus.pk,
        "Recruiting",
    )


def test_focus_topic_whose_resources_fall_short_is_no_strength(project):
    hours, _competence = _types()
    focus = TopicFactory(project=project, priority=5, social_media_affinity=5)
    RequirementFactory(option=OptionFactory(topic=focus), resource_type=hours, amount=50)
    ResourceFactory(project=project, resource_type=hours, amount=10)
    assert _items(project, "focus_topic_resourced") == []
    [short] = _items(project, "resource_shortfall")
    assert (short.quadrant, short.source_type, short.source_id, short.gap) == (
        "weakness",
        "resource_type",
        hours.pk,
        40,
    )


def test_competence_at_the_level_asked_is_a_strength(project):
    _hours, competence = _types()
    RequirementFactory(option=OptionFactory(topic__project=project), resource_type=competence, amount=3)
    ResourceFactory(project=project, resource_type=competence, amount=4)
    [item] = _items(project, "competence_in_place")
    assert (item.quadrant, item.source_id) == ("strength", competence.pk)


def test_missing_competence_is_a_weakness_of_its_own_kind(project):
    _hours, competence = _types()
    RequirementFactory(option=OptionFactory(topic__project=project), resource_type=competence, amount=4)
    ResourceFactory(project=project, resource_type=competence, amount=2)
    [item] = _items(project, "competence_missing")
    assert (item.quadrant, item.source_id, item.gap) == ("weakness", competence.pk, 2)
    assert _items(project, "resource_shortfall") == []


def test_benefit_no_option_realises_is_a_weakness_linked_to_the_benefit(project):
    lonely = BenefitFactory(topic=TopicFactory(project=project, title="Service"), title="Fewer calls")
    [item] = _items(project, "benefit_without_option")
    assert (item.quadrant, item.source_type, item.source_id, item.parent) == (
        "weakness",
        "benefit",
        lonely.pk,
        "Service",
    )


def test_high_affinity_topic_without_option_is_an_opportunity(project):
    open_topic = TopicFactory(project=project, priority=2, social_media_affinity=5)
    TopicFactory(project=project, priority=2, social_media_affinity=3)  # no special affinity: nothing
    [item] = _items(project, "affinity_topic_without_option")
    assert (item.quadrant, item.source_id) == ("opportunity", open_topic.pk)


def test_high_affinity_topic_with_only_weak_competition_is_an_opportunity(project):
    weakly_held = TopicFactory(project=project, social_media_affinity=4)
    OptionFactory(topic=weakly_held)
    PresenceFactory(competitor=CompetitorFactory(project=project), topic=weakly_held, strength=2)
    strongly_held = TopicFactory(project=project, social_media_affinity=4)
    OptionFactory(topic=strongly_held)
    PresenceFactory(competitor=CompetitorFactory(project=project), topic=strongly_held, strength=2)
    PresenceFactory(competitor=CompetitorFactory(project=project), topic=strongly_held, strength=4)
    [item] = _items(project, "weak_competition")
    assert (item.quadrant, item.source_id, item.strength) == ("opportunity", weakly_held.pk, 2)


def test_strong_attention_competitor_on_a_priority_topic_is_a_threat(project):
    priority = TopicFactory(project=project, title="Products", priority=5)
    minor = TopicFactory(project=project, priority=2)
    cats = CompetitorFactory(project=project, name="Cat videos", kind=CompetitorKind.ATTENTION)
    PresenceFactory(competitor=cats, topic=priority, strength=5)
    PresenceFactory(competitor=cats, topic=minor, strength=5)  # a minor topic: no threat
    rival = CompetitorFactory(project=project, kind=CompetitorKind.PERFORMANCE)
    PresenceFactory(competitor=rival, topic=priority, strength=5)  # not an attention competitor
    [item] = _items(project, "strong_attention_competitor")
    assert (item.quadrant, item.source_type, item.source_id) == ("threat", "competitor", cats.pk)
    assert (item.title, item.parent, item.strength) == ("Cat videos", "Products", 5)


def test_platform_risk_without_mitigation_is_a_threat(project):
    open_risk = PlatformFactory(project=project, risks="Shitstorms", mitigation=" ")
    PlatformFactory(project=project, risks="Data loss", mitigation="Backups")
    PlatformFactory(project=project, risks="")
    [item] = _items(project, "platform_risk")
    assert (item.quadrant, item.source_type, item.source_id) == ("threat", "platform", open_risk.pk)


def test_another_projects_material_never_reaches_the_swot(project):
    TopicFactory(social_media_affinity=5)  # another project
    PlatformFactory(risks="Elsewhere")
    assert swot(project) == {quadrant: [] for quadrant in QUADRANTS}


def test_swot_runs_a_fixed_number_of_queries_whatever_the_size(project, django_assert_max_num_queries):
    def grow(n):
        for i in range(n):
            topic = TopicFactory(project=project, priority=5, social_media_affinity=1 + i % 5)
            RequirementFactory(option=OptionFactory(topic=topic))
            PresenceFactory(competitor=CompetitorFactory(project=project, kind=CompetitorKind.ATTENTION), topic=topic)
            PlatformFactory(project=project, risks="Risk")

    grow(2)
    with django_assert_max_num_queries(50) as small:
        swot(project)
    grow(8)
    with django_assert_max_num_queries(len(small.captured_queries)):
        swot(project)


def test_every_kind_has_a_sentence_and_a_link_to_its_source(project):
    from strategies.analysis.swot import SwotItem

    for kind in SWOT_ITEM_KINDS:
        assert swot_message(SwotItem(kind, "topic", 1, "T<b>", parent="P", strength=4)), kind
    topic = TopicFactory(project=project, title="Jobs", social_media_affinity=5)
    [opportunities] = [q for q in swot_quadrants(project, swot(project)) if q["key"] == "opportunity"]
    [entry] = opportunities["items"]
    assert entry["url"] == reverse("wizard_step", args=[project.pk, "business_model"]) + f"#topic-{topic.pk}"
    assert "“Jobs” suits social media well" in entry["message"]


def test_consultant_adds_changes_and_removes_a_note_with_history(project, consultant):
    note = swot_note_add(project=project, user=consultant, quadrant="strength", text="  Strong brand  ")
    second = swot_note_add(project=project, user=consultant, quadrant="strength", text="Loyal fans")
    assert (note.text, note.order, second.order) == ("Strong brand", 0, 1)
    swot_note_change(note=note, user=consultant, text="Very strong brand")
    assert [h.text for h in note.history.order_by("history_date")] == ["Strong brand", "Very strong brand"]
    pk = note.pk
    swot_note_delete(note=note, user=consultant)
    assert list(SwotNote.objects.filter(project=project)) == [second]
    assert [h.history_type for h in SwotNote.history.filter(id=pk).order_by("history_date")] == ["+", "~", "-"]


@pytest.mark.parametrize("who", ["manager", "viewer"])
def test_only_consultants_add_notes(project, who, request):
    with pytest.raises(DomainError):
        swot_note_add(project=project, user=request.getfixturevalue(who), quadrant="threat", text="x")
    assert not SwotNote.objects.exists()


@pytest.mark.parametrize(
    ("quadrant", "text"), [("threat", "   "), ("threat", "x" * 501), ("weather", "Sunny"), ("", "No quadrant")]
)
def test_bad_notes_are_refused_and_change_nothing(project, consultant, quadrant, text):
    with pytest.raises(DomainError):
        swot_note_add(project=project, user=consultant, quadrant=quadrant, text=text)
    assert not SwotNote.objects.exists()


def test_overview_shows_the_swot_with_links_and_notes_as_text(project, viewer, client_for):
    TopicFactory(project=project, title="Jobs", social_media_affinity=5)
    SwotNote.objects.create(project=project, quadrant="threat", text="<script>alert(1)</script>")
    body = client_for(viewer).get(reverse("wizard_step", args=[project.pk, "overview"])).content.decode()
    assert "SWOT from the material" in body
    assert "suits social media well" in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body and "<script>alert(1)" not in body
    assert 'action="' + reverse("swot_note_add", args=[project.pk]) not in body  # viewers read only


def test_consultant_adds_a_note_inline_and_gets_the_panel_back(project, consultant, client_for):
    client = client_for(consultant)
    overview = client.get(reverse("wizard_step", args=[project.pk, "overview"])).content.decode()
    assert reverse("swot_note_add", args=[project.pk]) in overview
    response = client.post(
        reverse("swot_note_add", args=[project.pk]), {"quadrant": "threat", "text": "New rival"}, **HX
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="swot"' in body and "New rival" in body
    assert "<html" not in body
    # The cached overview shows the note at once.
    assert "New rival" in client.get(reverse("wizard_step", args=[project.pk, "overview"])).content.decode()


def test_refused_note_keeps_the_typed_text_beside_the_message(project, consultant, client_for):
    client = client_for(consultant)
    url = reverse("swot_note_add", args=[project.pk])
    response = client.post(url, {"quadrant": "weather", "text": "Keep me"}, **HX)
    body = response.content.decode()
    assert 'value="Keep me"' in body and "is-invalid" in body
    page = client.post(url, {"quadrant": "threat", "text": "y" * 501}).content.decode()
    assert "<html" in page and "y" * 501 in page and "swot-note-text-error" in page
    assert not SwotNote.objects.exists()


def test_note_added_without_script_leads_back_to_the_overview(project, consultant, client_for):
    response = client_for(consultant).post(
        reverse("swot_note_add", args=[project.pk]), {"quadrant": "strength", "text": "Brand"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("wizard_step", args=[project.pk, "overview"]) + "#swot"


def test_consultant_removes_a_note(project, consultant, client_for):
    note = swot_note_add(project=project, user=consultant, quadrant="strength", text="Gone soon")
    response = client_for(consultant).post(reverse("swot_note_delete", args=[project.pk, note.pk]), **HX)
    assert response.status_code == 200 and "Gone soon" not in response.content.decode()
    assert not SwotNote.objects.exists()


def test_outsider_gets_404_and_changes_nothing(project, consultant, outsider, client_for):
    note = swot_note_add(project=project, user=consultant, quadrant="strength", text="Mine")
    client = client_for(outsider)
    assert (
        client.post(reverse("swot_note_add", args=[project.pk]), {"quadrant": "threat", "text": "x"}).status_code == 404
    )
    assert client.post(reverse("swot_note_delete", args=[project.pk, note.pk])).status_code == 404
    assert client.get(reverse("wizard_step", args=[project.pk, "overview"])).status_code == 404
    assert list(SwotNote.objects.all()) == [note]


def test_overview_queries_stay_flat_as_the_swot_grows(project, consultant, client_for, django_assert_max_num_queries):
    client = client_for(consultant)
    url = reverse("wizard_step", args=[project.pk, "overview"])

    def grow(n):
        for i in range(n):
            topic = TopicFactory(project=project, priority=5, social_media_affinity=1 + i % 5)
            RequirementFactory(option=OptionFactory(topic=topic))
            PresenceFactory(competitor=CompetitorFactory(project=project, kind=CompetitorKind.ATTENTION), topic=topic)
            PlatformFactory(project=project, risks="Risk")
            swot_note_add(project=project, user=consultant, quadrant="threat", text=f"Note {i}")

    grow(1)
    with django_assert_max_num_queries(60) as small:
        client.get(url, HTTP_CACHE_CONTROL="no-cache")
    grow(6)
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


def test_swot_words_are_in_german(project):
    with translation.override("de"):
        assert str(swot_quadrants(project, swot(project))[0]["label"]) == "Stärken"
        from strategies.analysis.swot import SwotItem

        assert "Fokusthema" in swot_message(SwotItem("focus_topic_resourced", "topic", 1, "Jobs"))


# --- export and import ---------------------------------------------------------------------------


def test_swot_notes_travel_with_the_project_and_their_history(project, consultant):
    from strategies.portability import project_export, project_import

    note = swot_note_add(project=project, user=consultant, quadrant="weakness", text="Slow approvals")
    swot_note_change(note=note, user=consultant, text="Slow approvals by legal")
    document = project_export(project=project)
    assert [(n["quadrant"], n["text"]) for n in document["swot_notes"]] == [("weakness", "Slow approvals by legal")]
    assert [r["type"] for r in document["history"] if r["model"] == "swot_notes"] == ["+", "~"]
    imported = project_import(document=document, user=consultant)
    [copy] = SwotNote.objects.filter(project=imported)
    assert (copy.quadrant, copy.text, copy.order) == ("weakness", "Slow approvals by legal", 0)
    assert copy.history.count() == 2


def test_an_export_from_before_swot_notes_still_imports(project, consultant):
    from strategies.portability import project_export, project_import

    document = project_export(project=project)
    del document["swot_notes"]
    imported = project_import(document=document, user=consultant)
    assert not SwotNote.objects.filter(project=imported).exists()


def test_an_imported_note_in_an_unknown_quadrant_is_refused(project, consultant):
    from strategies.portability import project_export, project_import

    swot_note_add(project=project, user=consultant, quadrant="threat", text="Rival")
    document = project_export(project=project)
    document["swot_notes"][0]["quadrant"] = "weather"
    with pytest.raises(DomainError):
        project_import(document=document, user=consultant)


# --- the SWOT's own page, and the version page that loads it ------------------------------------------


def test_swot_page_shows_the_swot_in_full_or_as_a_panel(project, viewer, client_for):
    TopicFactory(project=project, title="Jobs", social_media_affinity=5)
    client = client_for(viewer)
    url = reverse("swot_page", args=[project.pk])
    page = client.get(url).content.decode()
    assert "<html" in page and "suits social media well" in page
    panel = client.get(url, **HX).content.decode()
    assert "<html" not in panel and "suits social media well" in panel


def test_swot_in_a_version_is_read_only_even_for_consultants(project, consultant, version, client_for):
    swot_note_add(project=project, user=consultant, quadrant="threat", text="Rival")
    body = client_for(consultant).get(reverse("version_detail", args=[project.pk, version.pk])).content.decode()
    assert "Rival" in body  # a draft's content is read live: current
    assert reverse("swot_note_add", args=[project.pk]) not in body
    assert reverse("swot_note_delete", args=[project.pk, SwotNote.objects.get().pk]) not in body


def test_a_drafts_version_page_shows_its_live_swot_with_links(project, consultant, version, client_for):
    TopicFactory(project=project, title="Jobs", social_media_affinity=5)
    body = client_for(consultant).get(reverse("version_detail", args=[project.pk, version.pk])).content.decode()
    assert "“Jobs” suits social media well" in body
    assert reverse("wizard_step", args=[project.pk, "business_model"]) + "#topic-" in body  # "Go there"


def test_swot_page_hides_the_project_from_outsiders(project, outsider, client_for):
    assert client_for(outsider).get(reverse("swot_page", args=[project.pk])).status_code == 404


def test_swot_page_queries_stay_flat(project, consultant, client_for, django_assert_max_num_queries):
    client = client_for(consultant)
    url = reverse("swot_page", args=[project.pk])
    client.get(url)
    with django_assert_max_num_queries(20) as small:
        client.get(url)
    for i in range(6):
        topic = TopicFactory(project=project, priority=5, social_media_affinity=1 + i % 5)
        RequirementFactory(option=OptionFactory(topic=topic))
        PlatformFactory(project=project, risks="Risk")
        swot_note_add(project=project, user=consultant, quadrant="threat", text=f"Note {i}")
    with django_assert_max_num_queries(len(small.captured_queries)):
        client.get(url)


# --- the report --------------------------------------------------------------------------------------


def test_report_has_a_short_swot_section_with_notes_as_text(project, consultant, version):
    from strategies.reporting.render import report_html

    TopicFactory(project=project, title="Jobs", social_media_affinity=5)
    swot_note_add(project=project, user=consultant, quadrant="threat", text="<b>Rival</b>")
    html = report_html(version, "en")
    assert "SWOT from the material" in html
    assert "“Jobs” suits social media well" in html
    assert "&lt;b&gt;Rival&lt;/b&gt;" in html and "consultant's note" in html
    assert "not from the frozen version" not in html  # a draft is read live
    assert "SWOT aus dem Material" in report_html(version, "de")


def test_report_of_a_frozen_version_shows_the_swot_it_was_submitted_with(project, consultant, version):
    from strategies.reporting.render import report_html
    from strategies.services.approval import strategy_version_submit

    TopicFactory(project=project, title="Jobs", social_media_affinity=5)
    swot_note_add(project=project, user=consultant, quadrant="threat", text="Rival")
    strategy_version_submit(version=version, user=consultant, notify=False)
    version.refresh_from_db()
    TopicFactory(project=project, title="Later", social_media_affinity=5)
    SwotNote.objects.update(text="Changed since")
    html = report_html(version, "en")
    assert "“Jobs” suits social media well" in html and "Rival" in html
    assert "Later" not in html and "Changed since" not in html
    assert "Drawn from the working material" not in html


# --- a note reworded in place ---------------------------------------------------------------------------------


def edit_url(project, note):
    return reverse("swot_note_edit", args=[project.pk, note.pk])


def test_consultant_rewords_a_note_in_place_and_the_panel_comes_back(project, consultant, client_for):
    note = swot_note_add(project=project, user=consultant, quadrant="strength", text="Strong brand")
    client = client_for(consultant)

    form = client.get(edit_url(project, note), **HX).content.decode()
    saved = client.post(edit_url(project, note), {"text": "  Very strong brand ", "lock_version": "0"}, **HX)

    assert f'id="swot-note-{note.pk}"' in form and 'value="Strong brand"' in form and "<section" not in form
    assert saved.status_code == 200 and 'id="swot"' in saved.content.decode() and "HX-Retarget" not in saved
    assert "Very strong brand" in saved.content.decode()
    note.refresh_from_db()
    assert note.text == "Very strong brand"
    assert [h.text for h in note.history.order_by("history_date")] == ["Strong brand", "Very strong brand"]


def test_without_script_the_note_is_edited_on_the_swot_page_and_saving_leads_back_to_the_overview(
    project, consultant, client_for
):
    note = swot_note_add(project=project, user=consultant, quadrant="threat", text="New rival")
    other = swot_note_add(project=project, user=consultant, quadrant="threat", text="Rising costs")
    client = client_for(consultant)

    page = client.get(edit_url(project, note)).content.decode()
    response = client.post(edit_url(project, note), {"text": "New rival from Asia", "lock_version": "0"})

    assert "<html" in page and f'id="swot-note-{note.pk}-text"' in page and 'value="New rival"' in page
    assert "Rising costs" in page and f'id="swot-note-{other.pk}-text"' not in page
    assert response.status_code == 302
    assert response["Location"] == reverse("wizard_step", args=[project.pk, "overview"]) + "#swot"
    assert SwotNote.objects.get(pk=note.pk).text == "New rival from Asia"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"text": "   ", "lock_version": "0"}, "This field is required."),
        ({"text": "x" * 501, "lock_version": "0"}, "at most 500 characters"),
        ({"text": "Kept text", "lock_version": "abc"}, "Enter a whole number."),
        ({"text": "Kept text", "lock_version": str(2**40)}, "less than or equal to"),
        ({"text": "Kept text", "lock_version": "-1"}, "greater than or equal to 0"),
    ],
)
def test_bad_input_is_answered_beside_the_field_with_the_text_kept(project, consultant, client_for, data, message):
    note = swot_note_add(project=project, user=consultant, quadrant="strength", text="Strong brand")
    for extra in (HX, {}):
        response = client_for(consultant).post(edit_url(project, note), data, **extra)
        body = response.content.decode()
        assert response.status_code == 200 and message in body
        if data["text"].strip() and len(data["text"]) <= 500:
            assert 'value="Kept text"' in body
    assert SwotNote.objects.get(pk=note.pk).text == "Strong brand"


def test_a_colleagues_change_meanwhile_is_shown_and_the_next_save_replaces_it(project, consultant, client_for):
    note = swot_note_add(project=project, user=consultant, quadrant="strength", text="Strong brand")
    swot_note_change(note=SwotNote.objects.get(pk=note.pk), user=consultant, text="Colleague's wording")
    client = client_for(consultant)

    refused = client.post(edit_url(project, note), {"text": "My wording", "lock_version": "0"}, **HX)

    body = refused.content.decode()
    # Refused, the form replaces only itself (saved, the whole panel comes back).
    assert (refused["HX-Retarget"], refused["HX-Reswap"]) == (f"#swot-note-{note.pk}", "outerHTML")
    assert "A colleague changed this note meanwhile" in body and "Colleague" in body
    assert 'value="My wording"' in body and 'name="lock_version" value="1"' in body
    assert SwotNote.objects.get(pk=note.pk).text == "Colleague's wording"
    client.post(edit_url(project, note), {"text": "My wording", "lock_version": "1"}, **HX)
    assert SwotNote.objects.get(pk=note.pk).text == "My wording"


def test_a_note_removed_meanwhile_is_not_found_and_nothing_is_written(project, consultant, client_for):
    note = swot_note_add(project=project, user=consultant, quadrant="strength", text="Short-lived")
    pk = note.pk
    swot_note_delete(note=note, user=consultant)
    client = client_for(consultant)

    response = client.post(reverse("swot_note_edit", args=[project.pk, pk]), {"text": "x", "lock_version": "0"}, **HX)

    assert response.status_code == 404 and not SwotNote.objects.exists()
    assert client.get(reverse("swot_note_edit", args=[project.pk, pk])).status_code == 404


@pytest.mark.parametrize(("who", "status"), [("manager", 403), ("viewer", 403), ("outsider", 404)])
def test_only_consultants_reword_notes(project, consultant, client_for, request, who, status):
    note = swot_note_add(project=project, user=consultant, quadrant="strength", text="Mine")
    client = client_for(request.getfixturevalue(who))
    assert client.get(edit_url(project, note)).status_code == status
    assert client.post(edit_url(project, note), {"text": "Theirs", "lock_version": "0"}).status_code == status
    assert SwotNote.objects.get(pk=note.pk).text == "Mine"


def test_a_note_of_another_project_is_not_found(project, consultant, client_for):
    other = ProjectFactory()
    note = SwotNote.objects.create(project=other, quadrant="strength", text="Elsewhere")
    client = client_for(consultant)
    assert client.get(edit_url(project, note)).status_code == 404
    assert client.post(edit_url(project, note), {"text": "x", "lock_version": "0"}).status_code == 404
    assert SwotNote.objects.get(pk=note.pk).text == "Elsewhere"


def test_the_panel_offers_each_note_its_edit_link_only_to_those_who_may_edit(project, consultant, viewer, client_for):
    note = swot_note_add(project=project, user=consultant, quadrant="strength", text="Strong brand")
    overview = reverse("wizard_step", args=[project.pk, "overview"])
    assert edit_url(project, note) in client_for(consultant).get(overview).content.decode()
    assert edit_url(project, note) not in client_for(viewer).get(overview).content.decode()


def test_the_service_refuses_a_stale_rewording_and_one_of_a_note_removed_meanwhile(project, consultant):
    note = swot_note_add(project=project, user=consultant, quadrant="strength", text="First")
    swot_note_change(note=SwotNote.objects.get(pk=note.pk), user=consultant, text="Second")
    with pytest.raises(DomainError, match="it now reads: “Second”") as refused:
        swot_note_change(note=note, user=consultant, text="Third", lock_version=0)
    assert refused.value.field == "text"
    SwotNote.objects.filter(pk=note.pk).delete()
    with pytest.raises(DomainError, match="removed this note"):
        swot_note_change(note=note, user=consultant, text="Fourth", lock_version=1)
    assert not SwotNote.objects.exists()
