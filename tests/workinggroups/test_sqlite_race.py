"""The embedded default (SQLite) under parallel clicks: no 500, no overbooking."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_parallel_registrations_on_the_embedded_sqlite_default(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE")
    }
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'race.sqlite3'}",
        EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        ALLOWED_HOSTS="testserver",
        DJANGO_LOG_LEVEL="CRITICAL",
    )
    result = subprocess.run(
        [sys.executable, "-m", "tests.workinggroups.sqlite_race", "24"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["errors"] == []
    assert outcome["statuses"] == {"302": 24}, outcome
    assert (outcome["confirmed"], outcome["waitlisted"], outcome["rows"]) == (5, 19, 24)
