"""Benchmark of the materials pipeline on generated A4 pages with known text.

For each page: time through the pipeline, bytes stored, and OCR character
accuracy (tesseract, chi_sim+eng) on the original 300 dpi page and on what
the pipeline stores. Targets (issue 4): text page <= 120 KB, any page
<= 250 KB, <= 0.5 s per page, OCR accuracy within 2 points of the original.

    .venv/bin/python bench/scan_pipeline.py [--pages N] [--keep DIR]
"""
from __future__ import annotations

import argparse
import io
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.materials import encode, samples  # noqa: E402
from kiosk.materials.pages import CapturedPage  # noqa: E402
from kiosk.materials.pipeline import process_page  # noqa: E402


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, one numpy row at a time."""
    if not a:
        return len(b)
    codes_b = np.frombuffer(b.encode("utf-32-le"), dtype=np.uint32)
    prev = np.arange(len(b) + 1, dtype=np.int32)
    idx = np.arange(len(b) + 1, dtype=np.int32)
    for i, ch in enumerate(a, start=1):
        cost = (codes_b != ord(ch)).astype(np.int32)
        tmp = np.empty_like(prev)
        tmp[0] = i
        tmp[1:] = np.minimum(prev[1:] + 1, prev[:-1] + cost)
        prev = idx + np.minimum.accumulate(tmp - idx)
    return int(prev[-1])


def char_accuracy(truth: str, ocr: str) -> float:
    t = "".join(truth.split())
    o = "".join(ocr.split())
    return max(0.0, 1.0 - edit_distance(t, o) / len(t)) * 100


def ocr(image: Image.Image, dpi: float, work: Path) -> str:
    path = work / "ocr.png"
    image.save(path, dpi=(dpi, dpi))
    return subprocess.run(["tesseract", str(path), "-", "-l", "chi_sim+eng", "--psm", "6"],
                          capture_output=True, text=True, check=True, timeout=600).stdout


def gray_jpeg_size(image: Image.Image, dpi: float = 200) -> int:
    scale = dpi / 300
    small = image.convert("L").resize((round(image.width * scale), round(image.height * scale)),
                                      Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    small.save(buf, "JPEG", quality=75)
    return len(buf.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=2, help="dense text pages to generate (default 2)")
    parser.add_argument("--no-ocr", action="store_true")
    parser.add_argument("--keep", type=Path, help="write inputs and outputs here to look at")
    args = parser.parse_args()
    do_ocr = not args.no_ocr and shutil.which("tesseract") is not None
    if not do_ocr and not args.no_ocr:
        print("tesseract not found: OCR columns skipped", file=sys.stderr)

    cases: list[tuple[str, Image.Image, float | None, str, str | None]] = []
    for seed in range(1, args.pages + 1):
        page, text = samples.text_page(dpi=300, points=10, seed=seed)
        cases.append((f"text-{seed} (flatbed 300 dpi)", page, 300, "bilevel", text))
    page, text = samples.text_page(dpi=300, points=10, seed=9)
    tilted = page.rotate(-7, resample=Image.Resampling.BICUBIC, fillcolor=255)
    cases.append(("text-9 (flatbed, 7° skew)", tilted, 300, "bilevel", text))
    shot = samples.camera_shot(page, angle=11)
    cases.append(("text-9 (camera, 11°, desk)", shot, None, "bilevel", text))
    cases.append(("photo (colour)", samples.photo_page(dpi=300), 300, "colour", None))
    cases.append(("photo (grayscale)", samples.photo_page(dpi=300, seed=4), 300, "grayscale", None))

    process_page(CapturedPage(cases[0][1], 300), "bilevel")  # warm-up: imports, allocations

    work = Path(tempfile.mkdtemp(prefix="owbench-"))
    rows = []
    header = f"{'page':30} {'mode':9} {'s/page':>7} {'bytes':>8} {'KB':>6} {'gray q75 KB':>11} " \
             f"{'OCR before':>10} {'OCR after':>9} {'delta':>6}"
    print(header)
    print("-" * len(header))
    for name, image, dpi, colour, text in cases:
        started = time.perf_counter()
        report = process_page(CapturedPage(image, dpi, "scanner" if dpi else "camera"), colour)
        elapsed = time.perf_counter() - started
        size = report.encoded.size
        before = after = None
        if do_ocr and text is not None:
            before = char_accuracy(text, ocr(page if "text-9" in name else image, 300, work))
            out = Image.open(io.BytesIO(report.encoded.data))
            after = char_accuracy(text, ocr(out, report.encoded.dpi, work))
        if args.keep:
            args.keep.mkdir(parents=True, exist_ok=True)
            stem = name.split()[0]
            image.save(args.keep / f"{stem}-{colour}-in.png")
            suffix = ".tif" if report.encoded.media_type == "image/tiff" else ".jpg"
            (args.keep / f"{stem}-{colour}-out{suffix}").write_bytes(report.encoded.data)
        ref = gray_jpeg_size(image) / 1024 if text is not None else float("nan")
        fmt = lambda v: f"{v:.1f}" if v is not None else "-"  # noqa: E731
        delta = f"{after - before:+.1f}" if before is not None and after is not None else "-"
        print(f"{name:30} {report.encoded.kind:9} {elapsed:7.3f} {size:8d} {size / 1024:6.1f} {ref:11.1f} "
              f"{fmt(before):>10} {fmt(after):>9} {delta:>6}", flush=True)
        rows.append((name, report, elapsed, before, after))
    shutil.rmtree(work, ignore_errors=True)

    print()
    text_rows = [r for r in rows if r[1].encoded.kind == "bilevel"]
    checks = [
        ("text pages <= 120 KB", all(r[1].encoded.size <= encode.TEXT_PAGE_BUDGET for r in text_rows)),
        ("every page <= 250 KB", all(r[1].encoded.size <= encode.PAGE_BUDGET for r in rows)),
        ("<= 0.5 s per page", all(r[2] <= 0.5 for r in rows)),
    ]
    if do_ocr:
        checks.append(("OCR within 2 points", all(r[4] >= r[3] - 2 for r in rows if r[3] is not None)))
    for label, ok in checks:
        print(f"{'PASS' if ok else 'MISS'}  {label}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
