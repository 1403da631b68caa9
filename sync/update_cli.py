"""`onewindow update pin|check|install`: a terminal's side of updates by hand (the sync pass fetches them
in the background; `install` is what onewindow-update.service runs as root)."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from kiosk.cli import EXIT_INVALID, EXIT_OK


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("update", help="updates: pin the platform's update root, fetch a new version now, or "
                                      "install a staged one (root)")
    usub = p.add_subparsers(dest="update_command", metavar="ACTION", required=True)
    q = usub.add_parser("pin", help="trust the enrolled platform's update root (done at enrollment; for a "
                                    "terminal enrolled before updates existed)")
    q.add_argument("--home", dest="sub_home", type=Path, default=None, help="data directory (as the global --home)")
    q.set_defaults(handler=pin_cmd)
    q = usub.add_parser("check", help="refresh the signed update metadata and fetch a newer version now")
    q.add_argument("--home", dest="sub_home", type=Path, default=None, help="data directory (as the global --home)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(handler=check_cmd)
    q = usub.add_parser("install", help="as root: install the verified staged update outside opening hours, "
                                        "roll back if it fails its health check")
    q.add_argument("--config", default="/etc/onewindow/update.toml")
    q.add_argument("--now", default=None, help="the local time to judge opening hours by (ISO)")
    q.set_defaults(handler=install_cmd)


def _credential(args: argparse.Namespace):  # -> (Settings, Credential)
    from sync.cli import _terminal
    from sync.credentials import EnrollmentRequired, load_credential

    terminal = _terminal(args)
    credential = load_credential(terminal.settings)
    if credential is None:
        raise EnrollmentRequired()
    return terminal.settings, credential


def pin_cmd(args: argparse.Namespace) -> int:
    from tuf.api import exceptions

    from kiosk.errors import Message, UserFacingError
    from sync.updates import UpdatePaths, pin_root

    settings, credential = _credential(args)
    try:
        pinned = pin_root(settings, credential.platform_url, credential.token, verify=credential.verify)
    except (exceptions.DownloadError, exceptions.RepositoryError, ValueError) as exc:
        raise UserFacingError(Message(f"无法获取平台的更新根密钥：{exc}", f"Cannot get the platform's update root: {exc}"),
                              code="update_root") from None
    where = UpdatePaths.of(settings).trusted_root
    print(f"{'已信任' if pinned else '早已信任'}平台的更新根密钥（{where}）。 / "
          f"{'Pinned' if pinned else 'Already pinned'}: the platform's update root ({where}).")
    return EXIT_OK


def check_cmd(args: argparse.Namespace) -> int:
    from sync.updates import check_for_update

    settings, credential = _credential(args)
    check = check_for_update(settings, credential.platform_url, credential.token, verify=credential.verify)
    if args.json:
        print(json.dumps(check.as_dict(), ensure_ascii=False))
    elif check.message:
        print(f"{check.message['zh']} / {check.message['en']}")
    else:
        print({"current": f"已是最新版本 {check.version}。 / Version {check.version} is the newest.",
               "staged": f"新版本 {check.version} 已下载并验证，将在营业时间外安装。 / Version {check.version} is "
                         "fetched and verified; it will be installed outside opening hours."}.get(check.state, check.state))
    return EXIT_OK if check.state in ("current", "staged") else EXIT_INVALID if check.state == "refused" else 4


def install_cmd(args: argparse.Namespace) -> int:
    from sync.update_install import main

    return main(["--config", args.config] + (["--now", args.now] if args.now else []))
