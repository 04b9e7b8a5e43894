"""Bugs the input fuzz (tests/test_fuzz_*.py) found, each pinned by a focused test."""

import pytest
from django.utils.html import escape

from competencies.models import BenefitType
from strategies.models import ActionOption

from .factories import BenefitFactory, OptionFactory, TopicFactory, catalogue
from .wizard_rows import edit_url, hx_post

pytestmark = pytest.mark.django_db


def _benefit_moved_to(client, project, kind_name, benefit, topic):
    data = {
        "title": benefit.title,
        "benefit_type": catalogue(BenefitType).pk,
        "priority": 3,
        "topic": topic.pk,
        "lock_version": benefit.lock_version,
    }
    return hx_post(client, edit_url(project, kind_name, benefit.pk), data)


@pytest.mark.parametrize("kind_name", ["benefit_name", "benefit"])
def test_a_benefit_an_option_realises_cannot_move_to_another_topic(client_for, project, consultant, kind_name):
    """Moving it would leave the option realising a benefit of another topic (ActionOption.clean forbids)."""
    home, elsewhere = TopicFactory(project=project), TopicFactory(project=project)
    benefit = BenefitFactory(topic=home)
    option = OptionFactory(topic=home, benefit=benefit, title="Webinar series")
    response = _benefit_moved_to(client_for(consultant), project, kind_name, benefit, elsewhere)
    body = response.content.decode()
    assert response.status_code == 200 and "invalid-feedback" in body
    assert escape("Webinar series") in body  # the message names the option that holds the benefit
    benefit.refresh_from_db()
    assert benefit.topic == home
    ActionOption.objects.get(pk=option.pk).full_clean()


def test_a_benefit_no_option_of_its_topic_realises_moves_freely(client_for, project, consultant):
    home, elsewhere = TopicFactory(project=project), TopicFactory(project=project)
    benefit = BenefitFactory(topic=home)
    OptionFactory(topic=elsewhere, benefit=None)
    response = _benefit_moved_to(client_for(consultant), project, "benefit_name", benefit, elsewhere)
    assert response.status_code == 200 and "invalid-feedback" not in response.content.decode()
    benefit.refresh_from_db()
    assert benefit.topic == elsewhere
