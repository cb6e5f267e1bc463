"""WSGI entry point for gunicorn: ``gunicorn qiyue.wsgi`` (``make serve``)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qiyue.settings")
application = get_wsgi_application()

# runserver loads this module too: neither serves with DEBUG off on a public or short key.
from workflow.security import refuse_weak_secret_key  # noqa: E402

refuse_weak_secret_key()

# The web process produces signed papers in background threads (documents/production.py).
from documents.production import produce_papers_in_background  # noqa: E402

produce_papers_in_background()
