"""Load test of the web application: a large synthetic province, then concurrent clients on three pages.

    .venv/bin/python benchmarks/web_load.py --units 150 --leaves 150 --years 5 --clients 20 --seconds 60

Seeds ``units`` departments scored on a synthetic framework of ``leaves`` leaves for ``years`` years (all but
the last published, the last open for self-assessment) into a throw-away data directory (or ``DATABASE_URL``),
starts ``cchc serve`` (or ``--gunicorn`` when gunicorn is installed), and lets ``clients`` threads request the
results page, a unit profile and a self-assessment page for ``seconds`` seconds. Prints p50, p95 and requests
per second per page. The numbers depend on the server: Django's threaded development server (``cchc serve``)
is what a one-machine installation runs; production runs gunicorn workers. Each client keeps one HTTP/1.1
connection open (:class:`Client`), as a browser does.
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

PASSWORD = "load-test-pass"


def synthetic_framework(n_leaves: int) -> dict:
    """A valid framework of 8 fields with ``n_leaves`` leaves in total (manual with levels, manual, ratio)."""
    fields = 8
    per = [n_leaves // fields + (1 if i < n_leaves % fields else 0) for i in range(fields)]
    nodes = []
    for f, count in enumerate(per, start=1):
        children = []
        for j in range(1, count + 1):
            code = f"{f}.{j}"
            if j % 3 == 0:
                method = {"kind": "ratio", "full_at": 100}
            elif j % 3 == 1:
                method = {"kind": "manual", "levels": [{"label_vi": "Đạt", "points": 1},
                                                       {"label_vi": "Đạt một phần", "points": 0.5},
                                                       {"label_vi": "Không đạt", "points": 0}]}
            else:
                method = {"kind": "manual"}
            children.append({"code": code, "name_vi": f"Tiêu chí {code}", "max_points": 1,
                             "evidence": "required" if j % 4 == 0 else "none", "method": method})
        nodes.append({"code": str(f), "name_vi": f"Lĩnh vực {f}", "max_points": count, "children": children})
    return {
        "id": f"loadtest-{n_leaves}", "version": "1", "name_vi": f"Bộ chỉ số thử tải ({n_leaves} tiêu chí)",
        "status": "example", "unit_types": ["department"], "precision": 2,
        "bands": [
            {"code": "XS", "label_vi": "Xuất sắc", "min": 90, "max": 100},
            {"code": "T", "label_vi": "Tốt", "min": 80, "max": 90},
            {"code": "K", "label_vi": "Khá", "min": 70, "max": 80},
            {"code": "TB", "label_vi": "Trung bình", "min": 50, "max": 70},
            {"code": "Y", "label_vi": "Yếu", "min": 0, "max": 50},
        ],
        "nodes": nodes,
    }


def seed(units: int, leaves: int, years: int) -> None:
    from django.contrib.auth import get_user_model

    from cchc.core.framework import parse_framework
    from cchc.core.scoring import level_points
    from cchc.web.accounts.models import Role, RoleAssignment
    from cchc.web.assessments import services as assessment_services
    from cchc.web.assessments.models import Cycle, LeafAssessment, Participation, State
    from cchc.web.org.models import Unit
    from cchc.web.results import services as results_services

    rng = random.Random(7)
    record = assessment_services.store_framework(parse_framework(synthetic_framework(leaves), "loadtest"), "loadtest")
    fw = record.framework
    Unit.objects.bulk_create([Unit(code=f"U{i:04d}", name=f"Sở thử {i:04d}", unit_type="department")
                              for i in range(units)])
    all_units = list(Unit.objects.order_by("code"))
    user = get_user_model().objects.create_superuser("load", "load@example.invalid", PASSWORD)
    RoleAssignment.objects.create(user=user, role=Role.ADMIN)
    quality = {u.code: rng.uniform(0.4, 0.98) for u in all_units}
    previous = None
    first = 2026 - years + 1
    for year in range(first, 2027):
        cycle = Cycle.objects.create(name=f"Thử tải {year}", year=year, framework=record, previous=previous,
                                     state=State.OPEN)
        parts = Participation.objects.bulk_create([Participation(cycle=cycle, unit=u) for u in all_units])
        rows = []
        for part in parts:
            q = quality[part.unit.code]
            for node in fw.leaves("department"):
                x = min(1.0, max(0.0, q + rng.uniform(-0.25, 0.2)))
                if node.kind == "ratio":
                    rows.append(LeafAssessment(participation=part, leaf_code=node.code, numerator=round(100 * x),
                                               denominator=100.0, version=1))
                else:
                    pts = min((p for p, _l in level_points(node)), key=lambda p: abs(p - x)) \
                        if level_points(node) else round(x * 4) / 4
                    rows.append(LeafAssessment(participation=part, leaf_code=node.code, self_points=pts,
                                               appraised_points=pts if year < 2026 else None, version=1))
        LeafAssessment.objects.bulk_create(rows, batch_size=5000)
        if year < 2026:
            Cycle.objects.filter(pk=cycle.pk).update(state=State.APPROVED)
            cycle.refresh_from_db()
            results_services.publish(cycle, user)
            Cycle.objects.filter(pk=cycle.pk).update(state=State.PUBLISHED)
        previous = cycle


class Client:
    """One simulated person: a persistent HTTP/1.1 connection (keep-alive, as a browser keeps one) carrying the
    session and CSRF cookies. Light on purpose: the load generator shares the machine with the server, and every
    CPU cycle it spends parsing would be missing from the server and counted in its response times."""

    def __init__(self, base: str, timeout: float = 60):
        url = urllib.parse.urlsplit(base)
        self.host, self.port, self.timeout = url.hostname, url.port or 80, timeout
        self.conn: http.client.HTTPConnection | None = None
        self.cookies: dict[str, str] = {}
        self.connections = 0

    def _send(self, method: str, path: str, body: bytes | None, headers: dict[str, str]) -> tuple[int, bytes]:
        if self.conn is None:
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            self.connections += 1
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.conn.request(method, path, body=body, headers=headers)
        resp = self.conn.getresponse()
        data = resp.read()
        for header in resp.headers.get_all("Set-Cookie") or ():
            name, _, rest = header.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        if resp.will_close:
            self.close()
        return resp.status, data

    def request(self, method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None,
                ) -> tuple[int, bytes]:
        """Status and body; a connection the server closed while idle (keep-alive timeout) is reopened once."""
        try:
            return self._send(method, path, body, dict(headers or {}))
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, http.client.CannotSendRequest):
            self.close()
            return self._send(method, path, body, dict(headers or {}))

    def get(self, path: str) -> bytes:
        status, data = self.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path}: HTTP {status}")
        return data

    def login(self, username: str, password: str) -> None:
        self.get("/accounts/login/")
        form = urllib.parse.urlencode({"username": username, "password": password,
                                       "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}).encode()
        status, _ = self.request("POST", "/accounts/login/", form, {
            "Content-Type": "application/x-www-form-urlencoded", "Referer": f"http://{self.host}:{self.port}/accounts/login/"})
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login as {username!r} failed (HTTP {status})")

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def _client(base: str) -> Client:
    client = Client(base)
    client.login("load", PASSWORD)
    return client


def run(base: str, pages: dict[str, str], clients: int, seconds: float, think: float = 0.0) -> dict[str, list[float]]:
    """Closed-loop clients; ``think`` seconds between a client's requests model a person reading the page
    (0 = saturation: every client fires its next request as soon as the last one returns)."""
    times: dict[str, list[float]] = {name: [] for name in pages}
    errors: list[str] = []
    stop = time.monotonic() + seconds
    lock = threading.Lock()

    def worker(k: int):
        client = _client(base)
        names = list(pages)
        i = k
        while time.monotonic() < stop:
            name = names[i % len(names)]
            i += 1
            t = time.perf_counter()
            try:
                client.get(pages[name])
            except Exception as exc:  # noqa: BLE001 - counted and reported
                with lock:
                    errors.append(f"{name}: {exc}")
                client.close()
                continue
            with lock:
                times[name].append((time.perf_counter() - t) * 1000)
            if think:
                time.sleep(think * (0.5 + random.random()))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if errors:
        print(f"{len(errors)} errors, first: {errors[0]}")
    return times


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--units", type=int, default=150)
    ap.add_argument("--leaves", type=int, default=150)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--port", type=int, default=8799)
    ap.add_argument("--gunicorn", type=int, default=0, help="serve with N gunicorn workers instead of cchc serve")
    ap.add_argument("--think", type=float, default=0.0, help="mean seconds a client waits between requests (0: saturation)")
    ap.add_argument("--threads", type=int, default=1,
                    help="threads per gunicorn worker (1: sync workers, as docs/production.md runs them)")
    args = ap.parse_args(argv)

    env = dict(os.environ)
    env.setdefault("CCHC_DATA_DIR", tempfile.mkdtemp(prefix="cchc-load-"))
    os.environ.update(env)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cchc.web.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from cchc.web.assessments.models import Cycle

    if not Cycle.objects.exists():
        t = time.perf_counter()
        seed(args.units, args.leaves, args.years)
        print(f"seeded {args.units} units × {args.leaves} leaves × {args.years} years in {time.perf_counter() - t:.1f} s")
    published = Cycle.objects.filter(state="published").order_by("-year").first()
    current = Cycle.objects.filter(state="open").order_by("-year").first()
    unit = current.participations.select_related("unit").first().unit.code
    pages = {
        "results": f"/cycles/{published.pk}/results/",
        "unit profile": f"/cycles/{published.pk}/results/{unit}/",
        "self-assessment": f"/cycles/{current.pk}/units/{unit}/self/",
    }
    server_env = dict(env)
    if args.gunicorn:
        cmd = [sys.executable, "-m", "gunicorn", "cchc.web.wsgi:application", "-b", f"127.0.0.1:{args.port}",
               "-w", str(args.gunicorn), "--threads", str(args.threads), "--log-level", "warning"]
        server_env.setdefault("CCHC_CONN_MAX_AGE", "60")  # as docs/production.md configures gunicorn
    else:
        cmd = [sys.executable, "-c", "from cchc.cli import main; main()", "serve", "--port", str(args.port)]
    server = subprocess.Popen(cmd, env=server_env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{args.port}"
    try:
        for _ in range(150):
            try:
                urllib.request.urlopen(f"{base}/accounts/login/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        run(base, pages, 2, 3)  # warm-up
        times = run(base, pages, args.clients, args.seconds, args.think)
    finally:
        server.terminate()
        server.wait(timeout=10)
    db = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    server_name = f"gunicorn ×{args.gunicorn}" if args.gunicorn else "cchc serve"
    load = f"think time {args.think:g} s" if args.think else "no think time (saturation)"
    print(f"{db}, {server_name}, {args.clients} clients, {load}, {args.seconds:g} s")
    for name, ts in times.items():
        ts.sort()
        if not ts:
            print(f"{name:16s} no successful requests")
            continue
        p95 = ts[max(0, int(round(0.95 * len(ts))) - 1)]
        print(f"{name:16s} p50 {statistics.median(ts):7.1f} ms   p95 {p95:7.1f} ms   {len(ts) / args.seconds:6.1f} req/s")


if __name__ == "__main__":
    main()
