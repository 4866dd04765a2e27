"""The Celery application. Configuration comes from Django settings (CELERY_* names)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "optonet.settings.local")

app = Celery("optonet")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="optonet.ping", acks_late=True, soft_time_limit=10, time_limit=20)
def ping(payload: str = "pong") -> dict:
    """Round trip used by the health check tooling and the worker test: proves a worker answers."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return {"payload": payload, "pid": os.getpid()}
