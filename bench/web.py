"""Web benchmark: `ketacare serve` (gunicorn, default worker count) under 100 concurrent signed-in users.

First the users ask `/healthz`, a bare Django view, for `--seconds`: the baseline of the same run.
Then each user loops over the chart, the dashboard, the session screen and `/api/patients/` of a
prepared database (build it with `ketacare demo --reset --patients N`) for the same time. Prints p50/p95 per page, errors, and the throughput as a share of the baseline's.
Figures are printed, never asserted.

    DATABASE_URL=postgres://.../db python bench/web.py [--code DIR] [--users 100] [--seconds 30] [--port 20020]

`--code DIR` serves another checkout's code (e.g. main's, for a before/after) on the same database.
"""

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _setup() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ketacare.settings")
    os.environ.setdefault("KETACARE_FAST_HASHER", "true")
    import django

    django.setup()


def sign_in(users: int) -> tuple[list[str], dict[str, list[str]]]:
    """`users` session cookies of the demo clinic's prescriber and nurse, and the URLs each page kind asks."""
    from django.test import Client

    from accounts.models import Clinic, Membership
    from infusions.models import InfusionSession
    from patients.models import Patient

    clinic = Clinic.objects.get(slug="demo")
    staff = [m.user for m in Membership.objects.filter(clinic=clinic, role__in=("prescriber", "nurse"), active=True)
             .select_related("user").order_by("pk")]
    cookies = []
    for n in range(users):
        client = Client()
        client.force_login(staff[n % len(staff)])
        cookies.append(client.cookies["sessionid"].value)
    rng = random.Random(9)
    top = Patient.objects.filter(clinic=clinic).order_by("-pk").values_list("pk", flat=True).first() or 0
    patient_ids = list(Patient.objects.filter(clinic=clinic, pk__in=[rng.randint(1, top) for _ in range(600)])
                       .values_list("pk", flat=True)[:200])
    held = InfusionSession.objects.filter(clinic=clinic, state="discharged").order_by("-pk").values_list("pk", flat=True)
    session_ids = list(held[:2000])
    session_ids = rng.sample(session_ids, min(100, len(session_ids)))
    from django.urls import reverse

    urls = {
        "chart": [reverse("patients:chart", args=[pk]) for pk in patient_ids],
        "dashboard": ["/"],
        "session screen": [reverse("infusions:session", args=[pk]) for pk in session_ids],
        "/api/patients/": ["/api/patients/", "/api/patients/?page=2", "/api/patients/?page=7"],
    }
    probe = Client()
    probe.force_login(staff[0])
    for kind, some in urls.items():
        status = probe.get(some[0]).status_code
        if status != 200:
            raise SystemExit(f"bench: {kind} {some[0]} answered {status} before the run")
    return cookies, urls


def start_server(code: Path, port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(code), "KETACARE_WORKERS": os.environ.get("KETACARE_WORKERS", "")}
    if not env["KETACARE_WORKERS"]:
        env.pop("KETACARE_WORKERS")
    command = [sys.executable, "-c", "from ketacare.cli import main; main()", "serve", "--host", "127.0.0.1",
               "--port", str(port)]
    return subprocess.Popen(command, cwd=code, env=env, stdout=subprocess.DEVNULL,  # noqa: S603 - our own server
                            stderr=subprocess.DEVNULL)


async def _wait_up(base: str, seconds: float = 60) -> None:
    import aiohttp

    deadline = time.monotonic() + seconds
    async with aiohttp.ClientSession() as http:
        while time.monotonic() < deadline:
            try:
                async with http.get(base + "/healthz") as r:
                    if r.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.5)
    raise SystemExit("bench: the server did not answer /healthz within a minute")


async def load(base: str, cookies: list[str], urls: dict[str, list[str]], seconds: float) -> dict[str, dict]:
    """Every user asks its pages in turn for `seconds`; return the latencies and errors per page kind."""
    import aiohttp

    found: dict[str, dict] = {kind: {"ms": [], "errors": 0, "codes": {}} for kind in urls}
    kinds = list(urls)
    deadline = time.monotonic() + seconds
    timeout = aiohttp.ClientTimeout(total=60)

    async def user(n: int) -> None:
        rng = random.Random(n)
        async with aiohttp.ClientSession(cookies={"sessionid": cookies[n]}, timeout=timeout) as http:
            turn = n
            while time.monotonic() < deadline:
                kind = kinds[turn % len(kinds)]
                turn += 1
                started = time.perf_counter()
                try:
                    async with http.get(base + rng.choice(urls[kind]), allow_redirects=False) as r:
                        await r.read()
                        ok = r.status == 200
                        code = r.status
                except (TimeoutError, aiohttp.ClientError) as exc:
                    ok, code = False, type(exc).__name__
                found[kind]["ms"].append((time.perf_counter() - started) * 1000)
                if not ok:
                    found[kind]["errors"] += 1
                    found[kind]["codes"][code] = found[kind]["codes"].get(code, 0) + 1

    await asyncio.gather(*(user(n) for n in range(len(cookies))))
    return found


def p(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--code", type=Path, default=ROOT, help="The checkout whose code is served (default: this one).")
    parser.add_argument("--users", type=int, default=100)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--port", type=int, default=20020)
    parser.add_argument("--label", default="")
    args = parser.parse_args()
    _setup()
    from django.db import connection

    from patients.models import Patient

    cookies, urls = sign_in(args.users)
    patients = Patient.objects.count()
    connection.close()
    base = f"http://127.0.0.1:{args.port}"
    server = start_server(args.code.resolve(), args.port)
    try:
        asyncio.run(_wait_up(base))
        asyncio.run(load(base, cookies[:10], urls, 5))  # warm every worker's imports and connections
        # The baseline first: requests a slow page leaves queued in the server must not count against it.
        bare = asyncio.run(load(base, cookies, {"/healthz": ["/healthz"]}, args.seconds))["/healthz"]
        pages = asyncio.run(load(base, cookies, urls, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    from ketacare.server import default_workers

    served = sum(len(v["ms"]) for v in pages.values()) / args.seconds
    bare_rate = len(bare["ms"]) / args.seconds
    load_avg = os.getloadavg()
    print(f"web {args.label} · {patients:,} patients · {args.users} users · {args.seconds:.0f} s · gunicorn "
          f"{default_workers()} workers · load average {load_avg[0]:.1f}")
    for kind, v in pages.items():
        print(f"  {kind:<16} {len(v['ms']):>7,} requests  p50 {p(v['ms'], 50):8.1f} ms  p95 {p(v['ms'], 95):8.1f} ms  "
              f"errors {v['errors']}{' ' + str(v['codes']) if v['codes'] else ''}")
    print(f"  {'/healthz (bare)':<16} {len(bare['ms']):>7,} requests  p50 {p(bare['ms'], 50):8.1f} ms  "
          f"p95 {p(bare['ms'], 95):8.1f} ms  errors {bare['errors']}")
    print(f"  pages {served:,.0f} req/s   baseline bare Django view {bare_rate:,.0f} req/s   ratio {served / bare_rate:5.2f}")


if __name__ == "__main__":
    main()
