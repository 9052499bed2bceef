"""OCR benchmark: seconds per page and cell accuracy per degradation level (it is not a test).

    .venv/bin/python benchmarks/ocr_bench.py [--quick] [--levels clean,blur] [--docs 7] [--no-tesseract]

The sample reports (the golden records of ``gongkai.demo.samples`` and two random balanced reports with
large, varied counts, 2019 and 2021 forms) are printed to PDF and *scanned* by the fixture generator
(``gongkai.demo.fixtures.scan``) at each degradation level; every scan goes through ``extractors.extract``
(the product path: raster → grid → recognition → the shared assembler → confidence and identity
checks). Per level it prints

* CPU seconds per page of this process and its children (pages/s on one core is its inverse; wall
  time beside it — the machine may be shared) — OCR runs one inference thread, so one core per worker;
* cells **exact** (value and status as printed), **unreadable** (null with a reason: not wrong, but
  not read), **silently wrong** (a number that differs from the print, or a printed number read as
  blank/marker) — over every cell of the form and over the printed numbers only.

Baseline: the same grid and line cutting with Tesseract (Debian's ``tesseract-ocr`` +
``tesseract-ocr-chi-sim``) as the recogniser instead of rapidocr (the quick levels on 3 reports unless
``--full-baseline``); skipped with a message when the ``tesseract`` command is absent.
"""

from __future__ import annotations

import argparse
import random
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

LEVELS: dict[str, dict] = {
    "clean": {},
    "300dpi": {"dpi": 300},
    "rotate+1": {"rotate": 1.0},
    "rotate-1": {"rotate": -1.0},
    "blur": {"blur": 0.9},
    "specks": {"specks": 120},
    "specks300": {"specks": 300},
    "jpeg40": {"jpeg": 40},
    "stamp": {"stamp": True},
    "photo": {"photo": True, "jpeg": 75, "container": "tif"},
    "jpeg60": {"jpeg": 60},
    "all": {"rotate": 0.8, "blur": 0.7, "specks": 120, "jpeg": 50, "stamp": True},
}
QUICK_LEVELS = ("clean", "rotate+1", "jpeg40", "stamp", "photo", "all")


def specs(n: int):
    from gongkai.demo.fixtures import corpus
    from gongkai.demo.fixtures.spec import random_spec

    out = [(f"seed_{sid}", spec) for sid, (spec, src) in corpus.seed_specs().items()]
    out += [("random_2019", random_spec(random.Random(71), "2019", max_count=3000)),
            ("random_2021", random_spec(random.Random(72), "2021", max_count=3000))]
    real = ROOT.parent / "shared" / "real" / "hongzequ_2024.gold.json"
    if real.is_file():
        out.append(("hongzequ_2024", corpus.spec_from_golden(real)))
    return out[:n]


def _num(v):
    return None if v is None else Decimal(str(v))


def score(spec, rec) -> Counter:
    """Counts of exact / unreadable / wrong cells, over all cells and over printed numbers."""
    c: Counter = Counter()
    got = rec.cell_map() if rec.error is None else {}
    for want in spec.record().cells:
        g = got.get(want.key())
        printed_number = want.status == "ok"
        c["cells"] += 1
        c["numbers"] += printed_number
        gv, gs = (g.value, g.status) if g is not None else (None, "missing")
        if gs == want.status and _num(gv) == _num(want.value):
            kind = "exact"
        elif gv is not None and _num(gv) != _num(want.value):
            kind = "wrong"  # a number that is not the printed one
        elif want.value is not None and gs in ("blank", "marker"):
            kind = "wrong"  # a printed number read as nothing
        elif want.status in ("blank", "marker") and gs in ("blank", "marker") and gs != want.status:
            kind = "wrong"
        else:
            kind = "unreadable"
        c[kind] += 1
        if printed_number:
            c["n_" + kind] += 1
    return c


# ------------------------------------------------------------------ the Tesseract baseline

def tesseract_read_lines(crops):
    """(text, confidence) per line image with the tesseract CLI (chi_sim+eng, one line each): one
    process per call, the images listed in a file (the language data is loaded once per call)."""
    import cv2

    if not crops:
        return []
    with tempfile.TemporaryDirectory(prefix="tess-") as d:
        names = []
        for i, crop in enumerate(crops):
            name = f"{d}/{i:04d}.png"
            cv2.imwrite(name, crop)
            names.append(name)
        Path(d, "list.txt").write_text("\n".join(names) + "\n")
        r = subprocess.run(["tesseract", f"{d}/list.txt", "stdout", "--psm", "7", "-l", "chi_sim+eng", "tsv"],
                           capture_output=True, check=False)
    words: dict[int, list[str]] = {}
    confs: dict[int, list[float]] = {}
    for line in r.stdout.decode("utf-8", "replace").splitlines()[1:]:
        parts = line.split("\t")
        if len(parts) == 12 and parts[11].strip() and float(parts[10]) >= 0:
            page = int(parts[1]) - 1
            words.setdefault(page, []).append(parts[11])
            confs.setdefault(page, []).append(float(parts[10]) / 100)
    return [("".join(words.get(i, [])), min(confs.get(i, [0.0]))) for i in range(len(crops))]


