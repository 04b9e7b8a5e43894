"""The cached version comparison: fast when nothing changed, never stale when something did.

The comparison builds a draft's side live from the working material, so the
page is cached like the step pages (strategies/wizard/page_cache.py). Each
test here first has the page cached, then changes one thing the page shows
(material, a choice, a version's status or name, the catalogue, the people)
and sees it on the next request.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from competencies.models import ResourceType
from strategies.models import ActionOption, Decision, Kpi, Membership, Role, StrategyVersion
from strategies.services.approval import strategy_version_decide, strategy_version_submit
from strategies.services.versions import strategy_version_create, strategy_version_update, version_option_choose

from .factories import KpiFactory, OptionFactory, RequirementFactory, ResourceFactory, TopicFactory, catalogue

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def compare_url(project, **query):
    base = reverse("version_compare", args=[project.pk])
    return base + ("?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else "")


def diff_of(body: str) -> str:
    return body[body.index('class="version-diff"') :]


def _options(body: str) -> str:
    options = diff_of(body)
    return options[: options.index("Topics covered")]


def added_options(body: str) -> str:
    """The options only the later version holds."""
    options = _options(body)
    return options[options.index("diff-added") :]


def removed_options(body: str) -> str:
    """The options only the earlier version holds."""
    options = _options(body)
    return options[options.index("diff-removed") : options.index("diff-added")]


def version_choice(body: str, version) -> str:
    """The version's entry in the "later version" list (the second select)."""
    later = body[body.index('id="compare-new"') :]
    return re.search(rf'<option value="{version.pk}"[^>]*>[^<]*</option>', later).group(0)


@pytest.fixture
def versions(project, consultant, manager):
    """V1 approved (videos), V2 draft (videos, fair), and the spare option "faq" in neither."""
    budget = catalogue(ResourceType, "budget")
    topic = TopicFactory(project=project, title="Recruiting")
    options = {
        key: OptionFactory(topic=topic, title=title)
        for key, title in (
            ("videos", "Apprentice videos"),
            ("fair", "Virtual job fair"),
            ("faq", "FAQ clips"),
        )
    }
    ResourceFactory(project=project, resource_type=budget, amount=1000)
    for option, amount in zip(options.values(), (600, 900, 300), strict=True):
        RequirementFactory(option=option, resource_type=budget, amount=amount, lead_time_weeks=2)
    KpiFactory(benefit=options["fair"].benefit, metric="Applications per month", target=40)
    v1 = strategy_version_create(project=project, user=consultant, name="Start")
    version_option_choose(version=v1, user=consultant, option=options["videos"], included=True, reason="A")
    v1 = strategy_version_decide(
        version=strategy_version_submit(version=v1, user=consultant, notify=False),
        user=manager,
        decision=Decision.APPROVE,
        comment="Go.",
    )
    v2 = strategy_version_create(project=project, user=consultant, name="Grow")
    version_option_choose(version=v2, user=consultant, option=options["videos"], included=True, reason="A")
    version_option_choose(version=v2, user=consultant, option=options["fair"], included=True, reason="")
    return {"v1": v1, "v2": StrategyVersion.objects.get(pk=v2.pk), **options}


def test_an_unchanged_comparison_is_served_from_the_cache_with_few_queries(
    client_for, project, consultant, versions, django_assert_max_num_queries
):
    c = client_for(consultant)
    first = c.get(compare_url(project)).content.decode()
    with django_assert_max_num_queries(6):
        second = c.get(compare_url(project)).content.decode()
    assert "Virtual job fair" in added_options(second)
    token = re.compile(r"[A-Za-z0-9]{64}")  # the CSRF token, masked anew per response
    assert token.sub("", second) == token.sub("", first)


def test_a_cached_comparison_carries_a_csrf_token_that_the_next_post_passes_with(project, consultant, versions):
    c = Client(enforce_csrf_checks=True)
    c.force_login(consultant)
    c.get(compare_url(project))
    cached = c.get(compare_url(project)).content.decode()  # served from the cache
    assert "__pbsm_csrf_token__" not in cached
    token = cached.split('name="csrfmiddlewaretoken" value="')[1].split('"')[0]
    url = reverse("version_option", args=[project.pk, versions["v2"].pk, versions["faq"].pk])
    assert c.post(url, {"choice": "in", "reason": "", "csrfmiddlewaretoken": token}).status_code == 302
    assert c.post(url, {"choice": "in", "reason": "", "csrfmiddlewaretoken": "forged" * 8}).status_code == 403


