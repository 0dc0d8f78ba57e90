"""Benchmark driver: load the data set, start the three servers, run wrk, write the results.

    python bench/run.py --quick          # make bench: 1k records, a few seconds per scenario
    python bench/run.py                  # make bench-full: 1k, 100k and 1M records

Servers (each with ``--workers`` processes, 2 by default, on loopback):

- ``polydesk``: ``polydesk serve`` on ``bench_polydesk``;
- ``peer``: django-helpdesk 2.6.1 under gunicorn (sync workers) on ``bench_peer``
  (installed by bench/peer/setup.sh);
- ``limit``: bench/limit.py (Starlette + asyncpg) on ``bench_limit``, a copy of Polydesk's
  database made after loading.

Every scenario is run ``--runs`` times; within a run the servers alternate and their order
flips each run (A B, B A, …). Results: bench/results/latest.json, latest.md, and PNG plots
(matplotlib, the ``bench`` extra) when more than one data size was measured or always with
``--plots``.
"""

from __future__ import annotations

import argparse
import base64
import compileall
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / ".work"
RESULTS = BENCH / "results"
VENV = ROOT / ".venv" / "bin"
PEER = WORK / "peer"
PG = "postgresql://postgres@127.0.0.1:5432"
PORTS = {"polydesk": 18001, "peer": 18002, "limit": 18003}
DATABASES = {"polydesk": "bench_polydesk", "peer": "bench_peer", "limit": "bench_limit"}
BASIC = "Basic " + base64.b64encode(b"tim:123").decode()

# name -> (lua script, servers, description)
SCENARIOS: dict[str, tuple[str, tuple[str, ...], str]] = {
    "hd_get": ("hd_get.lua", ("polydesk", "peer", "limit"), "GET /api/tickets/<id>/"),
    "hd_list": ("hd_list.lua", ("polydesk", "peer", "limit"), "GET /api/tickets/"),
    "hd_list_status": (
        "hd_list_status.lua",
        ("polydesk", "peer", "limit"),
        "GET /api/tickets/?status=1,2",
    ),
    "hd_create": ("hd_create.lua", ("polydesk", "peer", "limit"), "POST /api/tickets/"),
    "hd_patch": ("hd_patch.lua", ("polydesk", "peer"), "PATCH /api/tickets/<id>/"),
    "hd_followup": ("hd_followup.lua", ("polydesk", "peer"), "POST /api/followups/"),
    "so_get": ("so_get.lua", ("polydesk",), "ServiceOps GET /api/v1/incident/<id>"),
    "so_create": ("so_create.lua", ("polydesk",), "ServiceOps POST /api/v1/incident"),
    "ga_get": ("ga_get.lua", ("polydesk",), "GoToAssist GET /v1/incidents/<id>.json"),
    "ga_list": ("ga_list.lua", ("polydesk",), "GoToAssist GET /v1/incidents.json"),
    "ga_create": ("ga_create.lua", ("polydesk",), "GoToAssist POST /v1/incidents.json"),
}


def log(message: str) -> None:
    print(f"[bench {datetime.now(UTC):%H:%M:%S}] {message}", flush=True)


