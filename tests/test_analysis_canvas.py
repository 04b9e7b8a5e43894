"""analysis.canvas: the canvas blocks with their topics and what hangs off them."""

import pytest

from strategies.analysis.canvas import canvas_with_counts

from .factories import BenefitFactory, OptionFactory, TopicFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]


def test_canvas_counts_topics_benefits_and_options_per_block(project, django_assert_num_queries):
    topic = TopicFactory(project=project)
    BenefitFactory(topic=topic)
    OptionFactory(topic=topic)  # brings a second benefit
    TopicFactory(project=project, block=topic.block)
    with django_assert_num_queries(2):
        cells = canvas_with_counts(project)
    cell = next(c for c in cells if c["block"] == topic.block)
    assert (len(cell["topics"]), cell["benefit_count"], cell["option_count"]) == (2, 2, 1)
    assert sum(len(c["topics"]) for c in cells) == 2
