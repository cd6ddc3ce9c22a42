"""Settings for the example project: a minimal Django 5 site plus the guide's GopherQueue block.

Deviation from the guide: its settings call ``env(...)``, which comes from django-environ
(``env = environ.Env()``). That package is not a dependency here, so ``env`` below is a
two-line stand-in with the same call shape. Swap in django-environ unchanged if you use it.
"""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name, default=None):
    """Stand-in for django-environ's ``env(name, default=...)``: the variable, or ``default``
    when it is unset or empty."""
    return os.environ.get(name) or default


SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-example-only")
DEBUG = env("DJANGO_DEBUG", default="1") == "1"
ALLOWED_HOSTS = ["localhost", "127.0.0.1", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "myapp",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

ROOT_URLCONF = "mysite.urls"
WSGI_APPLICATION = "mysite.wsgi.application"
ASGI_APPLICATION = "mysite.asgi.application"

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": BASE_DIR / "db.sqlite3",
    }
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
USE_TZ = True
TIME_ZONE = "UTC"

# GopherQueue Configuration
# Deviation from the guide: the guide hard-codes GOPHERQUEUE_URL = "http://localhost:8080";
# reading it from the environment (same default) lets deployments and tests point the app at
# another server.
GOPHERQUEUE_URL = env("GOPHERQUEUE_URL", default="http://localhost:8080")
GOPHERQUEUE_API_KEY = env("GOPHERQUEUE_API_KEY", default=None)
GOPHERQUEUE_TIMEOUT = 30  # seconds