def _cpu() -> float:
    """CPU seconds of this process and of the processes it ran (the tesseract baseline's)."""
    ch = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + ch.ru_utime + ch.ru_stime


# ------------------------------------------------------------------ run

def run(levels, docs, engine: str) -> dict:
    from extractors.api import extract
    from extractors.ocr import recognise
    from gongkai.demo.fixtures.scan import render_scan

    original = recognise.read_lines
    if engine == "tesseract":
        recognise.read_lines = tesseract_read_lines
    results = {}
    try:
        extract(render_scan(docs[0][1], container="png"), name="warmup.png")  # load the models once
        for level in levels:
            total: Counter = Counter()
            cpu = wall = 0.0
            pages = 0
            wrong_examples = []
            for i, (name, spec) in enumerate(docs):
                data = render_scan(spec, seed=i, **LEVELS[level])
                t0, w0 = _cpu(), time.perf_counter()
                rec = extract(data, name=f"{name}.{level}")
                cpu += _cpu() - t0
                wall += time.perf_counter() - w0
                pages += rec.source.pages or 0
                s = score(spec, rec)
                total += s
                if rec.error:
                    wrong_examples.append(f"{name}: error {rec.error.code}")
                elif s["wrong"]:
                    want = spec.record().cell_map()
                    for c in rec.cells:
                        w = want[c.key()]
                        if c.value is not None and _num(c.value) != _num(w.value) or \
                                (w.value is not None and c.status in ("blank", "marker")):
                            wrong_examples.append(f"{name}: {c.table}.{c.row}.{c.column} {c.raw!r}→{c.value} "
                                                  f"(printed {w.raw!r})")
            results[level] = (total, cpu, wall, pages, wrong_examples)
            _print_level(engine, level, total, cpu, wall, pages, wrong_examples)
    finally:
        recognise.read_lines = original
    return results


def _pct(a, b):
    return f"{100 * a / b:6.2f}%" if b else "   n/a"


def _print_level(engine, level, t, cpu, wall, pages, wrong_examples):
    print(f"{engine:9} {level:9} {pages:3d} pages  {cpu / max(pages, 1):5.2f} CPU-s/page "
          f"({pages / cpu if cpu else 0:4.2f} pages/CPU-s, wall {wall / max(pages, 1):5.2f} s/page)  "
          f"cells exact {_pct(t['exact'], t['cells'])} unreadable {_pct(t['unreadable'], t['cells'])} "
          f"wrong {t['wrong']:3d} | printed numbers exact {_pct(t['n_exact'], t['numbers'])} "
          f"wrong {t['n_wrong']}", flush=True)
    for w in wrong_examples[:5]:
        print(f"{'':20}! {w}", flush=True)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help=f"levels {', '.join(QUICK_LEVELS)} on 3 reports")
    ap.add_argument("--levels", help=f"comma-separated, of: {', '.join(LEVELS)}")
    ap.add_argument("--docs", type=int, default=None, help="number of sample reports (default: all 8)")
    ap.add_argument("--no-tesseract", action="store_true", help="skip the Tesseract baseline")
    ap.add_argument("--full-baseline", action="store_true",
                    help="Tesseract on every level and report (default: the quick levels, 3 reports)")
    args = ap.parse_args(argv)
    from extractors.ocr import missing_packages

    if missing_packages():
        print(f"OCR packages missing ({', '.join(missing_packages())}): uv sync --extra ocr")
        return 1
    levels = args.levels.split(",") if args.levels else list(QUICK_LEVELS if args.quick else LEVELS)
    docs = specs(args.docs or (3 if args.quick else 99))
    print(f"{len(docs)} reports × {len(levels)} levels: {', '.join(n for n, _ in docs)}")
    run(levels, docs, "rapidocr")
    if args.no_tesseract:
        return 0
    if shutil.which("tesseract") is None:
        print("tesseract not installed: baseline skipped (apt-get install tesseract-ocr tesseract-ocr-chi-sim)")
        return 0
    langs = subprocess.run(["tesseract", "--list-langs"], capture_output=True, text=True).stdout.split()
    if "chi_sim" not in langs:
        print("tesseract has no chi_sim data: baseline skipped (apt-get install tesseract-ocr-chi-sim)")
        return 0
    # the baseline is slower and far less accurate: the quick levels on 3 reports unless --full-baseline
    run(levels if args.full_baseline else [lv for lv in levels if lv in QUICK_LEVELS],
        docs if args.full_baseline else docs[:3], "tesseract")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
