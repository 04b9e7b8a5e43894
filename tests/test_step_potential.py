"""Step 1, potential: rating effects and usage formats inline, the readiness stage, completeness."""

import dataclasses

import pytest

from competencies.models import AreaKey, Effect, UsageFormat
from strategies.models import EffectRelevance, ReadinessStage, StrategyProject, UsageFormatRelevance
from strategies.wizard.progress import step_completeness
from strategies.wizard.rows import ROW_KINDS

from .factories import ProjectFactory
from .wizard_rows import (
    HX,
    assert_only_consultants_change,
    assert_step_queries_do_not_grow,
    colleague_of,
    delete_url,
    detail_url,
    edit_url,
    hx_get,
    hx_post,
    lock_version_in,
    new_url,
    step_url,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

STEP = AreaKey.POTENTIAL


def potential(project):
    return step_completeness(StrategyProject.objects.get(pk=project.pk))[STEP]


def rate(project, entries, model=EffectRelevance, field="effect", relevance=4):
    for entry in entries:
        model.objects.create(project=project, relevance=relevance, **{field: entry})


def first_effect():
    return Effect.objects.active().order_by("order", "id").first()


# --- completeness ---------------------------------------------------------------


def test_potential_is_empty_for_a_new_project(project):
    assert potential(project) == 0


def test_potential_is_the_mean_of_readiness_and_the_rated_shares(project):
    effects = list(Effect.objects.active())
    formats = list(UsageFormat.objects.active())
    assert len(effects) >= 2 and len(formats) >= 2
    StrategyProject.objects.filter(pk=project.pk).update(readiness_stage=ReadinessStage.BOLT_ON)
    assert potential(project) == 33
    rate(project, effects[:1])
    assert potential(project) == round(100 * (1 + 1 / len(effects)) / 3)
    rate(project, effects[1:])
    assert potential(project) == 67
    rate(project, formats[:1], UsageFormatRelevance, "usage_format")
    assert potential(project) == round(100 * (1 + 1 + 1 / len(formats)) / 3)
    rate(project, formats[1:], UsageFormatRelevance, "usage_format")
    assert potential(project) == 100


def test_ratings_of_retired_catalogue_entries_do_not_count(project):
    effects = list(Effect.objects.active())
    rate(project, effects[:1])
    Effect.objects.filter(pk=effects[0].pk).update(is_active=False)
    assert potential(project) == 0
    rate(project, effects[1:])
    # Every active effect is rated: the retired one neither helps nor hurts.
    assert potential(project) == 33


def test_ratings_of_another_project_do_not_count(project):
    rate(ProjectFactory(), Effect.objects.active())
    assert potential(project) == 0


# --- the step page ----------------------------------------------------------------


def test_step_lists_every_active_entry_with_its_rating_or_not_rated(client_for, project, consultant):
    effects = list(Effect.objects.active())
    EffectRelevance.objects.create(project=project, effect=effects[0], relevance=5, notes="Our customers ask online")
    retired = UsageFormat.objects.active().last()
    UsageFormat.objects.filter(pk=retired.pk).update(is_active=False)
    body = client_for(consultant).get(step_url(project, STEP)).content.decode()
    for effect in effects:
        assert f'id="effect_rating-{effect.pk}"' in body
    for usage_format in UsageFormat.objects.active():
        assert f'id="format_rating-{usage_format.pk}"' in body
    assert f'id="format_rating-{retired.pk}"' not in body
    assert "5/5" in body and "Our customers ask online" in body
    assert body.count("not rated") == len(effects) - 1 + UsageFormat.objects.active().count()
    assert "<tr" not in body.split('id="step-surface"')[1].split("comments-heading")[0]
    # Rows are addressed by the catalogue entry, rated or not; the profile by the project.
    assert f'data-row="effect_rating/{effects[1].pk}"' in body
    assert f'data-row="potential_profile/{project.pk}"' in body
    assert "not assessed yet" in body


def test_manager_and_viewer_see_the_ratings_read_only(client_for, project, manager, viewer):
    rate(project, Effect.objects.active(), relevance=2)
    for user in (manager, viewer):
        body = client_for(user).get(step_url(project, STEP)).content.decode()
        assert "2/5" in body
        assert 'hx-post="' not in body and "data-row=" not in body and "data-add" not in body


def test_outsider_gets_404(client_for, project, outsider):
    c = client_for(outsider)
    assert c.get(step_url(project, STEP)).status_code == 404
    assert c.get(edit_url(project, "effect_rating", first_effect().pk), **HX).status_code == 404
    assert c.get(edit_url(project, "potential_profile", project.pk), **HX).status_code == 404


def test_only_consultants_change_ratings_and_the_profile(client_for, project, manager, viewer, outsider):
    users = {"manager": manager, "viewer": viewer, "outsider": outsider}
    rating = {"relevance": "5", "notes": "x"}
    assert_only_consultants_change(client_for, project, "effect_rating", first_effect().pk, rating, **users)
    usage_format = UsageFormat.objects.active().first()
    assert_only_consultants_change(client_for, project, "format_rating", usage_format.pk, rating, **users)
    profile = {"readiness_stage": ReadinessStage.BOLT_ON, "potential_notes": "x"}
    assert_only_consultants_change(client_for, project, "potential_profile", project.pk, profile, **users)
    assert not EffectRelevance.objects.exists() and not UsageFormatRelevance.objects.exists()
    assert StrategyProject.objects.get(pk=project.pk).readiness_stage == ""


def test_step_page_query_count_does_not_grow_with_the_catalogue(
    client_for, project, consultant, django_assert_max_num_queries
):
    def grow_the_catalogue():
        for n in range(15):
            effect = Effect.objects.create(key=f"extra-effect-{n}", order=100 + n, title=f"Extra effect {n}")
            usage_format = UsageFormat.objects.create(key=f"extra-format-{n}", order=100 + n, title=f"Extra format {n}")
            if n % 2:
                EffectRelevance.objects.create(project=project, effect=effect, relevance=3)
                UsageFormatRelevance.objects.create(project=project, usage_format=usage_format, relevance=3)

    rate(project, Effect.objects.active()[:1])
    response = assert_step_queries_do_not_grow(
        client_for(consultant),
        step_url(project, STEP),
        grow_the_catalogue,
        django_assert_max_num_queries,
    )
    body = response.content.decode()
    assert "Extra effect 14" in body and "Extra format 13" in body


# --- rating inline ------------------------------------------------------------------


def test_consultant_rates_an_effect_for_the_first_time(client_for, project, consultant):
    effect = first_effect()
    c = client_for(consultant)
    form = hx_get(c, edit_url(project, "effect_rating", effect.pk)).content.decode()
    assert 'name="relevance"' in form and 'name="notes"' in form
    assert lock_version_in(form) == ""  # not saved yet: the save creates it
    response = hx_post(
        c,
        edit_url(project, "effect_rating", effect.pk),
        {"relevance": "5", "notes": "Trade fair news", "lock_version": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200
    rating = EffectRelevance.objects.get(project=project, effect=effect)
    assert rating.relevance == 5 and rating.notes == "Trade fair news" and rating.lock_version == 0
    assert f'id="effect_rating-{effect.pk}"' in body and "5/5" in body and "Trade fair news" in body
    assert "row-saved" in body
    assert 'id="progress" hx-swap-oob="true"' in body  # the progress bar moves along


def test_consultant_changes_an_existing_rating(client_for, project, consultant):
    usage_format = UsageFormat.objects.active().first()
    rating = UsageFormatRelevance.objects.create(project=project, usage_format=usage_format, relevance=2)
    c = client_for(consultant)
    form = hx_get(c, edit_url(project, "format_rating", usage_format.pk)).content.decode()
    assert lock_version_in(form) == "0"
    response = hx_post(
        c,
        edit_url(project, "format_rating", usage_format.pk),
        {"relevance": "4", "notes": "Forum", "lock_version": "0"},
    )
    assert response.status_code == 200 and "4/5" in response.content.decode()
    rating.refresh_from_db()
    assert (rating.relevance, rating.notes, rating.lock_version) == (4, "Forum", 1)
    assert UsageFormatRelevance.objects.filter(project=project).count() == 1


def test_reading_a_rating_back_shows_not_rated_before_the_first_save(client_for, project, consultant):
    effect = first_effect()
    body = hx_get(client_for(consultant), detail_url(project, "effect_rating", effect.pk)).content.decode()
    assert f'id="effect_rating-{effect.pk}"' in body and "not rated" in body


def test_invalid_rating_keeps_the_typed_notes(client_for, project, consultant):
    effect = first_effect()
    response = hx_post(
        client_for(consultant),
        edit_url(project, "effect_rating", effect.pk),
        {"relevance": "9", "notes": "Typed in the workshop", "lock_version": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "is-invalid" in body and "Typed in the workshop" in body
    assert not EffectRelevance.objects.exists()


def test_ratings_cannot_be_added_deleted_or_reached_for_retired_entries(client_for, project, consultant):
    c = client_for(consultant)
    effect = first_effect()
    EffectRelevance.objects.create(project=project, effect=effect, relevance=3)
    assert c.post(delete_url(project, "effect_rating", effect.pk), **HX).status_code == 404
    assert c.get(new_url(project, "effect_rating"), **HX).status_code == 404
    assert c.post(new_url(project, "format_rating"), {"relevance": "3"}, **HX).status_code == 404
    assert c.get(edit_url(project, "effect_rating", "abc"), **HX).status_code == 404
    assert c.get(edit_url(project, "effect_rating", UsageFormat.objects.first().pk + 10_000), **HX).status_code == 404
    Effect.objects.filter(pk=effect.pk).update(is_active=False)
    response = c.post(edit_url(project, "effect_rating", effect.pk), {"relevance": "1", "lock_version": "0"}, **HX)
    assert response.status_code == 404
    assert EffectRelevance.objects.get(project=project, effect=effect).relevance == 3
    assert EffectRelevance.objects.count() == 1


def test_rating_twice_at_once_shows_the_colleagues_rating_and_keeps_the_typed_notes(client_for, project, consultant):
    effect = first_effect()
    url = edit_url(project, "effect_rating", effect.pk)
    alice, bob = client_for(consultant), client_for(colleague_of(project))
    # Both open the still unrated effect.
    assert lock_version_in(hx_get(alice, url).content.decode()) == ""
    assert lock_version_in(hx_get(bob, url).content.decode()) == ""
    assert (
        hx_post(alice, url, {"relevance": "5", "notes": "Alice: service news", "lock_version": ""}).status_code == 200
    )

    response = hx_post(bob, url, {"relevance": "2", "notes": "Bob: rarely relevant", "lock_version": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert "A colleague saved this entry" in body
    conflict = body.split('class="alert alert-warning"')[1].split("</div>")[0]
    assert "Alice: service news" in conflict and "very high" in conflict
    assert "Bob: rarely relevant" in body.split("</div>", 1)[1]  # still in the form
    assert lock_version_in(body) == "0"
    rating = EffectRelevance.objects.get(project=project, effect=effect)
    assert (rating.relevance, rating.notes) == (5, "Alice: service news")

    # Saving again from the version shown replaces the colleague's rating deliberately.
    response = hx_post(bob, url, {"relevance": "2", "notes": "Bob: rarely relevant", "lock_version": "0"})
    assert response.status_code == 200 and "A colleague saved" not in response.content.decode()
    rating.refresh_from_db()
    assert (rating.relevance, rating.notes, rating.lock_version) == (2, "Bob: rarely relevant", 1)


def test_colleague_creating_the_rating_between_lookup_and_insert_is_a_conflict(
    client_for, project, consultant, monkeypatch
):
    """The narrow race: the row did not exist when the save looked, but does when it inserts."""
    effect = first_effect()
    kind = ROW_KINDS["effect_rating"]
    looked_up = []

    def stale_lookup(kind_, project_, ident):
        looked_up.append(ident)
        if len(looked_up) == 1:
            # What the request saw a moment before the colleague's insert landed.
            return EffectRelevance(project=project_, effect=effect)
        return kind.lookup(kind_, project_, ident)

    monkeypatch.setitem(ROW_KINDS, "effect_rating", dataclasses.replace(kind, lookup=stale_lookup))
    EffectRelevance.objects.create(project=project, effect=effect, relevance=4, notes="Colleague's note")
    response = hx_post(
        client_for(consultant),
        edit_url(project, "effect_rating", effect.pk),
        {"relevance": "1", "notes": "My note", "lock_version": ""},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "A colleague saved this entry" in body and "Colleague&#x27;s note" in body and "My note" in body
    assert lock_version_in(body) == "0"
    assert EffectRelevance.objects.get().notes == "Colleague's note"


def test_stale_edit_of_a_rating_is_refused_with_the_current_values(client_for, project, consultant):
    effect = first_effect()
    url = edit_url(project, "effect_rating", effect.pk)
    rating = EffectRelevance.objects.create(project=project, effect=effect, relevance=3, notes="v0")
    alice, bob = client_for(consultant), client_for(colleague_of(project))
    assert hx_post(alice, url, {"relevance": "4", "notes": "Alice v1", "lock_version": "0"}).status_code == 200
    body = hx_post(bob, url, {"relevance": "1", "notes": "Bob from v0", "lock_version": "0"}).content.decode()
    assert "A colleague saved this entry" in body and "Alice v1" in body and "Bob from v0" in body
    assert lock_version_in(body) == "1"
    rating.refresh_from_db()
    assert rating.notes == "Alice v1"


# --- readiness stage ----------------------------------------------------------------


def test_consultant_sets_the_readiness_stage(client_for, project, consultant):
    c = client_for(consultant)
    url = edit_url(project, "potential_profile", project.pk)
    form = hx_get(c, url).content.decode()
    assert 'name="readiness_stage"' in form and 'name="potential_notes"' in form
    response = hx_post(
        c,
        url,
        {
            "readiness_stage": ReadinessStage.OPTIMISING_SOCIAL_MEDIA,
            "potential_notes": "Marketing runs three channels",
            "lock_version": lock_version_in(form),
        },
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert f'id="potential_profile-{project.pk}"' in body
    assert str(ReadinessStage.OPTIMISING_SOCIAL_MEDIA.label) in body and "Marketing runs three channels" in body
    saved = StrategyProject.objects.get(pk=project.pk)
    assert saved.readiness_stage == ReadinessStage.OPTIMISING_SOCIAL_MEDIA
    assert saved.potential_notes == "Marketing runs three channels"
    assert saved.title == project.title and saved.client_id == project.client_id
    assert potential(project) == 33


def test_readiness_stage_is_required_in_the_form(client_for, project, consultant):
    response = hx_post(
        client_for(consultant),
        edit_url(project, "potential_profile", project.pk),
        {"readiness_stage": "", "potential_notes": "Still unsure", "lock_version": "0"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and "is-invalid" in body and "Still unsure" in body
    assert StrategyProject.objects.get(pk=project.pk).potential_notes == ""


def test_unknown_readiness_stage_is_refused(client_for, project, consultant):
    response = hx_post(
        client_for(consultant),
        edit_url(project, "potential_profile", project.pk),
        {"readiness_stage": "everything_digital", "potential_notes": "", "lock_version": "0"},
    )
    assert response.status_code == 200 and "is-invalid" in response.content.decode()
    assert StrategyProject.objects.get(pk=project.pk).readiness_stage == ""


def test_profile_of_another_project_is_not_reachable(client_for, project, consultant):
    other = ProjectFactory()
    c = client_for(consultant)
    assert c.get(edit_url(project, "potential_profile", other.pk), **HX).status_code == 404
    response = c.post(
        edit_url(project, "potential_profile", other.pk),
        {"readiness_stage": ReadinessStage.BOLT_ON, "lock_version": "0"},
        **HX,
    )
    assert response.status_code == 404
    assert StrategyProject.objects.get(pk=other.pk).readiness_stage == ""
    assert c.post(delete_url(project, "potential_profile", project.pk), **HX).status_code == 404
    assert StrategyProject.objects.filter(pk=project.pk).exists()


def test_plain_post_without_htmx_redirects_back_to_the_step(client_for, project, consultant):
    effect = first_effect()
    response = client_for(consultant).post(
        edit_url(project, "effect_rating", effect.pk), {"relevance": "3", "notes": "", "lock_version": ""}
    )
    assert response.status_code == 302
    assert response["Location"] == f"{step_url(project, STEP)}#effect_rating-{effect.pk}"
    assert EffectRelevance.objects.filter(project=project, effect=effect).exists()


def test_saving_the_readiness_stage_moves_the_progress_bar_it_sends(client_for, project, consultant):
    rate(project, Effect.objects.active())
    rate(project, UsageFormat.objects.active(), UsageFormatRelevance, "usage_format")
    data = {"readiness_stage": ReadinessStage.OPTIMISING_SOCIAL_MEDIA, "lock_version": project.lock_version}
    response = hx_post(client_for(consultant), edit_url(project, "potential_profile", project.pk), data)
    step_list = response.content.decode().split('id="step-list"')[1]
    potential_badge = step_list.split(f"/workshop/{STEP}/")[1].split("</li>")[0]
    assert "100 %" in potential_badge
