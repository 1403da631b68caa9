#!/usr/bin/env python3
"""What one request of each kind costs the platform: CPU ms per request, one route at a time.

`bench/platform_load.py` says what an application costs with T terminals at once; this says where that
comes from. One `onewindow platform serve` on a throwaway PostgreSQL (and SeaweedFS S3, as the load bench
uses it), one simulated terminal speaking the real protocol (`loadsim.terminal.SimTerminal`), requests sent
one after another, and the instance's CPU (from /proc, with its children) read before and after each phase.
The phases run in turn, in rounds (`--rounds`, each a slice of a phase's requests), and a phase's figure is its
median round's with the lowest and highest beside it: on a shared virtual machine the same request's CPU
moved by a factor of two or three between runs minutes apart, so one figure per phase said as much about
the moment as about the route.

    401            a request without a token (the framework's floor: middleware, routing, the error answer)
    summary        GET /summary, a trivial authenticated read
    catalog 304    GET /catalog with the current ETag (every sync pass)
    changes        GET /changes at the head of the feed
    state          POST /applications/state for one application
    audit head     POST /audit/heads, two entries on (each pass that submitted something)
    settings 204   GET /settings when the centre set none (every pass)
    heartbeat      POST /heartbeat with one report (a pass whose feed read could not carry it)
    changes + beat
                   POST /changes at the head of the feed with one report (an idle pass's one request)
    push           POST /applications with one new application
    push + head    the same with the audit head along (two entries on)
    push + h + beat
                   the same with the heartbeat report along too, as a pass that pushes sends it
    upload whole   POST /uploads with the whole file as its body (a terminal whose link has proven good)
    upload batch   POST /uploads/batch with two whole files (an application's two pages, on such a link)
    batch + feed   the same, reading the feed's page at its head with it, as a pass whose uploads are one
                   batch sends it
    upload fresh   a file sent the way a terminal that has just enrolled sends it: its sizer has seen
                   nothing of the link, so 32 KB in the POST and 32 KB PATCHes (CPU per request and per file)

    .venv/bin/python bench/platform_request_cost.py            # 300 requests a phase
    .venv/bin/python bench/platform_request_cost.py -n 100     # quicker, coarser
    .venv/bin/python bench/platform_request_cost.py --rounds 1 # each phase once, as before rounds

Not a test: figures depend on the machine and on whoever else uses its cores (the CPU is the instance's
own, so others' load shows less than in wall time, but it still shows).
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from loadsim import profile  # noqa: E402
from loadsim.cluster import Instance, S3Settings, end_on_sigterm  # noqa: E402
from loadsim.documents import build_app, demo_catalog, make_drafts  # noqa: E402
from loadsim.terminal import LinkChunks, Router, Shared, SimTerminal  # noqa: E402
from sync.protocol import PLATFORM_MAX_CHUNK_BYTES  # noqa: E402


PROFILE_DIR: Path | None = None


def _system_seconds(inst: Instance) -> float:
    """The instance's own kernel time (stime): system calls, loopback TCP, page faults."""
    raw = Path(f"/proc/{inst.process.pid}/stat").read_text()
    return int(raw[raw.rindex(")") + 2:].split()[12]) / os.sysconf("SC_CLK_TCK")
STATEMENT_LOG: Path | None = None  # PostgreSQL's log, when it logs every statement (--statements)


def _statements() -> int:
    """Statements PostgreSQL has logged so far (simple, prepared, and the BEGIN/COMMIT around them)."""
    if STATEMENT_LOG is None:
        return 0
    with STATEMENT_LOG.open("rb") as log:
        return sum(1 for line in log if b"LOG:  statement: " in line or b"LOG:  execute " in line)


@dataclass
class Round:
    """One round of one phase: what the instance spent on `units` units that took `requests` requests."""

    units: int
    requests: int
    cpu: float
    system: float
    wall: float
    statements: int


