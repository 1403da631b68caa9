"""`onewindow draft`: the unfinished applications kiosks left behind, for staff to finish or discard.

`draft list` and `draft discard` act as at the counter; `draft export` writes a
draft as a submission file (materials as files beside it) that
`onewindow walk-in FILE --draft ID` takes once the applicant has completed it with staff.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from kiosk.cli import EXIT_OK, terminal_from_args
from kiosk.cli.staff_login import add_staff_options, staff_from_args
from kiosk.errors import Message, UserFacingError
from kiosk.fsutil import write_atomic
from kiosk.materials.intake import MaterialFile
from kiosk.usecases import drafts


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("draft", help="unfinished applications left at kiosks: list, export, discard")
    actions = p.add_subparsers(dest="draft_command", metavar="ACTION", required=True)
    lst = actions.add_parser("list", help="the hall's drafts, newest first (ID numbers masked)")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=run_list)
    export = actions.add_parser("export", help="write a draft as a submission file for `onewindow walk-in`")
    export.add_argument("draft")
    export.add_argument("--out", type=Path, required=True, help="a new folder for the file and its materials")
    export.set_defaults(handler=run_export)
    discard = actions.add_parser("discard", help="delete a draft and its personal data (audited)")
    discard.add_argument("draft")
    discard.set_defaults(handler=run_discard)
    for action in (lst, export, discard):
        add_staff_options(action)


def run_list(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    rows = drafts.list_drafts(terminal, staff.id)
    if args.json:
        print(json.dumps([{"id": r.id, "service_item": r.service_item, "applicant_name": r.applicant_name,
                           "id_number": r.id_masked, "files": r.file_count,
                           "updated_at": r.updated_at.isoformat() if r.updated_at else None} for r in rows],
                         ensure_ascii=False, indent=2))
    else:
        for r in rows:
            print(f"{r.id}  {r.item_name.zh}  {r.applicant_name or ''} {r.id_masked or ''}  {r.file_count} files")
        print(f"共 {len(rows)} 份草稿 / {len(rows)} drafts")
    return EXIT_OK


def _write_file(folder: Path, code: str, index: int, file: MaterialFile) -> str:
    suffix = {"image/jpeg": ".jpg", "image/png": ".png", "image/tiff": ".tif", "application/pdf": ".pdf"}
    name = f"{code}-{index + 1}{suffix.get(file.media_type, '.bin')}"
    write_atomic(folder / name, file.data, mode=0o600)
    return name


def run_export(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    folder: Path = args.out
    if folder.exists() and any(folder.iterdir()):
        raise UserFacingError(Message(f"文件夹 {folder} 不是空的。", f"The folder {folder} is not empty."),
                              code="not_empty")
    draft = drafts.resume_draft(terminal, staff.id, args.draft)
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)  # it holds a citizen's documents
    materials = {code: [_write_file(folder, code, i, f) for i, f in enumerate(files)]
                 for code, files in draft.materials.items()}
    document = {"service_item": draft.service_item, "applicant": draft.applicant, "form": draft.form,
                "materials": materials}
    path = folder / "application.json"
    write_atomic(path, json.dumps(document, ensure_ascii=False, indent=2).encode("utf-8"), mode=0o600)
    print(path)
    print(f"完成后提交 / when complete: onewindow walk-in {path} --draft {args.draft} --staff {args.staff}")
    return EXIT_OK


def run_discard(args: argparse.Namespace) -> int:
    terminal = terminal_from_args(args)
    staff = staff_from_args(terminal, args)
    if not drafts.discard_draft_at_counter(terminal, staff.id, args.draft):
        raise UserFacingError(drafts.NO_DRAFT, code="no_draft")
    print(f"已删除草稿 / draft discarded: {args.draft}")
    return EXIT_OK
