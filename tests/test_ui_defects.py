"""The UI defects of issue 12 (section 2) and the workshop polish (section 3), as the server sends them.

What only a browser shows (console errors, the move after the server's answer, the
fading badge, the length counter, targets of 24 px) is in tests/browser/test_ui_polish.py.
"""

import importlib
import inspect
import pkgutil
import re

import pytest
from django import forms
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse
from django.utils import translation

import strategies.forms
from competencies.models import AreaKey, CompetenceArea
from strategies.models import Competitor, CompetitorPresence, Milestone, Topic
from strategies.services.approval import strategy_version_submit
from strategies.services.versions import strategy_version_create, version_option_choose
from strategies.wizard.rows import ROW_KINDS

from .factories import (
    CompetitorFactory,
    KpiFactory,
    MilestoneFactory,
    OptionFactory,
    PresenceFactory,
    TopicFactory,
)
from .wizard_rows import HX, delete_url, edit_url, field_html, hx_add, hx_get, hx_post, move_url, new_url, step_url

pytestmark = pytest.mark.django_db

GERMAN = {"HTTP_ACCEPT_LANGUAGE": "de"}
HX_DE = {"HTTP_HX_REQUEST": "true", "HTTP_ACCEPT_LANGUAGE": "de"}


def german(user) -> Client:
    c = Client()
    c.force_login(user)
    c.cookies["django_language"] = "de"
    return c


def title_of(response) -> str:
    return re.search(r"<title>(.*?)</title>", response.content.decode(), re.S).group(1).strip()


# --- page titles ----------------------------------------------------------------------------


def test_every_kind_of_page_has_its_title_before_the_product_name(project, consultant):
    topic = TopicFactory(project=project, title="Fachkräfte")
    version = strategy_version_create(project=project, user=consultant, name="Fokus")
    c = german(consultant)
    with translation.override("de"):
        area = CompetenceArea.objects.get(key=AreaKey.BUSINESS_MODEL).title
    pages = {
        reverse("home"): "Ihre Projekte",
        reverse("project_detail", args=[project.pk]): project.title,
        step_url(project, AreaKey.BUSINESS_MODEL): f"{area} · {project.title}",
        edit_url(project, "topic", topic.pk): f"Thema · {project.title}",
        reverse("version_detail", args=[project.pk, version.pk]): f"V{version.number} Fokus · {project.title}",
        reverse("member_list", args=[project.pk]): f"Mitglieder · {project.title}",
    }
    for url, title in pages.items():
        assert title_of(c.get(url)) == f"{title} — pbsm workbench", url
    assert title_of(Client().get(reverse("login"), **GERMAN)) == "Anmelden — pbsm workbench"
    # A refusal page is titled too; nothing runs into the product name.
    assert title_of(c.get(step_url(project, "no-such-step"))).endswith(" — pbsm workbench")


# --- favicon -------------------------------------------------------------------------------


def test_the_favicon_is_served_and_linked(client, project, consultant):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response["Location"].endswith("favicon.ico")
    assert response["Location"].startswith("/static/")
    assert finders.find("favicon.ico") and finders.find("favicon.svg")
    page = german(consultant).get(reverse("home")).content.decode()
    assert re.search(r'<link rel="icon" href="/static/favicon\.svg"', page)


# --- labels in German -------------------------------------------------------------------------

# Words German takes over unchanged; every other label must differ between the languages.
SAME_IN_BOTH = {"Name", "Status", "Motivation", "Netiquette", "Monitoring", "None", "Format", "Quadrant"}


def _form_classes():
    for module_info in pkgutil.iter_modules(strategies.forms.__path__):
        module = importlib.import_module(f"strategies.forms.{module_info.name}")
        for _name, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, forms.BaseForm) and cls.__module__ == module.__name__:
                yield cls


def _labels(make_fields) -> dict[str, dict[str, str]]:
    labels = {}
    for language in ("de", "en"):
        with translation.override(language):
            labels[language] = {name: str(field.label) for name, field in make_fields().items()}
    return labels


def test_every_form_field_has_a_german_label(project):
    untranslated = []

    def check(owner, labels):
        untranslated.extend(
            f"{owner}.{name}: {en}"
            for name, en in labels["en"].items()
            if labels["de"][name] == en and en not in SAME_IN_BOTH
        )

    for cls in _form_classes():
        check(cls.__name__, _labels(lambda cls=cls: cls.base_fields))
    # The row forms as the steps show them: labels set in __init__ count as well.
    for kind in ROW_KINDS.values():
        instance = kind.new(project) if kind.can_add else None

        def fields(kind=kind, instance=instance):
            return kind.form_class(project=project, instance=instance).fields

        check(kind.name, _labels(fields))
    assert untranslated == []


