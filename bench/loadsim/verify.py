"""Exactly once: every application the terminals hold arrived once and complete, the feed told each
terminal once, and every file the platform hands back hashes to its name."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import httpx

from sync.protocol import API_PREFIX

from loadsim.cluster import conninfo
from loadsim.terminal import SimTerminal


@dataclass
class Verdict:
    expected: int = 0
    lost: int = 0  # applications not on the platform, or not complete
    duplicated: int = 0  # cases, feed entries or hall files more than once
    extra: int = 0  # cases nobody pushed
    files: int = 0
    bad_files: int = 0  # downloads that failed or hashed wrong
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.lost or self.duplicated or self.extra or self.bad_files) and self.files > 0

    def line(self) -> str:
        return (f"{self.expected} applications checked: {self.lost} lost, {self.duplicated} duplicated, {self.extra} extra; "
                f"{self.files} files, {self.bad_files} wrong")


def check(db_url: str, terminals: list[SimTerminal], base_url: str) -> Verdict:
    import psycopg

    verdict = Verdict()
    expected = {a.id: t for t in terminals for a in t.apps}
    verdict.expected = len(expected)
    with psycopg.connect(conninfo(db_url), autocommit=True) as conn:
        cases = conn.execute("SELECT uuid, complete FROM cases").fetchall()
        per_case = conn.execute("SELECT c.uuid, count(*) FROM changes ch JOIN cases c ON c.id = ch.case_id "
                                "WHERE ch.status = 'received' GROUP BY c.uuid").fetchall()
        twice_files = conn.execute("SELECT count(*) FROM (SELECT hall_code, sha256 FROM hall_blobs "
                                   "GROUP BY hall_code, sha256 HAVING count(*) > 1) d").fetchone()
    seen: dict[str, int] = {}
    for uuid, complete in cases:
        seen[uuid] = seen.get(uuid, 0) + 1
        if uuid not in expected:
            verdict.extra += 1
        elif not complete:
            verdict.lost += 1
            verdict.problems.append(f"case {uuid} is not complete")
    verdict.lost += sum(1 for a in expected if a not in seen)
    verdict.duplicated += sum(n - 1 for n in seen.values() if n > 1)
    verdict.duplicated += sum(n - 1 for _uuid, n in per_case if n > 1)
    verdict.duplicated += int(twice_files[0]) if twice_files else 0
    for t in terminals:  # what each terminal learnt from its feed
        for app in t.apps:
            told = t.received.get(app.id, 0)
            if told == 0 and seen.get(app.id):  # (a case missing on the platform is counted above)
                verdict.lost += 1
                verdict.problems.append(f"{t.name}: the feed never said {app.id} was received")
            elif told > 1:
                verdict.duplicated += told - 1
        verdict.problems += [f"{t.name}: {e}" for e in t.errors]
    with httpx.Client(timeout=60, follow_redirects=True) as client:  # a signed address is fine too
        for t in terminals:
            for app in t.apps:
                for sha, data in app.files.items():
                    verdict.files += 1
                    resp = client.get(f"{base_url}{API_PREFIX}/attachments/{sha}",
                                      headers={"Authorization": f"Bearer {t.token}"})
                    if resp.status_code != 200 or hashlib.sha256(resp.content).hexdigest() != sha \
                            or len(resp.content) != len(data):
                        verdict.bad_files += 1
                        verdict.problems.append(f"file {sha[:12]}: {resp.status_code}")
    return verdict
