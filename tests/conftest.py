import pytest
from django.utils import translation

from strategies.models import Role
from strategies.services.versions import strategy_version_create, version_option_choose

from .factories import MembershipFactory, OptionFactory, ProjectFactory, UserFactory


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix):
    """Each xdist worker keeps its own test database (the suffix fixture pytest-django's default
    asks for; without it two workers share one PostgreSQL test database and trip over each other).

    With PBSM_TEST_SQLITE_FILE set (`make test`'s browser run), the SQLite test database is a file.

    The browser tests' ASGI server handles requests in threads of their own, beside the live
    sockets' thread and the test's. On the in-memory database they would all share one
    connection, and a transaction begun in one thread is then open in the others ("on_commit()
    cannot be used in manual transaction management"); on a file each thread has its own
    connection and SQLite's locks (with the settings' timeout) order them, as in `make run`.
    """
    import os
    import tempfile

    from django.conf import settings

    database = settings.DATABASES["default"]
    if os.environ.get("PBSM_TEST_SQLITE_FILE") and database["ENGINE"] == "django.db.backends.sqlite3":
        folder = tempfile.mkdtemp(prefix="pbsm-test-db-")  # a private folder; the test run removes the file
        database.setdefault("TEST", {})["NAME"] = os.path.join(folder, "test.sqlite3")


def restore_migrated_data() -> None:
    """After a transactional test's flush: the catalogue and the groups the data migrations made."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    from competencies.catalogue import load_catalogue

    load_catalogue(apps.get_model)
    Group.objects.get_or_create(name="consultants")


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


@pytest.fixture(autouse=True, scope="session")
def live_rooms_of_this_worker():
    """Each pytest-xdist worker's live rooms apart: with REDIS_URL set (CI's second run) every
    worker's test database has a project 1, and their rooms must not hear each other."""
    import os

    from channels.layers import channel_layers
    from django.conf import settings

    worker_id = os.environ.get("PYTEST_XDIST_WORKER", "main")

    layer = settings.CHANNEL_LAYERS["default"]
    if "CONFIG" in layer:
        layer["CONFIG"]["prefix"] = f"pbsm-test-{worker_id}"
        channel_layers.backends = {}
    yield


@pytest.fixture(autouse=True)
def live_broadcasts_delivered():
    """A test's broadcasts reach the shared layer before the next test begins (ids are reused)."""
    yield
    from strategies.live.broadcast import wait_for_sent

    wait_for_sent()