@dataclass
class Phase:
    name: str
    one: Callable[[int], Awaitable[int]]  # sends the k-th unit and returns how many requests it took
    before: Callable[[], Awaitable[object]] | None = None  # brings each round to the same start, not measured
    rounds: list[Round] = field(default_factory=list)

    def ms_per_request(self) -> list[float]:
        return [1000 * r.cpu / r.requests for r in self.rounds]

    def line(self) -> str:
        """The median round's CPU per request, the spread over rounds, then the totals' kernel share and wall."""
        per = self.ms_per_request()
        units = sum(r.units for r in self.rounds)
        requests = sum(r.requests for r in self.rounds)
        cpu, system, wall = (sum(getattr(r, k) for r in self.rounds) for k in ("cpu", "system", "wall"))
        spread = f" ({min(per):5.2f}-{max(per):5.2f})" if len(per) > 1 else ""
        per_unit = ""
        if requests != units:
            per_unit = f"  ({statistics.median(1000 * r.cpu / r.units for r in self.rounds):6.2f} ms per file)"
        statements = f", {sum(r.statements for r in self.rounds) / requests:4.1f} SQL statements" if STATEMENT_LOG else ""
        return (f"  {self.name:14} {requests:5} requests {statistics.median(per):6.2f} ms CPU each{spread}, "
                f"(kernel {100 * system / max(cpu, 1e-9):3.0f} %), {1000 * wall / requests:6.2f} ms wall"
                f"{statements}{per_unit}")


async def run_round(phase: Phase, inst: Instance, units: range, profiled: bool) -> None:
    if phase.before is not None:
        await phase.before()
    recorder = None
    if profiled and PROFILE_DIR is not None:
        recorder = profile.Recorder(profile.py_spy() or "py-spy", inst.process.pid,
                                    PROFILE_DIR / f"{phase.name.replace(' ', '-')}.txt", rate=1000)
        await asyncio.sleep(1.0)  # py-spy attaches
    cpu0, t0, statements0, sys0 = inst.cpu_seconds(), time.monotonic(), _statements(), _system_seconds(inst)
    requests = 0
    for k in units:
        requests += await phase.one(k)
    cpu, wall = inst.cpu_seconds() - cpu0, time.monotonic() - t0
    system = _system_seconds(inst) - sys0
    if recorder is not None:
        recorder.stop()
    phase.rounds.append(Round(len(units), requests, cpu, system, wall, _statements() - statements0))


