"""Django set-up for the tests of examples/django_project, local to this directory.

pytest-django is installed for the whole test suite but only these tests use Django, so
nothing is configured globally (no DJANGO_SETTINGS_MODULE, no ini option): the session fixture
below configures Django from the example's ``mysite/settings.py`` when the first test of this
directory runs. A run without these tests never configures Django, and pytest-django stays
inert.

Why a fixture and not import-time set-up: the example's clients (``myapp/queue.py``, straight
from the guide) are created when ``django.setup()`` imports the app, from
``settings.GOPHERQUEUE_URL``, and that URL is only known once the ``gopherqueue`` plugin's
session-wide embedded server has started. The plugin's ``gopherqueue_server`` fixture resets
that same server before each test.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from gopherqueue.testing import DevServer

from .._helpers import EXAMPLES

if TYPE_CHECKING:
    from pytest_django import DjangoDbBlocker

PROJECT = EXAMPLES / "django_project"


@pytest.fixture(scope="session", autouse=True)
def django_example_project(gopherqueue_dev_server: DevServer) -> Iterator[None]:
    """Configure Django from the example's settings, pointed at the embedded server, and
    load its apps (and with them its GopherQueue clients)."""
    import django
    from django.conf import settings

    if settings.configured:
        pytest.fail(
            "Django was configured before the example's tests ran (DJANGO_SETTINGS_MODULE or "
            "--ds?); these tests configure it themselves"
        )
    # What `python manage.py` gets from running in the project directory.
    sys.path.insert(0, str(PROJECT))
    import mysite.settings as project_settings

    overrides = {"GOPHERQUEUE_URL": gopherqueue_dev_server.url}
    values = {k: v for k, v in vars(project_settings).items() if k.isupper()}
    settings.configure(**{**values, **overrides})
    django.setup()

    from myapp.queue import async_client, sync_client

    assert sync_client.url == async_client.url == gopherqueue_dev_server.url
    try:
        yield
    finally:
        sync_client.close()
        # Its pools' event loops (each test's, each WSGI request's) have all closed: this only
        # drops them, with no I/O and no "Unclosed" warning.
        asyncio.run(async_client.aclose())
        sys.path.remove(str(PROJECT))


# pytest-django's session fixtures that depend on Django being configured look at it once, the
# first time any test of the session uses them, and a test elsewhere in the suite may already
# have done so and found Django unconfigured. For the tests here they are replaced by versions
# that run after the set-up above.


@pytest.fixture(scope="session")
def django_test_environment(django_example_project: None) -> None:
    """Replaces pytest-django's (autouse); the work is done per package, below."""


@pytest.fixture(scope="package", autouse=True)
def django_test_environment_for_examples(django_example_project: None) -> Iterator[None]:
    """Django's test environment (locmem email, "testserver" in ALLOWED_HOSTS, ...) for the
    tests of this package only: torn down after them, so that pytest-django can set it up
    again if later tests in the session need it."""
    from django.test.utils import setup_test_environment, teardown_test_environment

    try:
        setup_test_environment(debug=False)
    except RuntimeError:  # already set up, by pytest-django for a test outside this package
        yield
    else:
        yield
        teardown_test_environment()


@pytest.fixture(scope="session")
def django_db_blocker(
    request: pytest.FixtureRequest, django_example_project: None
) -> DjangoDbBlocker:
    """Replaces pytest-django's: database access is blocked outside ``django_db`` tests (as
    pytest-django does at start-up for a project configured beforehand; it unblocks at exit)."""
    from pytest_django.plugin import blocking_manager_key

    blocker = request.config.stash[blocking_manager_key]
    blocker.block()
    return blocker
