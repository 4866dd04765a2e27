"""The portal as production runs it, for the benchmarks: a PostgreSQL database of its own,
gunicorn (2 sync workers) and a Celery worker with production settings over plain http on
127.0.0.1, e-mail to a local SMTP server. Used by `bench/portal_load.py` and
`bench/profile_pages.py`."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ADMIN_URL = os.environ.get(
    "BENCH_DATABASE_ADMIN_URL", "postgres://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
DB_NAME = os.environ.get("BENCH_DATABASE_NAME", "optonet_bench_large")
VENV_BIN = Path(sys.executable).parent


def production_env(port: int, smtp_port: int, tmp: Path) -> dict[str, str]:
    """Production settings over plain http on 127.0.0.1, against the benchmark's database."""
    database_url = ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "optonet.settings.production",
        "SECRET_KEY": "bench-" + "x" * 60,
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DATABASE_URL": database_url,
        "REDIS_URL": REDIS_URL,
        "CACHE_KEY_PREFIX": "bench",
        "EMAIL_HOST": "127.0.0.1",
        "EMAIL_PORT": str(smtp_port),
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        "ALLOW_HTTP_BASE_URL": "true",
        "SECURE_SSL_REDIRECT": "false",
        "STATIC_ROOT": str(tmp / "static"),
        "MEDIA_ROOT": str(tmp / "media"),
        "DJANGO_LOG_LEVEL": "WARNING",
    }


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def admin_sql(sql: str) -> None:
    import psycopg2

    connection = psycopg2.connect(ADMIN_URL)
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql)
    connection.close()


def database_exists() -> bool:
    import psycopg2

    connection = psycopg2.connect(ADMIN_URL)
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DB_NAME])
        found = cursor.fetchone() is not None
    connection.close()
    return found


class SmtpCounter:
    async def handle_DATA(self, server, session, envelope):
        return "250 OK"


class Stack:
    """gunicorn, a Celery worker and an SMTP server with production settings; stopped on exit."""

    def __init__(self, env: dict[str, str], port: int):
        self.env = env
        self.port = port
        self.processes: list[subprocess.Popen] = []
        self.logs: list = []

    def start(self, tmp: Path) -> None:
        gunicorn_log = (tmp / "gunicorn.log").open("w")
        worker_log = (tmp / "worker.log").open("w")
        self.logs += [gunicorn_log, worker_log]
        self.processes.append(
            subprocess.Popen(
                [
                    str(VENV_BIN / "gunicorn"),
                    "optonet.wsgi",
                    "--workers",
                    "2",
                    "--bind",
                    f"127.0.0.1:{self.port}",
                    "--log-level",
                    "warning",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=gunicorn_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        self.processes.append(
            subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "celery",
                    "-A",
                    "optonet",
                    "worker",
                    "--queues",
                    "mail,default,pdf",
                    "--concurrency",
                    "1",
                    "--without-gossip",
                    "--without-mingle",
                    "--without-heartbeat",
                    "--loglevel",
                    "WARNING",
                ],
                cwd=ROOT,
                env=self.env,
                stdout=worker_log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/healthz", timeout=2):
                    return
            except OSError:
                time.sleep(0.3)
        raise RuntimeError("gunicorn did not come up; see " + str(tmp / "gunicorn.log"))

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        for log in self.logs:
            log.close()
