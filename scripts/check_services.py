"""Say clearly which service the test suite cannot reach, and how to start it."""

import os
import sys

import psycopg2
import redis

HINTS = {
    "PostgreSQL": "pg_ctlcluster --skip-systemctl-redirect 15 main start",
    "Redis": 'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
}


def main() -> int:
    database_url = os.environ["DATABASE_URL"]
    redis_url = os.environ["REDIS_URL"]
    failures = []
    try:
        # Connect to the maintenance database: the test database is created by pytest-django.
        dsn = database_url.rsplit("/", 1)[0] + "/postgres"
        psycopg2.connect(dsn, connect_timeout=3).close()
    except psycopg2.Error as exc:
        failures.append(("PostgreSQL", database_url, str(exc).strip()))
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        failures.append(("Redis", redis_url, str(exc).strip()))
    for name, url, error in failures:
        print(f"{name} is not reachable at {url}: {error}", file=sys.stderr)
        print(f"  start it with: {HINTS[name]}", file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
