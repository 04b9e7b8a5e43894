"""Steps that show one block at a time (Step.one_block_open): a closed block opens in place with
htmx (the step's body alone, the address pushed), or by a plain link without script."""

import pytest

from competencies.models import BusinessModelBlock
from strategies.wizard.steps import STEPS

from .factories import CompetitorFactory, KpiFactory, OptionFactory, ProjectFactory, RequirementFactory, TopicFactory
from .wizard_rows import HX, step_url

pytestmark = pytest.mark.django_db

ONE_BLOCK_STEPS = ["business_model", "action_options", "competition", "business_benefit", "resources", "implementation"]
# Opening a block in place: what htmx sends for a link aimed at the step's body.
OPEN_IN_PLACE = {**HX, "HTTP_HX_TARGET": "step-surface"}


def _row_id(key, option, requirement, kpi) -> str:
    """The DOM id of the one row each step shows for a block only while the block is open."""
    return {
        "business_model": f"topic-{option.topic_id}",
        "action_options": f"option-{option.pk}",
        "competition": f"grid-topic-{option.topic_id}",
        "business_benefit": f"benefit-{option.benefit_id}",
        "resources": f"requirement-{requirement.pk}",
        "implementation": f"kpi-{kpi.pk}",
    }[key]


@pytest.fixture
def two_blocks(project):
    """In each of the first two canvas blocks a topic with a benefit, an option, a requirement and a KPI;
    and a competitor, without whom the competition step shows no grid."""
    CompetitorFactory(project=project)
    rows = []
    for block in BusinessModelBlock.objects.active().order_by("order")[:2]:
        option = OptionFactory(topic=TopicFactory(project=project, block=block))
        rows.append((block, option, RequirementFactory(option=option), KpiFactory(benefit=option.benefit)))
    return rows


def test_every_step_that_opens_one_block_is_covered_here():
    assert sorted(key for key, step in STEPS.items() if step.one_block_open) == sorted(ONE_BLOCK_STEPS)


@pytest.mark.parametrize("key", ONE_BLOCK_STEPS)
def test_a_closed_block_opens_in_place_with_the_steps_body_alone(client_for, project, consultant, two_blocks, key):
    (first, *first_rows), (second, *second_rows) = two_blocks
    c = client_for(consultant)
    page = c.get(step_url(project, key)).content.decode()
    assert f'id="{_row_id(key, *first_rows)}"' in page and f'id="{_row_id(key, *second_rows)}"' not in page
    # The closed block's link: a plain link without script, an in-place swap with the address pushed with it.
    link = page.split('data-open-block="')[1:]
    link = next(part for part in link if f"open={second.pk}" in part.split(">")[0]).split(">")[0]
    assert f'href="?open={second.pk}#' in link
    assert f'hx-get="?open={second.pk}"' in link and 'hx-target="#step-surface"' in link
    assert 'hx-push-url="true"' in link

    response = c.get(step_url(project, key), {"open": second.pk}, **OPEN_IN_PLACE)
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="step-surface"' not in body and 'id="progress"' not in body
    assert f'id="{_row_id(key, *second_rows)}"' in body and f'id="{_row_id(key, *first_rows)}"' not in body
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize("key", ONE_BLOCK_STEPS)
def test_workshop_mode_stays_on_when_a_block_opens(client_for, project, consultant, two_blocks, key):
    second = two_blocks[1][0]
    page = client_for(consultant).get(step_url(project, key), {"workshop": "1"}).content.decode()
    assert f'hx-get="?workshop=1&amp;open={second.pk}"' in page
    assert f'href="?workshop=1&amp;open={second.pk}#' in page


@pytest.mark.parametrize("key", ["business_model", "resources"])
def test_other_htmx_requests_and_history_restores_get_the_whole_page(client_for, project, consultant, key):
    c = client_for(consultant)
    restore = c.get(step_url(project, key), **OPEN_IN_PLACE, HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    # The resources step's balance asks for the page by hx-select, aimed at itself.
    balance = c.get(step_url(project, key), **HX, HTTP_HX_TARGET="resource-balance")
    for response in (restore, balance):
        assert response.status_code == 200 and 'id="step-surface"' in response.content.decode()


def test_the_cached_body_and_the_cached_page_stay_apart(client_for, project, consultant, two_blocks):
    second = two_blocks[1][0]
    c = client_for(consultant)
    for _ in range(2):  # the second round comes from the page cache
        body = c.get(step_url(project, "business_model"), {"open": second.pk}, **OPEN_IN_PLACE).content.decode()
        page = c.get(step_url(project, "business_model"), {"open": second.pk}).content.decode()
        assert "<html" not in body and "<html" in page
        assert "pbsm-csrf-token" not in body + page


@pytest.mark.parametrize("key", ONE_BLOCK_STEPS)
def test_an_outsider_cannot_open_a_block_in_place(client_for, project, outsider, two_blocks, key):
    second = two_blocks[1][0]
    response = client_for(outsider).get(step_url(project, key), {"open": second.pk}, **OPEN_IN_PLACE)
    assert response.status_code == 404


@pytest.mark.parametrize("key", ONE_BLOCK_STEPS)
def test_a_block_only_another_project_uses_opens_the_first_block(client_for, project, consultant, two_blocks, key):
    first_rows = two_blocks[0][1:]
    elsewhere = BusinessModelBlock.objects.active().order_by("order").last()
    OptionFactory(topic=TopicFactory(project=ProjectFactory(), block=elsewhere))
    inactive = BusinessModelBlock.objects.active().order_by("order").first()
    inactive.pk = None  # a copy, switched off: no step shows it
    inactive.key, inactive.is_active = "retired", False
    inactive.save()
    c = client_for(consultant)
    for asked in (elsewhere.pk, inactive.pk, "x", "-1", "9" * 40, ""):
        for extra in ({}, OPEN_IN_PLACE):
            response = c.get(step_url(project, key), {"open": asked}, **extra)
            if key == "business_model" and asked == elsewhere.pk:
                continue  # the canvas shows all nine blocks, used or not
            assert response.status_code == 200
            assert f'id="{_row_id(key, *first_rows)}"' in response.content.decode()


@pytest.mark.parametrize(
    "key, anchor",
    [("action_options", "options-topic-"), ("business_benefit", "benefits-topic-"), ("implementation", "kpis-topic-")],
)
def test_a_closed_topic_of_the_open_block_opens_in_place_too(client_for, project, consultant, key, anchor):
    block = BusinessModelBlock.objects.active().order_by("order").first()
    first, second = (OptionFactory(topic=TopicFactory(project=project, block=block, order=n)) for n in (1, 2))
    KpiFactory(benefit=first.benefit)
    KpiFactory(benefit=second.benefit)
    c = client_for(consultant)
    page = c.get(step_url(project, key)).content.decode()
    closed = next(t for t in (first.topic, second.topic) if f'id="{anchor}{t.pk}" data-closed-topic' in page)
    query = f"open={block.pk}&amp;topic={closed.pk}"
    link = page.split(f'data-open-block="{anchor}{closed.pk}"')[0].rsplit("<a ", 1)[1]
    assert f'href="?{query}#{anchor}{closed.pk}"' in link
    assert f'hx-get="?{query}"' in link and 'hx-target="#step-surface"' in link and 'hx-push-url="true"' in link

    response = c.get(step_url(project, key), {"open": block.pk, "topic": closed.pk}, **OPEN_IN_PLACE)
    body = response.content.decode()
    assert response.status_code == 200 and "<html" not in body
    assert f'id="{anchor}{closed.pk}" data-closed-topic' not in body
