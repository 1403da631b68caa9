#!/usr/bin/env python3
"""The platform at province scale: T simulated terminals against 1 and 2 platform instances.

Starts a throwaway PostgreSQL cluster (`tests.sync.servers.PostgresServer`) and, once
`platform serve` has `--s3-endpoint`, a SeaweedFS S3 server (`tests.sync.seaweed`);
without it the instances share one local home (the local sealed directory store).
Each run gets a fresh database (and bucket) and its own `onewindow platform serve`
processes; T terminals, each an asyncio task with its own httpx connections (not T
processes), enroll and then sync their applications the way `SyncEngine` does
(catalog, pushes of 20, the missing files uploaded two at a time in chunks sized by
the terminal's own sizer, sync.chunk_size: by default links that have proven
themselves, as the terminal keeps them across restarts; `--link fresh` for
terminals that have just enrolled; the batch's state, the changes feed, the summary). With two
instances a router in the client does what deploy/nginx does (a device's upload
requests on one instance by a hash of its token, the rest round robin, a refused
connection sent to the other).

Printed per run: applications/s (wall time from the first push to the last
confirmation), platform CPU ms per application (the `platform serve` processes and
their children, from /proc), PostgreSQL transactions per application (pg_stat_database,
read after the instances closed their connections), HTTP requests per application,
PostgreSQL's and the object store's own CPU per application (for information), the
PostgreSQL connections the instances opened meanwhile (a warm pool opens none), and
exactly-once: every application on the platform once and complete, told once by the
feed, every file downloaded back with the right SHA-256 (checked through a fresh
instance after the run). Then a run with two instances where one is SIGKILLed when
half the applications are confirmed (0 lost, 0 duplicated), and (with py-spy installed)
a profile of one instance at T = 50: the functions where its CPU goes. The last line
says whether every target is met: <= 10 ms platform CPU per application at T = 50 and
exactly once everywhere. One run of 100 applications is over in about two seconds, and
on a shared machine the same code's figure moved between 7.5 and 16 ms from one run to
the next: `--repeat N` runs each configuration N times and shows (and judges) the median.

    .venv/bin/python bench/platform_load.py                 # T = 1, 10, 50, 200 on 1 and 2 instances
    .venv/bin/python bench/platform_load.py --quick         # a smoke run (seconds, correctness only)
    .venv/bin/python bench/platform_load.py --link fresh    # terminals that have just enrolled
    .venv/bin/python bench/platform_load.py --chunk-kb 32   # the first platform's fixed 32 KB chunks
    .venv/bin/python bench/platform_load.py --terminals 50 --instances 1 --repeat 5   # the target's median

Not a test: its figures depend on the machine (and on whoever else uses its cores).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadsim import cluster, profile  # noqa: E402
from loadsim.cluster import Instance, S3Settings  # noqa: E402
from loadsim.documents import Draft, build_app, demo_catalog, make_drafts  # noqa: E402
from loadsim.terminal import Router, Shared, SimTerminal  # noqa: E402
from loadsim.verify import Verdict, check  # noqa: E402

CPU_TARGET_MS = 10.0
CPU_TARGET_T = 50
TERMINALS_PER_HALL = 10


@dataclass
class RunConfig:
    instances: int
    terminals: int
    applications: int
    kill_one: bool = False
    profiled: bool = False

    @property
    def label(self) -> str:
        extra = " kill 1 halfway" if self.kill_one else " profiled" if self.profiled else ""
        return f"{self.instances} inst, T={self.terminals}{extra}"


@dataclass
class RunResult:
    label: str
    instances: int
    terminals: int
    applications: int
    seconds: float
    apps_per_s: float
    cpu_ms_per_app: float
    xacts_per_app: float
    requests_per_app: float
    pg_cpu_ms_per_app: float
    s3_cpu_ms_per_app: float | None
    payload_mb: float
    creation_with_upload: bool | None
    requests: dict[str, int]
    retry_reasons: dict[str, int] = field(default_factory=dict)
    verdict: dict[str, object] = field(default_factory=dict)
    exactly_once: bool = False
    profile_file: str | None = None
    pg_sessions: int = 0  # PostgreSQL connections the instances opened while the figures ran
    cpu_runs: list[float] = field(default_factory=list)  # CPU ms/app of each run of this configuration (--repeat)


class Bench:
    def __init__(self, args: argparse.Namespace, work: Path) -> None:
        from tests.sync.servers import PostgresServer

        self.args = args
        self.work = work
        self.catalog = demo_catalog()
        self.key_file = work / "blob.key"
        self.storage = self._storage()
        self.pg = PostgresServer()
        self.seaweed = None
        if self.storage == "s3":
            from tests.sync.seaweed import SeaweedServer

            self.seaweed = SeaweedServer()
        self.workers = args.workers if args.workers and cluster.serve_has("--workers") else None
        self.drafts: list[Draft] = []
        self.runs = 0

    def _storage(self) -> str:
        from tests.sync.seaweed import weed_binary

        wanted = self.args.storage
        can = cluster.serve_has("--s3-endpoint") and weed_binary() is not None
        if wanted == "s3" and not can:
            raise SystemExit("--storage s3: this platform serve has no --s3-endpoint, or weed is not installed")
        return "s3" if wanted == "s3" or (wanted == "auto" and can) else "local"

    def close(self) -> None:
        if self.seaweed is not None:
            self.seaweed.stop()
        self.pg.stop()

    def drafts_for(self, count: int) -> list[Draft]:
        """The citizens' input is made once for the largest run and reused (every run has a fresh database
        and bucket, so the same bytes are new to each)."""
        if len(self.drafts) < count:
            self.drafts += make_drafts(self.catalog, count - len(self.drafts), self.args.pages, self.args.page_kb,
                                       seed=len(self.drafts) + 1)
        return self.drafts[:count]

    # --- one run -----------------------------------------------------------------------------------

    def start_instances(self, run_dir: Path, db_url: str, s3: S3Settings | None, count: int) -> list[Instance]:
        instances: list[Instance] = []
        for n in range(count):
            # one shared home for the local store (its bytes live there); a home each with object storage
            home = run_dir / ("home" if s3 is None else f"home-{n}")
            home.mkdir(mode=0o700, exist_ok=True)
            inst = Instance(home, db_url, self.key_file, s3=s3, workers=self.workers, log=run_dir / f"instance-{n}.log")
            instances.append(inst)
            try:
                inst.wait_ready()
            except Exception:
                for i in instances:
                    i.stop()
                raise
        return instances

    def prepare_platform(self, home: Path, db_url: str, names: list[tuple[str, str]]) -> list[str]:
        """The catalog published and one enrollment code per terminal, as `platform publish-catalog` and
        `platform enroll-code` do (in this process: 200 CLI starts would take minutes)."""
        from sync.server.db import open_platform
        from sync.server.enrollment import create_code
        from sync.server.models import PublishedCatalog

        store = open_platform(home, db_url, blob_key_file=self.key_file)
        try:
            with store.transaction() as session:
                session.add(PublishedCatalog(version=self.catalog.version, etag=self.catalog.etag,
                                             document=self.catalog.document))
            return [create_code(store, hall, name, role="kiosk") for hall, name in names]
        finally:
            store.close()

    def run(self, cfg: RunConfig) -> RunResult:
        self.runs += 1
        run_dir = self.work / f"run-{self.runs}"
        run_dir.mkdir()
        db_url = self.pg.new_database()
        s3 = None
        if self.seaweed is not None:
            endpoint = self.seaweed.new_bucket()
            s3 = S3Settings(endpoint.url, endpoint.bucket, endpoint.env())
        profile_out = run_dir / "profile.txt" if cfg.profiled else None
        instances = self.start_instances(run_dir, db_url, s3, cfg.instances)
        try:
            names = [(f"330106{n // TERMINALS_PER_HALL + 1:03d}", f"kiosk-{n + 1}") for n in range(cfg.terminals)]
            warm_names = [(f"330199{n + 1:03d}", f"warm-up-{n + 1}") for n in range(cfg.instances)]
            codes = self.prepare_platform(instances[0].home, db_url, names + warm_names)
            shared = Shared(Router([i.url for i in instances]), chunk_cap=self.args.max_chunk_kb * 1024,
                            proven_bytes=self.args.proven_mb * 1_000_000 if self.args.link == "proven" else 0,
                            in_service=self.args.link == "proven",
                            fixed_chunk=self.args.chunk_kb * 1024 if self.args.chunk_kb is not None else None,
                            batches=not self.args.no_batches)
            terminals = [SimTerminal(name, hall, code, shared) for (hall, name), code in zip(names, codes)]
            # one terminal per instance, on that instance only, syncs a few applications before the clock starts
            warmers = [SimTerminal(name, hall, code, Shared(Router([inst.url]), chunk_cap=shared.chunk_cap,
                                                           proven_bytes=shared.proven_bytes,
                                                           in_service=shared.in_service,
                                                           fixed_chunk=shared.fixed_chunk, batches=shared.batches))
                       for (hall, name), code, inst in zip(warm_names, codes[len(names):], instances)]
            result = asyncio.run(self._drive(cfg, terminals, warmers, instances, db_url, shared, profile_out))
        finally:
            for inst in instances:
                inst.stop()
        xacts, opened = cluster.counters(db_url)  # the instances' own connections all closed now
        xacts -= result.pop("xacts_before")  # type: ignore[operator]
        opened -= result.pop("sessions_before")  # type: ignore[operator]
        checker = self.start_instances(run_dir, db_url, s3, 1)[0]
        try:
            verdict = check(db_url, terminals + warmers, checker.url)
        finally:
            checker.stop()
        apps = cfg_apps = len([a for t in terminals for a in t.apps])
        requests = dict(shared.requests)
        return RunResult(
            label=cfg.label, instances=cfg.instances, terminals=cfg.terminals, applications=cfg_apps,
            seconds=round(result["seconds"], 2), apps_per_s=round(apps / result["seconds"], 2),
            cpu_ms_per_app=round(1000 * result["cpu"] / apps, 1), xacts_per_app=round(xacts / apps, 1),
            requests_per_app=round(sum(requests.values()) / apps, 1),
            pg_cpu_ms_per_app=round(1000 * result["pg_cpu"] / apps, 1),
            s3_cpu_ms_per_app=round(1000 * result["s3_cpu"] / apps, 1) if self.seaweed is not None else None,
            payload_mb=round(sum(a.payload_bytes for t in terminals for a in t.apps) / 2**20, 1),
            creation_with_upload=shared.creation_with_upload, requests=requests,
            retry_reasons=dict(shared.retry_reasons.most_common()),
            verdict={**asdict(verdict), "problems": verdict.problems[:10], "line": verdict.line()},
            exactly_once=verdict.ok, profile_file=str(profile_out) if profile_out else None,
            pg_sessions=int(opened))

    def _other_cpu(self) -> tuple[float, float]:
        pg = cluster.tree_cpu_seconds(cluster.postmaster_pid(self.pg.data))
        s3 = cluster.tree_cpu_seconds(self.seaweed.process.pid) if self.seaweed is not None else 0.0
        return pg, s3

    async def _drive(self, cfg: RunConfig, terminals: list[SimTerminal], warmers: list[SimTerminal],
                     instances: list[Instance], db_url: str, shared: Shared,
                     profile_out: Path | None) -> dict[str, float]:
        gate = asyncio.Semaphore(50)

        async def enroll(t: SimTerminal) -> None:
            async with gate:
                await t.enroll()

        await asyncio.gather(*(enroll(t) for t in terminals + warmers))
        if shared.in_service:
            await asyncio.gather(*(t.in_service() for t in terminals + warmers))
        shared.requests.clear()  # enrollment happens once in a terminal's life: outside the figures, as its CPU
        per_terminal = max(1, -(-cfg.applications // cfg.terminals))
        warm = self.args.warm_up
        drafts = self.drafts_for(per_terminal * cfg.terminals + warm * len(warmers))
        today = date.today()
        for n, t in enumerate(terminals):
            t.apps = [build_app(self.catalog, d, t.hall_code, t.device_no, k + 1, today)
                      for k, d in enumerate(drafts[n * per_terminal:(n + 1) * per_terminal])]
        rest = drafts[per_terminal * cfg.terminals:]
        for n, t in enumerate(warmers):
            t.apps = [build_app(self.catalog, d, t.hall_code, t.device_no, k + 1, today)
                      for k, d in enumerate(rest[n * warm:(n + 1) * warm])]
        # A platform runs for months: first-use costs (imports, compiled statements, connections) are not an
        # application's, so every instance serves a few before the figures start.
        await asyncio.gather(*(t.sync() for t in warmers))
        learnt = {w.shared.creation_with_upload for w in warmers} - {None}
        if len(learnt) == 1:  # whether the platform takes the first chunk in the POST, as a terminal remembers it
            shared.creation_with_upload = learnt.pop()
        total = per_terminal * cfg.terminals
        xacts_before, sessions_before = cluster.counters(db_url)
        cpu_before = sum(i.cpu_seconds() for i in instances)
        pg_before, s3_before = self._other_cpu()
        start = time.monotonic()

        def kill_halfway(confirmed: int) -> None:
            if confirmed >= total // 2 and instances[-1].cpu_at_kill is None:
                instances[-1].kill()
                print(f"  killed instance {len(instances)} (SIGKILL) at {confirmed}/{total} confirmed",
                      file=sys.stderr)

        if cfg.kill_one:
            shared.on_confirmed = kill_halfway
        recorder = None
        if profile_out is not None:
            binary = profile.py_spy()
            assert binary is not None
            recorder = profile.Recorder(binary, instances[0].process.pid, profile_out)
        await asyncio.gather(*(t.sync() for t in terminals))
        seconds = time.monotonic() - start
        if recorder is not None:
            complaint = recorder.stop()
            if not profile_out.is_file():  # type: ignore[union-attr]
                print(f"  py-spy wrote no profile: {complaint}", file=sys.stderr)
        cpu = sum(i.cpu_seconds() for i in instances) - cpu_before
        pg_after, s3_after = self._other_cpu()
        await asyncio.gather(*(t.close() for t in terminals))
        return {"seconds": seconds, "cpu": cpu, "sessions_before": sessions_before, "pg_cpu": pg_after - pg_before, "s3_cpu": s3_after - s3_before,
                "xacts_before": xacts_before}


# --- output ---------------------------------------------------------------------------------------

def median_run(runs: list[RunResult]) -> RunResult:
    """The run whose CPU per application is the median of the configuration's runs, with every run's figure
    beside it; exactly once only if every run was."""
    ordered = sorted(runs, key=lambda r: r.cpu_ms_per_app)
    middle = ordered[len(ordered) // 2]  # of an even count, the higher of the two middle runs
    middle.cpu_runs = [r.cpu_ms_per_app for r in runs]
    for other in runs:
        if other is not middle and not other.exactly_once:
            middle.exactly_once = False
            middle.verdict = {**middle.verdict, "problems": [*middle.verdict.get("problems", []),  # type: ignore[misc]
                                                             f"another run: {other.verdict['line']}"]}
    return middle


def print_table(results: list[RunResult]) -> None:
    head = (f"{'run':28} {'apps':>5} {'s':>7} {'apps/s':>7} {'CPU ms/app':>10} {'xact/app':>8} {'req/app':>7} "
            f"{'PG ms/app':>9} {'S3 ms/app':>9} {'retries':>7}  exactly once")
    print(head)
    for r in results:
        s3 = f"{r.s3_cpu_ms_per_app:>9}" if r.s3_cpu_ms_per_app is not None else f"{'-':>9}"
        print(f"{r.label:28} {r.applications:>5} {r.seconds:>7} {r.apps_per_s:>7} {r.cpu_ms_per_app:>10} "
              f"{r.xacts_per_app:>8} {r.requests_per_app:>7} {r.pg_cpu_ms_per_app:>9} {s3} "
              f"{sum(r.retry_reasons.values()):>7}  {'yes' if r.exactly_once else 'NO'}: {r.verdict['line']}")
        print(f"    PostgreSQL connections opened while it ran: {r.pg_sessions}")
        if len(r.cpu_runs) > 1:
            print(f"    CPU ms/app of its {len(r.cpu_runs)} runs: {', '.join(str(c) for c in r.cpu_runs)} "
                  "(the row is the median run's)")
        if r.retry_reasons:
            print("    retried: " + ", ".join(f"{why} x{n}" for why, n in list(r.retry_reasons.items())[:6]))
        for problem in r.verdict.get("problems", [])[:5]:  # type: ignore[union-attr]
            print(f"    {problem}")


def print_profile(path: Path) -> list[str]:
    samples, own, inclusive = profile.summarize(path)
    lines = [f"profile of one instance ({samples} samples, py-spy --gil: the thread holding the GIL):", "  top self:"]
    lines += [f"    {100 * n / samples:5.1f} %  {name}" for name, n in own[:15]] if samples else []
    lines.append("  self time by package:")
    lines += [f"    {100 * n / samples:5.1f} %  {name}" for name, n in profile.by_package(own)[:15]] if samples else []
    lines.append("  top inclusive (this project's code):")
    ours = [(name, n) for name, n in inclusive if "(sync/" in name or "(kiosk/" in name]
    lines += [f"    {100 * n / samples:5.1f} %  {name}" for name, n in ours[:20]] if samples else []
    print("\n".join(lines))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--terminals", default="1,10,50,200", help="comma-separated numbers of terminals")
    parser.add_argument("--instances", default="1,2", help="comma-separated numbers of platform instances")
    parser.add_argument("--applications", type=int, default=100,
                        help="applications per run at least (each terminal has at least one)")
    parser.add_argument("--pages", type=int, default=2, help="attachments per application (at least the required)")
    parser.add_argument("--page-kb", type=int, default=200, help="size of each attachment (incompressible)")
    parser.add_argument("--chunk-kb", type=int, default=None,
                        help="a fixed upload chunk (e.g. 32, the first platform's); default: the terminal's own "
                             "sizer (sync.chunk_size), starting from --link")
    parser.add_argument("--link", choices=["proven", "fresh"], default="proven",
                        help="proven: terminals in service, each holding the catalog and a link that has carried "
                             "--proven-mb without a cut, as the terminal keeps it across restarts (sync.link_memory): "
                             "a province's terminals after their first day; fresh: terminals that have just enrolled "
                             "(the catalog to fetch, 32 KB chunks until some 1.6 MB got through, then growing)")
    parser.add_argument("--proven-mb", type=int, default=20,
                        help="what a proven link has carried (20: a busy kiosk's first day; the sizer then sends "
                             "400 KB chunks, so a 200 KB page goes whole in its POST)")
    parser.add_argument("--no-batches", action="store_true",
                        help="every file in its own POST /uploads, as terminals from before POST /uploads/batch")
    parser.add_argument("--max-chunk-kb", type=int, default=4096, help="the platform's largest chunk (serve's default)")
    parser.add_argument("--workers", type=int, default=None, help="`platform serve --workers N`, where it exists")
    parser.add_argument("--storage", choices=["auto", "local", "s3"], default="auto",
                        help="auto: object storage once `platform serve` has --s3-endpoint")
    parser.add_argument("--warm-up", type=int, default=3,
                        help="applications each instance serves (from its own terminal) before the clock starts")
    parser.add_argument("--kill-terminals", type=int, default=50, help="terminals of the run that kills an instance")
    parser.add_argument("--no-kill", action="store_true")
    parser.add_argument("--profile-terminals", type=int, default=50)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--quick", action="store_true", help="a smoke run: few terminals and small files; the "
                                                             "CPU target is not judged")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run each configuration this many times (each on a fresh database) and show the "
                             "median run: on a shared machine one run of 100 applications moved by a fifth")
    parser.add_argument("--json", action="store_true", help="also print every figure as JSON")
    parser.add_argument("--keep", type=Path, default=None, help="keep logs and profiles in this directory")
    args = parser.parse_args()
    cluster.end_on_sigterm()
    if args.quick:
        args.terminals, args.instances, args.applications = "3", "1", 6
        args.pages, args.page_kb, args.kill_terminals, args.no_profile, args.warm_up = 1, 48, 3, True, 1

    terminal_counts = [int(x) for x in args.terminals.split(",") if x.strip()]
    instance_counts = [int(x) for x in args.instances.split(",") if x.strip()]
    configs = [RunConfig(i, t, max(args.applications, t)) for i in instance_counts for t in terminal_counts]
    if not args.no_kill:
        configs.append(RunConfig(2, args.kill_terminals, max(args.applications, args.kill_terminals), kill_one=True))
    want_profile = not args.no_profile
    if want_profile and profile.py_spy() is None:
        print("no profile: py-spy is not installed (.venv/bin/pip install py-spy)", file=sys.stderr)
        want_profile = False
    if want_profile:
        configs.append(RunConfig(1, args.profile_terminals, max(args.applications, args.profile_terminals),
                                 profiled=True))

    results: list[RunResult] = []
    broken: list[str] = []
    profile_lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="ow-load-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        bench = Bench(args, work)
        try:
            chunks = (f"fixed {args.chunk_kb} KB" if args.chunk_kb else
                      f"the terminal's sizer, links proven over {args.proven_mb} MB" if args.link == "proven" else
                      "the terminal's sizer, fresh links (32 KB until 1.6 MB got through)")
            print(f"platform: PostgreSQL, {'object storage (SeaweedFS S3)' if bench.storage == 's3' else 'local store, one shared home'}"
                  f"{f', {bench.workers} workers each' if bench.workers else ''}; uploads: {chunks}; "
                  f"~{args.pages} x {args.page_kb} KB files per application", flush=True)
            for cfg in configs:
                print(f"  running {cfg.label} ({cfg.applications} applications)...", file=sys.stderr, flush=True)
                times = 1 if cfg.kill_one or cfg.profiled else max(1, args.repeat)
                try:
                    runs = [bench.run(cfg) for _ in range(times)]
                except Exception as exc:  # one broken run must not cost the figures of the others
                    print(f"  {cfg.label} failed: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
                    broken.append(f"{cfg.label} failed ({type(exc).__name__})")
                    continue
                result = median_run(runs)
                results.append(result)
                if cfg.profiled and result.profile_file and Path(result.profile_file).is_file():
                    profile_lines = print_profile(Path(result.profile_file))
        finally:
            bench.close()
    measured = [r for r in results if "profiled" not in r.label]
    print_table(measured)
    if args.json:
        print(json.dumps([asdict(r) for r in results], indent=2))
    cwu = {r.creation_with_upload for r in results}
    print(f"creation-with-upload: {'used' if True in cwu else 'refused by this platform (empty POST instead)' if False in cwu else 'not needed'}")

    failed: list[str] = list(broken)
    for r in results:
        if not r.exactly_once:
            failed.append(f"exactly once ({r.label})")
    at_target = [r for r in measured if r.terminals == CPU_TARGET_T and not r.label.endswith("halfway")]
    if not args.quick:
        if not at_target:
            failed.append(f"no run at T = {CPU_TARGET_T} to judge CPU")
        for r in at_target:
            if r.cpu_ms_per_app > CPU_TARGET_MS:
                failed.append(f"CPU {r.cpu_ms_per_app} ms/app > {CPU_TARGET_MS} ({r.label})")
    kill = [r for r in results if r.label.endswith("halfway")]
    if kill:
        v = kill[0].verdict
        print(f"instance killed halfway: {v['lost']} lost, {v['duplicated']} duplicated")
    scope = "exactly once (CPU not judged in --quick)" if args.quick else \
        f"<= {CPU_TARGET_MS:g} ms platform CPU/app at T = {CPU_TARGET_T}, exactly once, 0 lost/0 duplicated with a kill"
    print(f"targets ({scope}): " + ("met" if not failed else "NOT met: " + "; ".join(failed)))
    return 0 if not failed else 1


if __name__ == "__main__":
    sys.exit(main())
