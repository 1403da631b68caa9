"""`onewindow platform publish-update FILE.deb --version V` and `onewindow platform renew-update-timestamp`:
the platform side of updates (sync.server.update_repo holds the TUF repository)."""
from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path


def register(psub: argparse._SubParsersAction, common: Callable[[argparse.ArgumentParser], None]) -> None:  # type: ignore[type-arg]
    """Adds the update actions under `onewindow platform`; `common` adds --home/--db/--blob-key-file."""
    q = psub.add_parser("publish-update", help="publish a new OneWindow package to every terminal: adds it to the "
                                               "update repository and re-signs its TUF metadata")
    common(q)
    q.add_argument("file", type=Path, help="the .deb built by ./dev.sh package")
    q.add_argument("--version", required=True, help="the package's version (must equal its own Version field)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=publish_cmd)

    q = psub.add_parser("renew-update-timestamp",
                        help="re-sign the update repository's timestamp (it expires after 7 days), and "
                             "snapshot, targets and root when they near expiry; run it daily from a timer so "
                             "terminals never see a frozen repository")
    common(q)
    q.set_defaults(handler=renew_cmd)


def publish_cmd(args: argparse.Namespace) -> int:
    from sync.server.update_repo import publish

    done = publish(args.platform_home.expanduser(), args.file, args.version)
    if args.json:
        print(json.dumps(asdict(done)))
    else:
        print(f"已发布 {done.name}（版本 {done.version}，{done.arch}，{done.length} 字节）；目标元数据版本 "
              f"{done.targets_version}。 / Published {done.name} (version {done.version}, {done.arch}, "
              f"{done.length} bytes); targets metadata version {done.targets_version}.")
    return 0


def renew_cmd(args: argparse.Namespace) -> int:
    from sync.server.update_repo import renew

    signed = renew(args.platform_home.expanduser())
    names = ", ".join(f"{role} v{version}" for role, version in signed.items())
    print(f"已重新签名：{names}。 / Re-signed: {names}.")
    return 0