def test_the_presence_form_names_the_competitor_in_german(client_for, project, consultant):
    competitor = CompetitorFactory(project=project)
    body = german(consultant).get(new_url(project, "presence", group=competitor.pk), **HX_DE).content.decode()
    assert re.search(r'<label\s+for="id_competitor"[^>]*>\s*Wettbewerber', body)
    assert "Competitor<" not in body


# --- invalid dates --------------------------------------------------------------------------


def milestone_data(**overrides):
    return {"title": "Kick-off", "owner": "Jana", "due_date": "", "status": "planned", "description": "", **overrides}


@pytest.mark.parametrize("typed", ["31.02.2026", "12.13.2026", "morgen", "2026-02-30"])
def test_an_invalid_milestone_date_is_refused_beside_the_field_and_kept(project, consultant, typed):
    response = hx_post(german(consultant), new_url(project, "milestone"), {**milestone_data(due_date=typed)})
    body = response.content.decode()
    assert response.status_code == 200
    due = field_html(body, "due_date")
    assert f'value="{typed}"' in due
    assert "Ungültiges Datum. Bitte im Format TT.MM.JJJJ eingeben." in due
    assert not Milestone.objects.exists()


def test_a_date_field_is_text_in_the_languages_format(project, consultant):
    milestone = MilestoneFactory(project=project, due_date="2026-12-31")
    body = hx_get(german(consultant), edit_url(project, "milestone", milestone.pk)).content.decode()
    assert re.search(r'type="text" name="due_date" value="31\.12\.2026"', body)
    assert 'placeholder="TT.MM.JJJJ"' in field_html(body, "due_date")
    # German dates and ISO dates are both read.
    for typed in ("01.04.2027", "2027-04-01"):
        data = milestone_data(due_date=typed, lock_version=milestone.lock_version)
        response = hx_post(german(consultant), edit_url(project, "milestone", milestone.pk), data)
        assert response.status_code == 200
        milestone.refresh_from_db()
        assert milestone.due_date.isoformat() == "2027-04-01"


def test_an_invalid_kpi_date_is_refused_beside_the_field(project, consultant):
    kpi = KpiFactory(benefit__topic__project=project)
    data = {
        "description": kpi.description,
        "metric": kpi.metric,
        "baseline": kpi.baseline,
        "target": kpi.target,
        "unit": kpi.unit,
        "owner": kpi.owner,
        "due_date": "30.02.2027",
        "benefit": kpi.benefit_id,
        "lock_version": kpi.lock_version,
    }
    body = hx_post(german(consultant), edit_url(project, "kpi", kpi.pk), data).content.decode()
    assert "Ungültiges Datum" in field_html(body, "due_date") and 'value="30.02.2027"' in body
    kpi.refresh_from_db()
    assert kpi.due_date != "2027-02-30"


# --- the path without script: add, edit, move and delete as links and forms ------------------


def test_row_actions_are_links_and_forms_that_work_without_script(project, consultant):
    topic = TopicFactory(project=project)
    page = german(consultant).get(step_url(project, AreaKey.BUSINESS_MODEL)).content.decode()
    base = f"{step_url(project, AreaKey.BUSINESS_MODEL)}rows/topic/{topic.pk}/"
    assert f'<a href="{base}edit/" data-act="edit"' in page
    assert f'<a href="{base}delete/" data-act="delete"' in page
    assert re.search(
        rf'<button type="submit" form="row-move" formaction="{base}move/" name="direction" value="up"', page
    )
    assert re.search(r'<form id="row-move" method="post" action="[^"]+" hidden><input type="hidden" name="csrf', page)
    assert re.search(
        rf'<a class="btn[^"]*" data-add href="{step_url(project, AreaKey.BUSINESS_MODEL)}rows/topic/new/', page
    )


def test_without_script_delete_asks_on_a_page_and_then_deletes(project, consultant):
    topic = TopicFactory(project=project, title="Messe-Nachlese")
    c = german(consultant)
    confirm = c.get(delete_url(project, "topic", topic.pk))
    body = confirm.content.decode()
    assert confirm.status_code == 200 and "Messe-Nachlese" in body
    assert f'action="{delete_url(project, "topic", topic.pk)}"' in body
    assert Topic.objects.filter(pk=topic.pk).exists()  # asking deletes nothing
    response = c.post(delete_url(project, "topic", topic.pk))
    assert response.status_code == 302 and response["Location"] == step_url(project, AreaKey.BUSINESS_MODEL)
    assert not Topic.objects.filter(pk=topic.pk).exists()