def sh(*args: str | Path, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    done = subprocess.run(
        [str(a) for a in args],
        env={**os.environ, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(map(str, args))} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def psql(sql: str, db: str = "postgres") -> str:
    return sh("psql", "-h", "127.0.0.1", "-U", "postgres", "-qtAc", sql, db).strip()


def polydesk_env(db: str = "bench_polydesk") -> dict[str, str]:
    return {
        "POLYDESK_DATABASE_URL": f"postgresql+asyncpg://postgres@127.0.0.1:5432/{db}",
        "POLYDESK_DATA_DIR": str(WORK / "polydesk"),
        "POLYDESK_RATE_LIMIT_PER_HOUR": "1000000000",
    }


def ensure_wrk() -> str:
    path = shutil.which("wrk")
    if path is None:
        log("installing wrk (Debian package)")
        subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, capture_output=True)
        path = shutil.which("wrk")
    if path is None:
        raise SystemExit("wrk is not installed")
    return path


def prepare(records: int, seed: int, peer: bool = True) -> None:
    """Load the same data set into Polydesk's and (``peer``) the peer's databases, copy
    Polydesk's for the limit."""
    (WORK / "polydesk").mkdir(parents=True, exist_ok=True)
    if not psql("select 1 from pg_database where datname = 'bench_polydesk'"):
        psql("create database bench_polydesk")
    env = polydesk_env()
    sh(VENV / "polydesk", "db", "upgrade", env=env)
    if psql("select count(*) from user_account where username = 'tim'", "bench_polydesk") != "1":
        log("polydesk: demo base set (users, services, custom fields)")
        sh(VENV / "polydesk", "demo", "--records-per-kind", "1", env=env)
    log(f"polydesk: loading {records} records")
    sh(VENV / "python", BENCH / "datagen.py", "polydesk", "--records", str(records),
       "--seed", str(seed))  # fmt: skip
    psql("drop database if exists bench_limit with (force)")
    # A template must have no other session: one a stopped server's worker still held made it fail.
    psql(
        "select count(pg_terminate_backend(pid)) from pg_stat_activity "
        "where datname = 'bench_polydesk' and pid <> pg_backend_pid()"
    )
    psql("create database bench_limit template bench_polydesk")
    if not peer:
        settle(["bench_polydesk", "bench_limit"])
        return
    if not (PEER / ".venv" / "bin" / "gunicorn").exists() or not psql(
        "select 1 from pg_database where datname = 'bench_peer'"
    ):
        log("peer: installing django-helpdesk 2.6.1")
        sh(BENCH / "peer" / "setup.sh")
    log(f"peer: loading {records} records")
    sh(VENV / "python", BENCH / "datagen.py", "peer", "--records", str(records),
       "--seed", str(seed))  # fmt: skip
    settle(["bench_polydesk", "bench_limit", "bench_peer"])


def settle(databases: list[str]) -> None:
    """Write out what loading the data left dirty (PostgreSQL's buffers, the kernel's page
    cache): the servers started next are timed from their start, and a start-up during that
    writeback measured the disk, not the server (at 1M records, half a second more). Then
    read the ``databases`` the servers will serve back into memory (:func:`prewarm`)."""
    psql("checkpoint")
    os.sync()
    for db in databases:
        prewarm(db)


def prewarm(db: str) -> None:
    """Read every table and index of ``db`` once (``pg_prewarm`` into the kernel's page
    cache), so that a server's run finds the data set in memory as a server that has been
    serving it would, not on disk behind a bulk load.

    Done after loading and again before every run (:func:`run_wrk`): the
    machine of bench/results/ hands its page cache back to the host (about 8 MB/s), so over
    the ten minutes of a size's runs the 1M data set went back to disk piecemeal, and which
    run read how much of it from there was chance (a 5 s GET run at 1M sent 1,900 to
    13,400 reads to the disk, and its throughput varied by 40 % from one run to the next).
    Reading it again costs 0.6–2 s at 1M."""
    psql("create extension if not exists pg_prewarm", db)
    psql(
        "select sum(pg_prewarm(c.oid, 'read')) from pg_class c "
        "where c.relkind in ('r', 'i', 't') and c.relnamespace = 'public'::regnamespace",
        db,
    )


def compile_sources() -> None:
    """Write the bytecode of Polydesk's and the limit's sources, as an installed package has
    it: the editable install has none, and an environment that forbids writing it
    (``PYTHONDONTWRITEBYTECODE``) made every start compile the whole application from source,
    0.2 s of each start-up timed."""
    compileall.compile_dir(ROOT / "src", quiet=1)
    compileall.compile_file(BENCH / "limit.py", quiet=1)


class Server:
    def __init__(self, name: str, workers: int) -> None:
        self.name, self.workers, self.port = name, workers, PORTS[name]
        self.proc: subprocess.Popen[bytes] | None = None
        self.startups: list[float] = []
        """From the process start to the first answered request, each start (restarts too)."""

    def start(self) -> None:
        logfile = open(WORK / f"{self.name}.log", "ab")  # kept open for the server process
        host, port, workers = "127.0.0.1", str(self.port), str(self.workers)
        if self.name == "polydesk":
            cmd = [str(VENV / "polydesk"), "serve", "--host", host, "--port", port,
                   "--workers", workers]  # fmt: skip
            env = {**os.environ, **polydesk_env()}
            cwd = ROOT
        elif self.name == "peer":
            cmd = [str(PEER / ".venv" / "bin" / "gunicorn"), "peer.wsgi:application",
                   "--bind", f"{host}:{port}", "--workers", workers, "--worker-class", "sync",
                   "--timeout", "120"]  # fmt: skip
            env, cwd = dict(os.environ), PEER
        else:
            # gunicorn only to give each uvicorn worker a listening socket of its own, as
            # Polydesk's workers have: with uvicorn's own --workers they share one, and the
            # first worker awake took most of wrk's 32 connections (24–32 of them).
            cmd = [str(VENV / "gunicorn"), "bench.limit:app", "--bind", f"{host}:{port}",
                   "--workers", workers, "--worker-class", "bench.limit.Worker",
                   "--reuse-port", "--log-level", "warning"]  # fmt: skip
            env = {**os.environ, "LIMIT_DSN": f"{PG}/bench_limit"}
            cwd = ROOT
        started = time.monotonic()
        self.proc = subprocess.Popen(
            cmd, env=env, cwd=cwd, stdout=logfile, stderr=logfile, start_new_session=True
        )
        self.wait_ready()
        self.startups.append(round(time.monotonic() - started, 3))

    def worker_rss_mb(self) -> list[float]:
        """Resident memory of each worker process (the server's children), in MB."""
        if self.proc is None:
            return []
        pid = self.proc.pid
        out = []
        for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
            try:
                status = Path(f"/proc/{child}/status").read_text()
            except OSError:
                continue  # exited meanwhile
            rss_kb = next(
                (line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")),
                None,
            )
            if rss_kb is not None:  # a zombie has none
                out.append(round(int(rss_kb) / 1024, 1))
        return sorted(out)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                url = f"http://127.0.0.1:{self.port}/api/"
                with urllib.request.urlopen(url, timeout=30):
                    return
            except urllib.error.HTTPError:
                return
            except OSError:
                time.sleep(0.05)
        raise SystemExit(f"{self.name} did not start; see {WORK / (self.name + '.log')}")

    def stop(self, hard: bool = False) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL if hard else signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.proc = None

    def restart(self) -> None:
        """Drop the work still queued (a sync worker finishes a request whose client left),
        and the queries it left running: PostgreSQL notices a killed client only when it next
        writes to it, and a peer query loading every ticket kept the server busy through the
        next server's run."""
        self.stop(hard=True)
        if self.name == "peer":
            psql(
                "select count(pg_terminate_backend(pid)) from pg_stat_activity "
                "where datname = 'bench_peer' and pid <> pg_backend_pid()"
            )
        self.start()


STARTS = 3
"""Starts timed per server and data size. One start is one sample of the machine: at 1M the
same tree's first start took 1.57 s in one grid and 2.28 s in the next, the import of the
application sharing two cores with whatever ran then."""


def startup_summary(startups: list[float]) -> dict[str, Any]:
    """The median of the timed starts (``startup_s``), each of them, and the first: the one
    right after the data set was loaded."""
    return {
        "startup_s": statistics.median(startups),
        "startup_runs_s": list(startups),
        "startup_first_s": startups[0],
    }


def post_form(url: str, fields: dict[str, str], auth: str) -> dict[str, Any]:
    data = "&".join(f"{k}={urllib.request.quote(v)}" for k, v in fields.items()).encode()
    request = urllib.request.Request(
        url,
        data=data,
        headers={"Authorization": auth, "Content-Type": "application/x-www-form-urlencoded"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        result: dict[str, Any] = json.loads(response.read())
        return result


def credentials() -> dict[str, str]:
    """Authorization header per dialect: Basic tim/123, a ServiceOps bearer, a GoToAssist key."""
    client = "Basic " + base64.b64encode(b"main-web-app-client:main-web-app-secret").decode()
    token = post_form(
        f"http://127.0.0.1:{PORTS['polydesk']}/api/oauth/token",
        {"grant_type": "password", "username": "tim@acme.com", "password": "123"},
        client,
    )["access_token"]
    key = sh(VENV / "polydesk", "tokens", "create", "--user", "tim@acme.com", "--name", "bench",
             env=polydesk_env()).strip().splitlines()[-1].strip()  # fmt: skip
    return {
        "hd": BASIC,
        "so": f"Bearer {token}",
        "ga": "Basic " + base64.b64encode(f"x:{key}".encode()).decode(),
    }


def run_wrk(
    wrk: str,
    scenario: str,
    server: str,
    records: int,
    auth: str,
    seconds: float,
    conns: int,
    pace_ms: float = 0,
) -> dict[str, Any]:
    """One wrk run. A run that completes nothing reports ``rps_below`` = 1/duration.
    ``pace_ms``: each connection waits that long on average before each request."""
    script = WORK / "wrk" / f"{scenario}.lua"
    script.parent.mkdir(parents=True, exist_ok=True)
    script.write_text(
        (BENCH / "wrk" / "common.lua").read_text()
        + (BENCH / "wrk" / SCENARIOS[scenario][0]).read_text()
    )
    env = {"BENCH_AUTH": auth, "BENCH_RECORDS": str(records), "BENCH_SEED": "42",
           "BENCH_PACE_MS": str(round(pace_ms))}  # fmt: skip
    prewarm(DATABASES[server])
    out = sh(wrk, "-t1", f"-c{conns}", f"-d{max(1, round(seconds))}s", "--timeout", "60s",
             "-s", script, f"http://127.0.0.1:{PORTS[server]}", env=env)  # fmt: skip
    match = re.search(r"^BENCH (\{.*\})$", out, re.M)
    if match is None:
        raise SystemExit(f"no report from wrk:\n{out}")
    if server != "peer":  # the peer is restarted after its runs instead
        wait_idle(DATABASES[server])
    raw: dict[str, Any] = json.loads(match.group(1))
    seconds_run = raw["duration_us"] / 1e6
    ok = raw["requests"] - raw["non2xx"]
    return {
        "rps": ok / seconds_run if seconds_run else 0.0,
        "rps_below": round(1 / seconds_run, 4) if ok == 0 and seconds_run else None,
        "connections": conns,
        "p50_ms": raw["p50_us"] / 1000 if raw["requests"] else None,
        "p99_ms": raw["p99_us"] / 1000 if raw["requests"] else None,
        **raw,
    }


def wait_idle(db: str, timeout: float = 60) -> None:
    """Wait until the queries a run left running in ``db`` have finished. wrk stops with
    requests in flight, and the server's queries go on without their clients: the limit's
    list runs at 1M records left 32 `count(*)` scans of a second each, which the next run —
    Polydesk's, every other round — shared the machine with (its creates then showed a p99 of
    0.5–0.7 s and a third less throughput, in exactly the runs that followed them)."""
    deadline = time.monotonic() + timeout
    running = (
        "select count(*) from pg_stat_activity "
        f"where datname = '{db}' and state = 'active' and pid <> pg_backend_pid()"
    )
    while psql(running) != "0":
        if time.monotonic() > deadline:
            log(f"{db}: queries still running after {timeout:.0f} s")
            return
        time.sleep(0.05)


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    rps = [r["rps"] for r in runs]
    p50 = [r["p50_ms"] for r in runs if r["p50_ms"] is not None]
    p99 = [r["p99_ms"] for r in runs if r["p99_ms"] is not None]
    return {
        "rps": statistics.median(rps),
        "rps_min": min(rps),
        "rps_max": max(rps),
        "rps_below": max((r["rps_below"] for r in runs if r["rps_below"]), default=None)
        if not any(rps)
        else None,
        "p50_ms": statistics.median(p50) if p50 else None,
        "p99_ms": statistics.median(p99) if p99 else None,
        "p99_ms_min": min(p99) if p99 else None,
        "p99_ms_max": max(p99) if p99 else None,
        "requests": sum(r["requests"] for r in runs),
        "non2xx": sum(r["non2xx"] for r in runs),
        "errors": sum(
            r["connect_errors"] + r["read_errors"] + r["write_errors"] + r["timeouts"] for r in runs
        ),
        "runs": runs,
    }


def environment(args: argparse.Namespace, wrk: str) -> dict[str, Any]:
    cpu = next(
        (line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
         if line.startswith("model name")),
        platform.processor(),
    )  # fmt: skip
    wrk_version = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False)
    polydesk_pkgs = sh(VENV / "python", "-m", "pip", "list", "--format=json")
    peer_python = PEER / ".venv" / "bin" / "python"
    # A run without the peer needs no peer installed.
    peer_pkgs = (
        sh(peer_python, "-m", "pip", "list", "--format=json") if "peer" in args.servers else "[]"
    )
    keep = {"fastapi", "uvicorn", "starlette", "sqlalchemy", "asyncpg", "pydantic", "orjson",
            "argon2-cffi", "django", "django-helpdesk", "djangorestframework", "gunicorn",
            "psycopg", "polydesk"}  # fmt: skip
    versions = {
        p["name"].lower(): p["version"]
        for p in json.loads(polydesk_pkgs) + json.loads(peer_pkgs)
        if p["name"].lower() in keep
    }
    load = Path("/proc/loadavg").read_text().split()[:3]
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {
            "cpu": cpu,
            "cores": os.cpu_count(),
            "os": platform.platform(),
            "python": platform.python_version(),
            "load_average_at_start": load,
            "note": "client (wrk) and servers share the machine; loopback only",
        },
        "versions": {
            **versions,
            "postgresql": psql("show server_version"),
            "wrk": (wrk_version.stdout + wrk_version.stderr).splitlines()[0],
            "git": sh("git", "rev-parse", "--short", "HEAD", cwd=ROOT).strip(),
        },
        "settings": {
            "workers_per_server": args.workers,
            "wrk_threads": 1,
            "connections": args.connections,
            "peer_connections": args.peer_connections,
            "seconds_per_run": args.seconds,
            "peer_seconds_per_run": args.peer_seconds,
            "runs": args.runs,
            "seed": args.seed,
            "auth": "Basic tim:123 (staff) on the django-helpdesk dialect, the peer and the "
            "limit; ServiceOps: OAuth2 bearer of tim; GoToAssist: tim's API token",
            "polydesk": "polydesk serve (uvicorn), POLYDESK_DB_POOL_SIZE default, Basic "
            "credential cache on (default 60 s), rate limit raised to 1e9/h",
            "peer": "gunicorn sync workers, Django default PBKDF2 hasher, CONN_MAX_AGE=60, "
            "DEBUG off; one connection per worker (a sync worker serves one request at a "
            "time); restarted after each run so that requests left queued by wrk do not run "
            "on into the next measurement",
            "limit": "uvicorn + Starlette + asyncpg pool (2..10) per worker",
        },
    }


def ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def write_results(
    env: dict[str, Any], data: dict[str, Any], processes: dict[str, Any], plots: bool
) -> None:
    RESULTS.mkdir(parents=True, exist_ok=True)
    ratios: dict[str, Any] = {}
    for size, scenarios in data.items():
        for scenario, servers in scenarios.items():
            pd = servers.get("polydesk", {}).get("rps")
            entry = {
                "polydesk_over_peer": ratio(pd, servers.get("peer", {}).get("rps")),
                "polydesk_over_limit": ratio(pd, servers.get("limit", {}).get("rps")),
            }
            below = servers.get("peer", {}).get("rps_below")
            if below:  # the peer completed nothing: a lower bound of the ratio
                entry["polydesk_over_peer_at_least"] = ratio(pd, below)
            ratios.setdefault(size, {})[scenario] = entry
    latest = {"environment": env, "results": data, "ratios": ratios, "processes": processes}
    (RESULTS / "latest.json").write_text(json.dumps(latest, indent=2) + "\n")
    (RESULTS / "latest.md").write_text(markdown(env, data, ratios, processes))
    if plots:
        plot(data)


def fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def peer_ratio(entry: dict[str, Any]) -> str:
    if entry.get("polydesk_over_peer_at_least"):
        return f"> {entry['polydesk_over_peer_at_least']:,.0f}"
    return fmt(entry.get("polydesk_over_peer"), 2)


def rps_text(summary: dict[str, Any]) -> str:
    if summary.get("rps_below"):
        return f"< {summary['rps_below']:.2f} (none completed)"
    return fmt(summary["rps"])


def markdown(
    env: dict[str, Any], data: dict[str, Any], ratios: dict[str, Any], processes: dict[str, Any]
) -> str:
    lines = [
        "# Benchmark results",
        "",
        f"Run {env['date']} at commit {env['versions']['git']}. Requests/s counts 2xx answers "
        "only; figures are the median over the runs, with [min–max] of requests/s; latencies "
        "in ms as measured by wrk.",
        "",
    ]
    for size, scenarios in data.items():
        lines += [
            f"## {int(size):,} records",
            "",
            "| scenario | server | req/s | [min–max] | p50 ms | p99 ms | requests | non-2xx | "
            "Polydesk/peer | Polydesk/limit |",
            "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for scenario, servers in scenarios.items():
            for server, s in servers.items():
                r = ratios[size][scenario] if server == "polydesk" else {}
                lines.append(
                    f"| {SCENARIOS[scenario][2]} | {server} | {rps_text(s)} | "
                    f"{fmt(s['rps_min'])}–{fmt(s['rps_max'])} | {fmt(s['p50_ms'])} | "
                    f"{fmt(s['p99_ms'])} | {s['requests']} | {s['non2xx']} | "
                    f"{peer_ratio(r)} | "
                    f"{fmt(r.get('polydesk_over_limit'), 2)} |"
                )
        lines.append("")
        paced = [
            (scenario, server, s["paced"])
            for scenario, servers in scenarios.items()
            for server, s in servers.items()
            if "paced" in s
        ]
        if paced:
            lines += [
                f"Latency at half load: {paced[0][2]['connections']} connections pacing their "
                "requests to offer half of the server's saturated requests/s above; the "
                "median of the runs, with [min–max] of p99.",
                "",
                "| scenario | server | offered req/s | served req/s | p50 ms | p99 ms | "
                "[min–max] |",
                "|---|---|---:|---:|---:|---:|---:|",
            ]
            for scenario, server, p in paced:
                spread = (
                    f"{fmt(p['p99_ms_min'])}–{fmt(p['p99_ms_max'])}" if "p99_ms_min" in p else "–"
                )
                lines.append(
                    f"| {SCENARIOS[scenario][2]} | {server} | {fmt(p['offered_rps'])} | "
                    f"{fmt(p['rps'])} | {fmt(p['p50_ms'])} | {fmt(p['p99_ms'])} | {spread} |"
                )
            lines.append("")
        if size in processes:
            lines += [
                f"| server | start-up to first answer, median of {STARTS} (s) | each start (s) | "
                "resident memory per worker after the runs (MB) |",
                "|---|---:|---|---|",
            ]
            for server, p in processes[size].items():
                rss = ", ".join(fmt(m) for m in p.get("worker_rss_mb_after", [])) or "–"
                starts = ", ".join(fmt(s, 2) for s in p.get("startup_runs_s", [])) or "–"
                lines.append(f"| {server} | {fmt(p.get('startup_s'), 2)} | {starts} | {rss} |")
            lines.append("")
    lines += ["## Machine, versions and settings", "", "```json",
              json.dumps(env, indent=2), "```", ""]  # fmt: skip
    return "\n".join(lines)


def plot(data: dict[str, Any]) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        log("matplotlib missing (pip install -e '.[bench]'): no plots")
        return
    sizes = sorted(data, key=int)
    for scenario in SCENARIOS:
        fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(10, 4))
        drawn = False
        for server in ("polydesk", "peer", "limit"):
            xs = [int(s) for s in sizes if server in data[s].get(scenario, {})]
            if not xs:
                continue
            drawn = True
            rows = [data[str(x)][scenario][server] for x in xs]
            ax1.plot(xs, [r["rps"] for r in rows], marker="o", label=server)
            ax2.plot(xs, [r["p99_ms"] or float("nan") for r in rows], marker="o", label=server)
        if not drawn:
            plt.close(fig)
            continue
        for ax, title in ((ax1, "requests/s"), (ax2, "p99 latency (ms)")):
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("records")
            ax.set_title(title)
            ax.legend()
            ax.grid(True, which="both", alpha=0.3)
        fig.suptitle(SCENARIOS[scenario][2])
        fig.tight_layout()
        fig.savefig(RESULTS / f"{scenario}.png", dpi=80)
        plt.close(fig)


PACED = ("hd_get", "hd_list_status", "hd_create")
"""The latency targets' scenarios: GET by id, a filtered first page, create."""


def paced_runs(
    wrk: str,
    args: argparse.Namespace,
    records: int,
    auth: dict[str, str],
    servers: dict[str, Server],
    results: dict[str, Any],
) -> None:
    """Latency under a set load: 32 connections (``--connections``) pacing their requests so
    that together they offer half of the server's own saturated throughput in this run. At
    saturation a closed loop's p99 is mostly queueing (32 connections / throughput); paced,
    it is what a client sees while the server has headroom. ``--runs`` runs of each, the
    servers alternated as in the saturated runs: one run's p99 is its slowest 1 %, which a
    moment of the machine's other work decides; the median of the runs is reported."""
    for scenario in [s for s in PACED if s in results]:
        order = [s for s in ("polydesk", "limit") if s in servers and results[scenario].get(s)]
        offered = {server: results[scenario][server]["rps"] / 2 for server in order}
        runs: dict[str, list[dict[str, Any]]] = {server: [] for server in order}
        for run in range(args.runs):
            for server in reversed(order) if run % 2 else order:
                if not offered[server]:
                    continue
                pace_ms = args.connections / offered[server] * 1000
                result = run_wrk(wrk, scenario, server, records, auth[scenario[:2]],
                                 max(args.seconds, 10), args.connections, pace_ms)  # fmt: skip
                runs[server].append(result)
                log(
                    f"{records} {scenario} {server} paced at {offered[server]:.0f} req/s: "
                    f"{result['rps']:.1f} req/s p99 {fmt(result['p99_ms'])} ms"
                )
        for server, done in runs.items():
            if done:
                summary = summarise(done)
                summary["offered_rps"] = round(offered[server], 1)
                summary["connections"] = args.connections
                results[scenario][server]["paced"] = summary


def main() -> None:
    parser = argparse.ArgumentParser(description="Polydesk benchmark (wrk)")
    parser.add_argument("--quick", action="store_true", help="1k records, short runs")
    parser.add_argument("--sizes", type=int, nargs="+", default=None)
    parser.add_argument("--seconds", type=float, default=None, help="per run and server")
    parser.add_argument("--peer-seconds", type=float, default=None)
    parser.add_argument("--runs", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--peer-connections", type=int, default=None, help="default: workers")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scenarios", nargs="+", default=list(SCENARIOS))
    parser.add_argument("--servers", nargs="+", default=["polydesk", "peer", "limit"])
    parser.add_argument(
        "--peer-up-to",
        type=int,
        default=None,
        metavar="RECORDS",
        help="run the peer only at data sizes up to this (it completes no read beyond 1k)",
    )
    parser.add_argument(
        "--paced",
        action="store_true",
        help="also measure latency at half of each server's saturated throughput",
    )
    args = parser.parse_args()
    args.peer_connections = args.peer_connections or args.workers
    if args.quick:
        args.sizes = args.sizes or [1000]
        args.seconds = args.seconds or 2
        args.peer_seconds = args.peer_seconds or 15
        args.runs = args.runs or 3
    else:
        args.sizes = args.sizes or [1000, 100_000, 1_000_000]
        args.seconds = args.seconds or 10
        args.peer_seconds = args.peer_seconds or 30
        args.runs = args.runs or 5
    wrk = ensure_wrk()
    data: dict[str, Any] = {}
    processes: dict[str, Any] = {}
    env: dict[str, Any] = {}
    for records in args.sizes:
        names = [
            name
            for name in args.servers
            if name != "peer" or args.peer_up_to is None or records <= args.peer_up_to
        ]
        prepare(records, args.seed, peer="peer" in names)
        compile_sources()
        servers = {name: Server(name, args.workers) for name in names}
        try:
            for name, server in servers.items():
                log(f"starting {name}")
                server.start()
            for _ in range(STARTS - 1):
                for server in servers.values():
                    server.restart()
            process: dict[str, dict[str, Any]] = {
                name: startup_summary(server.startups) for name, server in servers.items()
            }
            auth = credentials() if "polydesk" in servers else {"hd": BASIC}
            env = env or environment(args, wrk)
            for name in ("polydesk", "limit"):
                if name in servers:  # fill the per-process credential caches and pools
                    for scenario in ("hd_get", "hd_list"):
                        run_wrk(wrk, scenario, name, records, auth["hd"], 2, args.connections)
            runs: dict[str, dict[str, list[dict[str, Any]]]] = {}
            for run in range(args.runs):
                for scenario in args.scenarios:
                    order = [s for s in SCENARIOS[scenario][1] if s in servers]
                    if run % 2:
                        order.reverse()
                    for server in order:
                        seconds = args.peer_seconds if server == "peer" else args.seconds
                        if server == "peer" and run > 0 and args.quick:
                            continue  # one long peer run is all a short bench can afford
                        conns = args.peer_connections if server == "peer" else args.connections
                        result = run_wrk(wrk, scenario, server, records,
                                         auth[scenario[:2]], seconds, conns)  # fmt: skip
                        if server == "peer":
                            servers["peer"].restart()
                        runs.setdefault(scenario, {}).setdefault(server, []).append(result)
                        log(
                            f"{records} {scenario} {server}: {result['rps']:.1f} req/s "
                            f"p99 {fmt(result['p99_ms'])} ms non2xx {result['non2xx']}"
                        )
            data[str(records)] = {
                scenario: {server: summarise(r) for server, r in per.items()}
                for scenario, per in runs.items()
            }
            if args.paced:
                paced_runs(wrk, args, records, auth, servers, data[str(records)])
            for name, server in servers.items():
                process[name]["worker_rss_mb_after"] = server.worker_rss_mb()
            processes[str(records)] = process
        finally:
            for server in servers.values():
                server.stop()
        write_results(env, data, processes, plots=True)
    log(f"results in {RESULTS}")


if __name__ == "__main__":
    sys.exit(main())
