"""`PORT=8080 make run`: links in e-mails and calendar files lead to the same port."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from optonet.settings.base import portal_base_url

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    "environ, url",
    [
        ({}, "http://127.0.0.1:8000"),
        ({"PORT": "8080"}, "http://127.0.0.1:8080"),
        ({"HOST": "localhost", "PORT": "9000"}, "http://localhost:9000"),
        ({"HOST": "0.0.0.0", "PORT": "8080"}, "http://127.0.0.1:8080"),
        ({"HOST": "::1", "PORT": "8080"}, "http://[::1]:8080"),
        ({"HOST": "", "PORT": ""}, "http://127.0.0.1:8000"),
        ({"PORT": "8080", "PORTAL_BASE_URL": "https://portal.example/"}, "https://portal.example"),
        ({"PORTAL_BASE_URL": "http://10.0.0.5:8000"}, "http://10.0.0.5:8000"),
    ],
)
def test_portal_base_url_follows_port_and_host_unless_set(environ, url):
    assert portal_base_url(environ) == url


def test_make_run_passes_host_and_port_to_the_portal():
    makefile = (ROOT / "Makefile").read_text()
    recipe = makefile.split("\nrun:", 1)[1].split("\n\n", 1)[0]
    assert re.search(r"HOST=\$\(HOST\) PORT=\$\(PORT\) .*runserver \$\(HOST\):\$\(PORT\)", recipe)


def test_local_settings_link_to_the_port_the_portal_runs_on():
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in ("PORTAL_BASE_URL", "HOST", "PORT", "DATABASE_URL", "REDIS_URL")
    }
    code = "from django.conf import settings; print(settings.PORTAL_BASE_URL)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "optonet.settings.local", "PORT": "8080"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.strip() == "http://127.0.0.1:8080", result.stderr
