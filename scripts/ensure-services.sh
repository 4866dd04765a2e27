#!/usr/bin/env bash
# Make sure PostgreSQL and Redis answer on localhost; start the local servers when they do not.
# Used by .ci/run. Fails loudly (exit 1) naming the service that cannot be reached.
set -uo pipefail

pg_ok() { pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }
redis_ok() { redis-cli -h 127.0.0.1 -p 6379 ping 2>/dev/null | grep -q PONG; }

if ! pg_ok; then
  echo "PostgreSQL is not answering on 127.0.0.1:5432; starting it."
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -z "$version" ]; then
    echo "No PostgreSQL cluster found under /etc/postgresql." >&2
  else
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  fi
  for _ in $(seq 1 30); do pg_ok && break; sleep 1; done
fi
if ! redis_ok; then
  echo "Redis is not answering on 127.0.0.1:6379; starting it."
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no || true
  for _ in $(seq 1 30); do redis_ok && break; sleep 1; done
fi

status=0
pg_ok || { echo "PostgreSQL still unreachable on 127.0.0.1:5432." >&2; status=1; }
redis_ok || { echo "Redis still unreachable on 127.0.0.1:6379." >&2; status=1; }
exit $status
