import pytest
from django.utils import translation

from strategies.models import Role
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import MembershipFactory, OptionFactory, ProjectFactory, UserFactory


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Real hashers take ~0.3 s per password; tests need no brute-force resistance.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def empty_page_cache():
    """Each test starts with no cached wizard page (test databases reuse ids)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def project(db):
    return ProjectFactory()


def _member(project, role, username):
    user = UserFactory(username=username, consultant_group=role == Role.CONSULTANT)
    MembershipFactory(project=project, user=user, role=role)
    return user


@pytest.fixture
def consultant(project):
    return _member(project, Role.CONSULTANT, "alice")


@pytest.fixture
def manager(project):
    return _member(project, Role.MANAGER, "marc")


@pytest.fixture
def viewer(project):
    return _member(project, Role.VIEWER, "vera")


@pytest.fixture
def outsider(db):
    """A consultant of another project: must see 404 for everything of `project`."""
    other = ProjectFactory()
    return _member(other, Role.CONSULTANT, "charlie")


@pytest.fixture
def english_pages(settings):
    """Pages and messages in English, whatever German wording the translators choose.

    Opt in per module with pytest.mark.usefixtures("english_pages"): the default language, the
    language active in the test itself and the language cookie of every client_for client are English
    (tests/wizard_rows.HX also asks for English with Accept-Language).
    """
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def client_for(request):
    """A logged-in test client for a user: client_for(user); reading English under english_pages."""
    from django.conf import settings
    from django.test import Client

    english = "english_pages" in request.fixturenames

    def make(user):
        c = Client()
        c.force_login(user)
        if english:
            c.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return c

    return make


@pytest.fixture
def version(project, consultant):
    """A draft with one option chosen: what a report, a snapshot or a version page needs at least."""
    version = strategy_version_create(project=project, user=consultant, name="Blog first")
    version_option_choose(version=version, user=consultant, option=OptionFactory(topic__project=project), included=True)
    return version
