import json

import pytest
from django.db import connection
from django.db.backends.postgresql.base import DatabaseWrapper

from optonet import views


@pytest.mark.django_db
def test_healthz_is_ok_when_database_and_redis_answer(client, settings):
    assert settings.REDIS_URL  # the suite runs against the real Redis
    response = client.get("/healthz")
    assert response.status_code == 200
    assert json.loads(response.content) == {
        "status": "ok",
        "checks": {"database": "ok", "redis": "ok"},
    }


@pytest.mark.django_db
def test_healthz_is_503_when_the_database_is_unreachable(client, monkeypatch):
    # A real connection attempt to a port where no PostgreSQL listens.
    unreachable = DatabaseWrapper({**connection.settings_dict, "PORT": "1", "HOST": "127.0.0.1"})
    monkeypatch.setattr(views, "connection", unreachable)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body["status"] == "unavailable"
    assert body["checks"]["database"] == "unavailable"
    assert body["checks"]["redis"] == "ok"


@pytest.mark.django_db
def test_healthz_is_503_when_redis_is_unreachable(client, settings):
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 503
    assert json.loads(response.content)["checks"] == {"database": "ok", "redis": "unavailable"}
