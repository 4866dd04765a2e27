"""The busiest minute, as locust users: each of N logged-in members (sessions prepared before,
so that password hashing is not what is measured) opens the meeting, registers and opens "my
meetings", once. Every user's start, the status of each request and its end are written to
BENCH_RESULTS (JSON) when the last user is done.

Run by `bench/portal_load.py`; on its own:

    BENCH_SESSIONS=sessions.json BENCH_RESULTS=out.json BENCH_MEETING=123 \\
        locust -f bench/locust_burst.py --headless -u 500 -r 500 --host http://127.0.0.1:8010
"""

from __future__ import annotations

import itertools
import json
import os
import time
from pathlib import Path

from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

SESSIONS = json.loads(Path(os.environ["BENCH_SESSIONS"]).read_text())
MEETING = int(os.environ["BENCH_MEETING"])
SESSION_COOKIE = os.environ.get("BENCH_SESSION_COOKIE", "sessionid")
CSRF_COOKIE = os.environ.get("BENCH_CSRF_COOKIE", "csrftoken")
_next_session = itertools.count()
results: list[dict] = []


class Member(FastHttpUser):
    # FastHttpUser (geventhttpclient): the load generator shares the machine's two cores with
    # the portal, and locust's default client (requests) spends several times the CPU per request.
    wait_time = constant(0)

    def on_start(self):
        self.session = SESSIONS[next(_next_session) % len(SESSIONS)]
        # Plain http in the benchmark: the cookies are sent as a header (production marks
        # them Secure, which a cookie jar would withhold over http).
        self.headers = {
            "Cookie": f"{SESSION_COOKIE}={self.session['session']}; "
            f"{CSRF_COOKIE}={self.session['csrf']}",
            "X-CSRFToken": self.session["csrf"],
        }

    @task
    def register(self):
        record = {
            "person": self.session["person"],
            "start": time.time(),
            "statuses": [],
            "seconds": [],
        }
        for method, path, name in (
            ("GET", f"/meetings/{MEETING}/", "meeting page"),
            ("POST", f"/meetings/{MEETING}/register/", "register"),
            ("GET", "/me/meetings/", "my meetings"),
        ):
            if method == "POST":
                record["register_sent"] = time.time()
            sent = time.time()
            response = self.client.request(
                method, path, headers=self.headers, name=name, allow_redirects=False
            )
            record["statuses"].append(response.status_code)
            record["seconds"].append(time.time() - sent)
        record["end"] = time.time()
        results.append(record)
        if len(results) >= self.environment.parsed_options.num_users:
            self.environment.runner.quit()
        raise StopUser()


@events.quitting.add_listener
def _write_results(environment, **_kwargs):
    with open(os.environ["BENCH_RESULTS"], "w") as out:
        json.dump(results, out)
