"""Locust users for scenario 7, staff at work (``bench.scenarios.s7_staff_at_work``).

``StaffAtWork`` is a member of staff with a session of their own who goes from page to page
with no pause: the application queue, an application, the round's ranking, the finance
dashboard and the inbox. ``StaffTrivial`` asks for the smallest signed-in page (the
profile) the same way: the baseline the pages are compared with.

Configured by environment variables: ``STAFF_PLAN``, a JSON file with the session cookies
(one per user) and the URLs of the pages.
"""

import itertools
import json
import os

from locust import constant, task
from locust.contrib.fasthttp import FastHttpUser

PLAN_FILE = os.environ.get("STAFF_PLAN", "")
if PLAN_FILE:
    with open(PLAN_FILE) as source:
        PLAN = json.load(source)
else:
    PLAN = {"cookies": [""], "pages": {}, "trivial": "/profile/"}
# One gevent process: the iterator gives each user a session of their own.
COOKIES = itertools.cycle(PLAN["cookies"])


class _Staff(FastHttpUser):
    abstract = True
    wait_time = constant(0)
    connection_timeout = 120.0
    network_timeout = 120.0

    def on_start(self):
        self.cookie = next(COOKIES)

    def page(self, name: str, url: str):
        self.client.get(url, name=name, headers={"Cookie": self.cookie})


class StaffAtWork(_Staff):
    @task
    def work(self):
        for name, url in PLAN["pages"].items():
            self.page(name, url)


class StaffTrivial(_Staff):
    @task
    def trivial(self):
        self.page("trivial", PLAN["trivial"])