def test_without_script_a_move_reorders_and_returns_to_the_row(project, consultant):
    first, second = MilestoneFactory(project=project, order=0), MilestoneFactory(project=project, order=1)
    response = german(consultant).post(move_url(project, "milestone", second.pk), {"direction": "up"})
    assert response.status_code == 302 and response["Location"].endswith(f"#milestone-{second.pk}")
    assert list(Milestone.objects.order_by("order").values_list("pk", flat=True)) == [second.pk, first.pk]


def test_the_delete_confirmation_is_for_editors_only(client_for, project, consultant, manager, viewer, outsider):
    topic = TopicFactory(project=project)
    url = delete_url(project, "topic", topic.pk)
    assert client_for(manager).get(url).status_code == 403
    assert client_for(viewer).get(url).status_code == 403
    assert client_for(outsider).get(url).status_code == 404
    assert client_for(consultant).get(delete_url(project, "effect_rating", 1)).status_code == 404  # not deletable


# --- the competition grid follows the rows above it ---------------------------------------


def grid_oob(body: str) -> str:
    start = body.index('<div id="competition-grid" hx-swap-oob="true">')
    return body[start : body.index("</table>", start)]


def test_saving_a_presence_sends_the_updated_grid(client_for, project, consultant):
    topic = TopicFactory(project=project, title="Recruiting")
    competitor = CompetitorFactory(project=project, name="Rival AG")
    c = client_for(consultant)
    data = {"competitor": competitor.pk, "topic": topic.pk, "strength": 4, "standard_set": "", "expected_reaction": ""}
    body = hx_add(c, project, "presence", data, competitor.pk, competitor=competitor.pk).content.decode()
    assert re.search(
        rf'<tr id="grid-topic-{topic.pk}"><th scope="row" class="fw-normal">Recruiting</th><td[^>]*>4</td>',
        grid_oob(body),
    )
    assert '<p class="small mb-3" id="competition-summary" data-summary hx-swap-oob="true">' in body

    presence = CompetitorPresence.objects.get()
    data = {**data, "strength": 2, "lock_version": presence.lock_version}
    body = hx_post(c, edit_url(project, "presence", presence.pk), data).content.decode()
    assert re.search(rf'<tr id="grid-topic-{topic.pk}">.*?<td[^>]*>2</td>', grid_oob(body))

    body = hx_post(c, delete_url(project, "competitor", competitor.pk), {}).content.decode()
    assert '<div id="competition-grid" hx-swap-oob="true"></div>' in body  # no competitor left: no grid
    assert not Competitor.objects.exists()


def test_a_new_competitor_gets_its_column_in_the_grid(client_for, project, consultant):
    TopicFactory(project=project)
    PresenceFactory(competitor__project=project, competitor__name="First AG")
    data = {"name": "Second AG", "kind": "attention", "description": ""}
    body = hx_add(client_for(consultant), project, "competitor", data).content.decode()
    assert "Second AG</th>" in grid_oob(body)


def test_rows_of_other_steps_send_no_grid(client_for, project, consultant):
    body = hx_post(client_for(consultant), new_url(project, "milestone"), milestone_data()).content.decode()
    assert "competition-grid" not in body


# --- the version page, the badge -------------------------------------------------------------


def test_the_version_page_links_to_the_comparison_once(project, consultant):
    option = OptionFactory(topic__project=project)
    version = strategy_version_create(project=project, user=consultant, name="Fokus")
    url, compare = (
        reverse("version_detail", args=[project.pk, version.pk]),
        reverse("version_compare", args=[project.pk]),
    )
    assert german(consultant).get(url).content.decode().count(compare) == 1  # a draft: the button at the top
    version_option_choose(version=version, user=consultant, option=option, included=True, reason="")
    strategy_version_submit(version=version, user=consultant, notify=False)
    body = german(consultant).get(url).content.decode()
    assert body.count(compare) == 1  # submitted: beside the comparison shown below
    assert compare in body[body.index('<section id="comparison"') :]


def test_a_saved_row_is_announced_through_the_live_region(client_for, project, consultant):
    page = german(consultant).get(step_url(project, AreaKey.BUSINESS_MODEL)).content.decode()
    assert '<div id="live-status" class="visually-hidden" aria-live="polite" aria-atomic="true"></div>' in page
    body = hx_post(client_for(consultant), new_url(project, "milestone"), milestone_data()).content.decode()
    # The badge itself is no live region: arriving with new content, it would not be read out reliably.
    assert re.search(r'<span class="badge text-bg-success row-saved">', body)


def test_the_outsider_gets_no_delete_page(client_for, project, outsider):
    topic = TopicFactory(project=project)
    assert client_for(outsider).get(delete_url(project, "topic", topic.pk), **HX).status_code == 404
