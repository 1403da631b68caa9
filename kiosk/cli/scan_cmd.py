"""`onewindow scan`: list scanners and scan a page from the command line (set-up checks, IT staff)."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from kiosk.cli import EXIT_INVALID

RAW_SUFFIXES = {".png": "PNG", ".tif": "TIFF", ".tiff": "TIFF", ".jpg": "JPEG", ".jpeg": "JPEG", ".pdf": "PDF"}


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("scan", help="list scanners, or scan from one into a file")
    p.add_argument("--list", action="store_true", help="list the scanners SANE can see")
    p.add_argument("--json", action="store_true", help="with --list: print JSON")
    p.add_argument("--device", metavar="NAME", help="the scanner's SANE name, as --list prints it")
    p.add_argument("--out", type=Path, metavar="FILE", help="where to write the scan (.png, .tif, .jpg or .pdf)")
    p.add_argument("--dpi", type=int, default=300)
    p.add_argument("--colour", choices=["grayscale", "colour"], default="grayscale")
    p.add_argument("--feeder", action="store_true", help="scan every sheet in the document feeder")
    p.add_argument("--process", choices=["bilevel", "grayscale", "colour"],
                   help="run the image pipeline and write the stored form (PDF, or JPEG for one photo)")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace) -> int:
    from kiosk.devices.base import ScanSettings
    from kiosk.devices.sane_scanner import SaneScanner, list_scanners

    if args.list:
        scanners = list_scanners()
        if args.json:
            print(json.dumps([s.__dict__ for s in scanners], ensure_ascii=False, indent=2))
        elif not scanners:
            print("没有找到扫描仪 / No scanners found")
        else:
            for s in scanners:
                print(f"{s.name}\t{s.vendor} {s.model}\t{s.kind}")
        return 0
    if not args.device or not args.out:
        print("usage: onewindow scan --list | --device NAME --out FILE", file=sys.stderr)
        return EXIT_INVALID
    suffix = args.out.suffix.lower()
    if not args.process and suffix not in RAW_SUFFIXES:
        print(f"输出文件类型不支持：{suffix} / Unsupported output type: {suffix} (use .png, .tif, .jpg or .pdf)",
              file=sys.stderr)
        return EXIT_INVALID
    scanner = SaneScanner(args.device)
    try:
        pages = scanner.scan_now(ScanSettings(dpi=args.dpi, colour=args.colour,
                                              source="feeder" if args.feeder else "flatbed"))
    finally:
        scanner.close().result(timeout=30)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    if args.process:
        from kiosk.materials.pipeline import material_file_from_pages

        material = material_file_from_pages(pages, args.process, args.out.name)
        out = args.out.with_suffix(Path(material.name).suffix)
        out.write_bytes(material.data)
        print(json.dumps({"file": str(out), "media_type": material.media_type, "pages": material.page_count,
                          "bytes": len(material.data)}, ensure_ascii=False))
        return 0
    images = [p.image for p in pages]
    fmt = RAW_SUFFIXES[suffix]
    if len(images) > 1 and fmt not in ("TIFF", "PDF"):
        print("多页扫描请输出为 .pdf 或 .tif / Save a multi-page scan as .pdf or .tif", file=sys.stderr)
        return EXIT_INVALID
    dpi = (pages[0].dpi or args.dpi,) * 2
    images[0].save(args.out, fmt, dpi=dpi, save_all=len(images) > 1, append_images=images[1:])
    print(json.dumps({"file": str(args.out), "pages": len(images), "width": images[0].width,
                      "height": images[0].height, "dpi": dpi[0]}, ensure_ascii=False))
    return 0