@pytest.mark.parametrize(
    "change",
    ["choice", "option_title", "requirement", "kpi", "catalogue", "version_name", "new_version", "rename_project"],
)
def test_any_change_to_what_the_comparison_shows_renders_it_anew(client_for, project, consultant, versions, change):
    c = client_for(consultant)
    before = c.get(compare_url(project)).content.decode()
    assert "FAQ clips" not in before
    if change == "choice":
        version_option_choose(
            version=versions["v2"], user=consultant, option=versions["faq"], included=True, reason="Cheap"
        )
        assert "FAQ clips" in added_options(c.get(compare_url(project)).content.decode())
    elif change == "option_title":
        fair = ActionOption.objects.get(pk=versions["fair"].pk)
        fair.title = "Online job fair"
        fair.save()
        after = added_options(c.get(compare_url(project)).content.decode())
        assert "Online job fair" in after and "Virtual job fair" not in after
    elif change == "requirement":
        requirement = versions["fair"].requirements.get()
        requirement.amount = 1900
        requirement.save()
        row = diff_of(c.get(compare_url(project)).content.decode())
        row = row[row.index('class="resource-row') :]
        assert re.findall(r'<td class="text-end[^"]*">([^<]*)</td>', row[: row.index("</tr>")])[:3] == [
            "600",
            "2500",
            "+1900",
        ]
    elif change == "kpi":
        kpi = Kpi.objects.get(metric="Applications per month")
        kpi.metric = "Hires per quarter"
        kpi.save()
        after = diff_of(c.get(compare_url(project)).content.decode())
        assert "Hires per quarter" in after and "Applications per month" not in after
    elif change == "catalogue":
        budget = ResourceType.objects.get(key="budget")
        budget.title = "Money (renamed)"
        budget.save()
        assert "Money (renamed)" in diff_of(c.get(compare_url(project)).content.decode())
    elif change == "version_name":
        strategy_version_update(version=versions["v2"], user=consultant, name="Grow further")
        assert "V2 Grow further" in c.get(compare_url(project)).content.decode()
    elif change == "new_version":
        v3 = strategy_version_create(project=project, user=consultant, name="Third")
        version_option_choose(version=v3, user=consultant, option=versions["faq"], included=True, reason="")
        after = c.get(compare_url(project)).content.decode()
        assert re.search(rf'<option value="{v3.pk}" selected>V3 Third', after)
        assert "FAQ clips" in added_options(after)
    else:
        project.title = "Renamed project"
        project.save()
        assert "Renamed project" in c.get(compare_url(project)).content.decode()


def test_a_changed_status_shows_at_once_and_moves_the_default_base(client_for, project, consultant, manager, versions):
    v1, v2 = versions["v1"], versions["v2"]
    c = client_for(consultant)
    assert "Draft" in version_choice(c.get(compare_url(project)).content.decode(), v2)
    v2 = strategy_version_submit(version=v2, user=consultant, notify=False)
    assert "Submitted" in version_choice(c.get(compare_url(project)).content.decode(), v2)
    v2 = strategy_version_decide(version=v2, user=manager, decision=Decision.REJECT, comment="Not yet.")
    assert "Rejected" in version_choice(c.get(compare_url(project)).content.decode(), v2)
    v3 = strategy_version_create(project=project, user=consultant, name="Third", based_on=v1)
    version_option_choose(version=v3, user=consultant, option=versions["fair"], included=True, reason="")
    v3 = strategy_version_decide(
        version=strategy_version_submit(version=v3, user=consultant, notify=False),
        user=manager,
        decision=Decision.APPROVE,
        comment="Go.",
    )
    v4 = strategy_version_create(project=project, user=consultant, name="Fourth", based_on=v3)
    body = c.get(compare_url(project)).content.decode()
    # V3 is now the one in force: the default base, with V1 superseded.
    assert re.search(rf'<option value="{v3.pk}" selected>V3 Third', body)
    assert re.search(rf'<option value="{v4.pk}" selected>V4 Fourth', body)
    assert "Superseded" in version_choice(body, v1)


