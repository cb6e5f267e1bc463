"""WSGI entry point for gunicorn: ``gunicorn workflow.wsgi``."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "workflow.settings")
application = get_wsgi_application()

# The web process produces signed papers in background threads (documents/production.py).
from documents.production import produce_papers_in_background  # noqa: E402

produce_papers_in_background()
