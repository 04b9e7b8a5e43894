"""The progress counts and the project list are plain ORM queries: they go where the database router sends them
(issue 12.7; they were SQL compiled once for the default connection)."""

import pytest
from django.urls import reverse

from strategies.models import StrategyProject
from strategies.wizard.progress import project_counts

from .factories import ProjectFactory, TopicFactory

pytestmark = pytest.mark.django_db


class RecordingRouter:
    def __init__(self):
        self.reads = []

    def db_for_read(self, model, **hints):
        self.reads.append(model)
        return None  # Django's default: "default"


@pytest.fixture
def router(settings):
    recording = RecordingRouter()
    settings.DATABASE_ROUTERS = [recording]
    return recording


def test_project_counts_ask_the_router_and_count_per_project(router, project, consultant):
    other = ProjectFactory()
    TopicFactory(project=project)
    TopicFactory(project=project)
    TopicFactory(project=other)
    counts = project_counts(project)
    assert StrategyProject in router.reads
    # The query built once serves every project with its own figures.
    assert counts["topics"] == 2
    assert project_counts(other)["topics"] == 1
    TopicFactory(project=other)
    assert project_counts(other)["topics"] == 2


def test_the_project_list_asks_the_router(router, client_for, project, consultant):
    response = client_for(consultant).get(reverse("home"))
    assert response.status_code == 200
    assert project.title in response.text
    assert StrategyProject in router.reads