def test_each_choice_of_versions_gets_its_own_comparison(client_for, project, consultant, versions):
    v1, v2 = versions["v1"], versions["v2"]
    c = client_for(consultant)
    default = c.get(compare_url(project)).content.decode()
    reverse_pair = c.get(compare_url(project, old=v2.pk, new=v1.pk)).content.decode()
    same = c.get(compare_url(project, old=v1.pk, new=v1.pk)).content.decode()
    assert "Virtual job fair" in added_options(default)
    assert "Virtual job fair" not in added_options(reverse_pair)
    assert "Virtual job fair" in removed_options(reverse_pair)
    assert "You chose the same version twice" in same
    again = c.get(compare_url(project, old=v2.pk, new=v1.pk)).content.decode()  # from the cache
    assert "Virtual job fair" in removed_options(again) and "Virtual job fair" not in added_options(again)


def test_comparisons_are_cached_per_user_and_language(client_for, project, consultant, viewer, versions):
    client_for(consultant).get(compare_url(project))
    page = client_for(viewer).get(compare_url(project)).content.decode()
    assert viewer.get_full_name() in page and consultant.get_full_name() not in page
    german = Client()
    german.force_login(viewer)
    german.cookies["django_language"] = "de"
    assert '<html lang="de">' in german.get(compare_url(project)).content.decode()
    assert '<html lang="en">' in client_for(viewer).get(compare_url(project)).content.decode()


def test_a_removed_member_and_an_outsider_get_404_although_the_comparison_was_cached(
    client_for, project, viewer, outsider, versions
):
    c = client_for(viewer)
    assert c.get(compare_url(project)).status_code == 200
    assert client_for(outsider).get(compare_url(project)).status_code == 404
    Membership.objects.filter(project=project, user=viewer).delete()
    assert c.get(compare_url(project)).status_code == 404


def test_a_foreign_version_id_is_refused_although_the_comparison_was_cached(client_for, project, consultant, versions):
    c = client_for(consultant)
    v1 = versions["v1"]
    assert c.get(compare_url(project, old=v1.pk)).status_code == 200
    assert c.get(compare_url(project, old=v1.pk + 1000)).status_code == 404
    assert c.get(compare_url(project, old="abc")).status_code == 404


def test_a_changed_role_still_sees_the_comparison(client_for, project, viewer, versions):
    c = client_for(viewer)
    first = c.get(compare_url(project)).content.decode()
    Membership.objects.filter(project=project, user=viewer).update(role=Role.MANAGER)
    assert c.get(compare_url(project)).status_code == 200
    assert "Virtual job fair" in added_options(first)


def test_a_change_in_another_project_leaves_the_cached_comparison_a_hit(client_for, project, consultant, versions):
    """Many workshops at once: the other project's edits, choices and versions renew its own pages only."""
    from strategies.wizard import page_cache

    from .factories import MembershipFactory, ProjectFactory

    other = ProjectFactory()
    MembershipFactory(project=other, user=consultant, role=Role.CONSULTANT)
    c = client_for(consultant)
    c.get(compare_url(project))
    c.get(compare_url(other))
    theirs = OptionFactory(topic=TopicFactory(project=other), title="Their option")
    strategy_version_create(project=other, user=consultant, name="Theirs")
    page_cache.reset_stats()
    assert "Virtual job fair" in added_options(c.get(compare_url(project)).content.decode())
    assert page_cache.stats()["hits"] == 1
    version_option_choose(
        version=StrategyVersion.objects.get(project=other), user=consultant, option=theirs, included=True, reason=""
    )
    c.get(compare_url(project))
    assert page_cache.stats() == {"hits": 2, "misses": 0, "hit_rate": 1.0}
    c.get(compare_url(other))
    assert page_cache.stats()["misses"] == 1