async def measure(args: argparse.Namespace, inst: Instance, code: str, hall: str) -> None:
    catalog = demo_catalog()
    shared = Shared(Router([inst.url]))
    term = SimTerminal("cost-1", hall, code, shared)
    await term.enroll()
    n = args.requests
    drafts = make_drafts(catalog, 3 * n + 10, args.pages, args.page_kb, seed=7)
    apps = [build_app(catalog, d, hall, term.device_no, k + 1, date.today()) for k, d in enumerate(drafts)]
    # the push phases' own applications: new to the platform when pushed, whichever round pushes them (their
    # files are never sent, so they are small)
    fresh = [build_app(catalog, d, hall, term.device_no, 3 * n + 11 + k, date.today())
             for k, d in enumerate(make_drafts(catalog, 3 * n, args.pages, 1, seed=8))]
    # warm-up: a few whole passes, so first-use costs (imports, compiled statements, connections) are out
    term.apps = apps[:10]
    await term.sync()
    apps = apps[10:]
    # the applications whose files the upload phases send are pushed before any round, so a file's case is
    # known whichever round sends it
    for start in range(0, len(apps), 20):
        answer = await term.json("POST", "applications", {"applications": [a.document for a in apps[start:start + 20]]})
        if any(r["result"] != "created" for r in answer["results"]):
            raise RuntimeError(f"the upload phases' applications were not all created: {answer}")

    anonymous = SimTerminal("anonymous", hall, "", shared)

    async def unauthenticated(_k: int) -> int:
        await anonymous.request("GET", "summary")
        return 1

    async def summary(_k: int) -> int:
        await term.json("GET", "summary")
        return 1

    async def catalog_304(_k: int) -> int:
        await term.request("GET", "catalog", headers={"If-None-Match": term.etag} if term.etag else None)
        return 1

    async def changes(_k: int) -> int:
        await term.json("GET", "changes", params={"since": term.cursor, "limit": 100})
        return 1

    async def audit_head(k: int) -> int:
        term.audit.add_once([f"audit-{k}"])
        await term.push_audit_head()
        return 1

    async def settings(_k: int) -> int:
        await term.request("GET", "settings")
        return 1

    async def heartbeat(_k: int) -> int:
        await term.json("POST", "heartbeat", {"reports": [term.heartbeat_report()]})
        return 1

    async def changes_heartbeat(_k: int) -> int:
        await term.json("POST", "changes", {"reports": [term.heartbeat_report()]},
                        params={"since": term.cursor, "limit": 100})
        return 1

    async def state(k: int) -> int:
        await term.json("POST", "applications/state", {"ids": [apps[k % 10].id]})
        return 1

    async def push(k: int) -> int:
        app = fresh[k]
        await term.json("POST", "applications", {"applications": [app.document]})
        return 1

    async def push_with_head(k: int) -> int:
        app = fresh[n + k]
        term.audit.add_once([app.id])
        head = term.audit_head_body()
        answer = await term.json("POST", "applications", {"applications": [app.document], "audit_head": head})
        assert term.take_audit_answer(head, answer["audit_head"]), answer
        return 1

    async def push_with_all(k: int) -> int:
        app = fresh[2 * n + k]
        term.audit.add_once([app.id])
        head = term.audit_head_body()
        answer = await term.json("POST", "applications", {"applications": [app.document], "audit_head": head,
                                                          "heartbeat": {"reports": [term.heartbeat_report()]}})
        assert term.take_audit_answer(head, answer["audit_head"]), answer
        assert answer["heartbeat"]["result"] == "taken", answer
        return 1

    files = [(sha, data) for a in apps[:3 * n] for sha, data in a.files.items()]

    async def whole(k: int) -> int:
        sha, data = files[k]
        before = sum(shared.requests.values())
        term.chunk = LinkChunks(PLATFORM_MAX_CHUNK_BYTES, proven=10**9)  # a proven link: the platform's cap
        await term.upload(sha, data)
        return sum(shared.requests.values()) - before

    async def batch(k: int) -> int:
        pair = dict(files[2 * n + 2 * k: 2 * n + 2 * k + 2])
        held = await term.upload_batch(pair)
        assert held == set(pair), "a batch of two files not stored"
        return 1

    async def batch_feed(k: int) -> int:
        pair = dict(files[4 * n + 2 * k: 4 * n + 2 * k + 2])
        held = await term.upload_batch(pair, {"since": term.cursor, "limit": 100})
        assert held == set(pair) and term.page_in_hand is not None, "a batch of two files not stored, or no page"
        term.cursor = term.page_in_hand[1]["cursor"]  # the next reads from the head, as the next pass would
        return 1

    async def growing(k: int) -> int:
        sha, data = files[n + k]
        before = sum(shared.requests.values())
        term.chunk = LinkChunks(PLATFORM_MAX_CHUNK_BYTES)  # a link nothing is known of
        await term.upload(sha, data)
        return sum(shared.requests.values()) - before

    phases = [Phase("401", unauthenticated), Phase("summary", summary), Phase("catalog 304", catalog_304),
              # each round at the feed's head: earlier rounds' pushes and uploads moved it
              Phase("changes", changes, before=term.pull_changes), Phase("state", state), Phase("audit head", audit_head),
              Phase("settings 204", settings), Phase("heartbeat", heartbeat),
              Phase("changes + beat", changes_heartbeat, before=term.pull_changes), Phase("push", push),
              Phase("push + head", push_with_head), Phase("push + h + beat", push_with_all),
              Phase("upload whole", whole)]
    if len(files) >= 6 * n:
        phases += [Phase("upload batch", batch), Phase("batch + feed", batch_feed, before=term.pull_changes)]
    phases.append(Phase("upload fresh", growing))
    # Every phase once a round, the rounds one after another: a phase's figure is the median of its rounds, so a
    # burst of load from outside (a shared machine) moves one round of a few phases, not a phase's only figure.
    # Each round takes the next slice of a phase's units; only the first is profiled (py-spy costs CPU).
    rounds = max(1, min(args.rounds, n))
    cuts = [n * r // rounds for r in range(rounds + 1)]
    for r in range(rounds):
        for one in phases:
            await run_round(one, inst, range(cuts[r], cuts[r + 1]), profiled=r == 0)
        print(f"  (round {r + 1} of {rounds} done)", flush=True)
    print(f"  {'':14} {'':14} CPU per request: the median round's (lowest-highest of {rounds})")
    for one in phases:
        print(one.line(), flush=True)
    await term.close()
    await anonymous.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-n", "--requests", type=int, default=300, help="requests (or files) per phase")
    parser.add_argument("--rounds", type=int, default=3,
                        help="every phase is run this many times in turn (n/rounds units each) and its figure is "
                             "the median round's: on a shared machine a small request's CPU moved by a factor of "
                             "two or three between runs")
    parser.add_argument("--pages", type=int, default=1, help="attachments per application")
    parser.add_argument("--page-kb", type=int, default=200, help="size of each attachment")
    parser.add_argument("--storage", choices=["s3", "local"], default="s3")
    parser.add_argument("--profile", type=Path, default=None,
                        help="a directory for a py-spy profile of each phase (raw stacks of the GIL's holder; "
                             "sampling costs the instance CPU, so the figures of such a run are higher)")
    parser.add_argument("--statements", action="store_true",
                        help="PostgreSQL logs every statement and each phase says how many a request ran "
                             "(logging costs PostgreSQL, not the platform)")
    args = parser.parse_args()
    end_on_sigterm()
    global PROFILE_DIR, STATEMENT_LOG
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
        PROFILE_DIR = args.profile

    from tests.sync.servers import PostgresServer

    with tempfile.TemporaryDirectory(prefix="ow-cost-") as tmp:
        work = Path(tmp)
        key_file = work / "blob.key"
        pg = PostgresServer()
        seaweed = None
        try:
            s3 = None
            if args.storage == "s3":
                from tests.sync.seaweed import SeaweedServer

                seaweed = SeaweedServer()
                endpoint = seaweed.new_bucket()
                s3 = S3Settings(endpoint.url, endpoint.bucket, endpoint.env())
            db_url = pg.new_database()
            if args.statements:
                import psycopg

                from loadsim.cluster import admin_conninfo, conninfo

                with psycopg.connect(admin_conninfo(db_url)[0], autocommit=True) as conn:
                    conn.execute(f'ALTER DATABASE "{conninfo(db_url).rsplit("/", 1)[1]}" SET log_statement = \'all\'')
                STATEMENT_LOG = pg.dir / "log"
            home = work / "home"
            home.mkdir(mode=0o700)
            inst = Instance(home, db_url, key_file, s3=s3, log=work / "instance.log")
            try:
                inst.wait_ready()
                from platform_load import Bench  # the catalog and a code, as the load bench prepares them

                hall = "330106001"
                bench = Bench.__new__(Bench)
                bench.catalog, bench.key_file = demo_catalog(), key_file
                code = Bench.prepare_platform(bench, home, db_url, [(hall, "cost-1")])[0]
                print(f"platform: PostgreSQL, {'object storage (SeaweedFS S3)' if s3 else 'local store'}; "
                      f"{args.page_kb} KB files", flush=True)
                asyncio.run(measure(args, inst, code, hall))
            finally:
                inst.stop()
        finally:
            if seaweed is not None:
                seaweed.stop()
            pg.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
