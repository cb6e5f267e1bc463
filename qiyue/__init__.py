"""The project shell: settings, URLs, the site and its menus, the Celery app, WSGI.

It stands on every app and nothing imports it (import-linter, `make lint`)."""

from .celery import app as celery_app

__all__ = ["celery_app"]
