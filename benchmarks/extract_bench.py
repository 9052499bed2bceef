"""Extraction benchmark: prints figures (it is not a test).

    .venv/bin/python benchmarks/extract_bench.py [--pages 300] [--no-rss] [--rounds 5] [--out DIR]

0. the PDF parse per page, CPU time of this process (best of ``--rounds``): PDFium's raw text (the
   floor: load the page, build its text page, read the text), the reader on pdfminer (the
   pdfminer/pdfplumber path, ``parser="pdfminer"``) and on PDFium (``parser="pdfium"``, the default),
   and their ratios, per PDF of ``shared/real/`` and per sample PDF of the corpus; pages the PDFium
   path left to pdfminer are counted;
1. speed per format over the fixture corpus (the five sample reports rendered to pdf/html/docx/txt by
   ``gongkai.demo.fixtures``, plus variants): documents/s and, for PDF, ms per page — wall time and CPU
   time of this process (the machine may be shared);
2. accuracy against the golden records (``gongkai.demo.samples`` for the sample PDFs,
   ``shared/real/hongzequ_2024.gold.json`` for the real PDF): our label-matching extractor next to a
   naive baseline (pdfplumber's default ``page.extract_tables()``, numbers mapped by POSITION onto
   the vocabulary order);
3. fake-bold de-duplication: pdfplumber's ``dedupe_chars`` (O(n²)) vs ``extractors.pdf.dedupe_chars``;
4. peak RSS of reading a long PDF (``--pages``, default 300) in a fresh subprocess, next to a
   30-page one and to the bare imports, and its ms per page;
5. throughput of the isolated worker pool (``extractors.sandbox.extract_many``), 1 and 2 workers;
6. cell accuracy per layout class (``gongkai.demo.fixtures.classes``: ruled PDF, unruled PDF, HTML, DOCX,
   delimited text, aligned text, crawler/CMS text, run-together text, PDF→text and PDF→Markdown
   conversions) over random reports with blanks, markers and respelled values: ours (exact, flagged,
   wrong) next to a naive positional baseline (every number of the document's text, from section 二 on,
   given to the next cell of the form in order);
7. the run-together solver: how often a row's split is unique over random reports printed run
   together (per table, and for the whole report), and its time per report.

Targets: ≤ 20 ms CPU per text-PDF page on one core (issue 15); 300 pages < 300 MB RSS; solver well under
50 ms per report.

CPU time (``time.process_time``), not wall time: the machine is shared and wall-clock figures move
with the other processes' load.
"""

from __future__ import annotations

import argparse
import io
import json
import re
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SHARED = ROOT.parent / "shared"
REAL_PDF = SHARED / "real" / "hongzequ_2024.pdf"
REAL_GOLD = SHARED / "real" / "hongzequ_2024.gold.json"

FORMAT_OF = {".pdf": "pdf", ".html": "html", ".htm": "html", ".docx": "docx", ".txt": "txt"}


def build_corpus(out: Path) -> list[Path]:
    from gongkai.demo.fixtures.corpus import build_corpus as build

    return [f for f in build(out) if "bad" not in f.parts and f.suffix in FORMAT_OF]


# --------------------------------------------------------------------------- 0. the PDF parse

def _best_cpu(fn, rounds: int) -> float:
    """The least CPU time of ``rounds`` runs of ``fn`` (the others' load only ever adds to it)."""
    best = float("inf")
    for _ in range(rounds):
        t = time.process_time()
        fn()
        best = min(best, time.process_time() - t)
    return best


def pdfium_raw_text(path: Path) -> None:
    """The floor: PDFium loads each page, builds its text page and reads the text."""
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        for i in range(len(doc)):
            page = doc[i]
            tp = page.get_textpage()
            tp.get_text_range()
            tp.close()
            page.close()
    finally:
        doc.close()


def bench_parse(files: list[Path], rounds: int) -> None:
    from extractors.pdf import read_pdf

    real = sorted(REAL_PDF.parent.glob("*.pdf"))
    pdfs = real + sorted(f for f in files if f.suffix.lower() == ".pdf" and f not in real)
    print(f"\n== 0. PDF parse per page: CPU ms (best of {rounds} rounds; CPU time, as the machine is shared)")
    print(f"{'document':<28} {'pages':>5} {'PDFium raw text':>16} {'pdfminer path':>14} {'PDFium path':>12} "
          f"{'÷ raw text':>10} {'speed-up':>9} {'to pdfminer':>12}")
    tot = [0.0, 0.0, 0.0, 0]
    for f in pdfs:
        pages, left = _pages_left_to_pdfminer(f)
        read_pdf(f, parser="pdfium")  # warm the imports and the CMap caches
        raw = _best_cpu(lambda f=f: pdfium_raw_text(f), rounds)
        old = _best_cpu(lambda f=f: read_pdf(f, parser="pdfminer"), rounds)
        new = _best_cpu(lambda f=f: read_pdf(f, parser="pdfium"), rounds)
        tot = [tot[0] + raw, tot[1] + old, tot[2] + new, tot[3] + pages]
        ms = [1000 * x / pages for x in (raw, old, new)]
        print(f"{f.name:<28} {pages:>5} {ms[0]:>16.2f} {ms[1]:>14.1f} {ms[2]:>12.1f} {new / raw:>9.1f}× "
              f"{old / new:>8.1f}× {left:>12}")
    if tot[3]:
        ms = [1000 * x / tot[3] for x in tot[:3]]
        print(f"{'all':<28} {tot[3]:>5} {ms[0]:>16.2f} {ms[1]:>14.1f} {ms[2]:>12.1f} {tot[2] / tot[0]:>9.1f}× "
              f"{tot[1] / tot[2]:>8.1f}×")


def _pages_left_to_pdfminer(path: Path) -> tuple[int, int]:
    """(pages, pages the PDFium path leaves to pdfminer) of a PDF."""
    import pdfplumber

    from extractors.pdf import open_parser, page_objects

    with pdfplumber.open(path) as pl:
        doc = open_parser(path, "pdfium")
        if doc is None:
            return len(pl.pages), len(pl.pages)
        with doc:
            for p in pl.pages:
                page_objects(p, doc)
                p.close()
            return len(pl.pages), len(doc.fallbacks)


# --------------------------------------------------------------------------- 1. speed

def bench_speed(files: list[Path]) -> None:
    from extractors.api import extract

    extract(files[0])  # warm the imports
    rows: dict[str, list[tuple[float, float, int]]] = defaultdict(list)
    errors_by_fmt: dict[str, int] = defaultdict(int)
    for f in files:
        fmt = FORMAT_OF[f.suffix.lower()]
        w0, c0 = time.perf_counter(), time.process_time()
        rec = extract(f)
        rows[fmt].append((time.perf_counter() - w0, time.process_time() - c0, rec.source.pages or 1))
        if rec.error:
            errors_by_fmt[fmt] += 1
    print("\n== 1. speed over the fixture corpus (in-process, one core)")
    print(f"{'format':<6} {'docs':>5} {'pages':>6} {'docs/s':>8} {'ms/doc':>8} {'ms/page wall':>13} "
          f"{'ms/page cpu':>12} {'errors':>7}")
    for fmt in ("pdf", "html", "docx", "txt"):
        r = rows.get(fmt)
        if not r:
            continue
        wall = sum(x[0] for x in r)
        cpu = sum(x[1] for x in r)
        pages = sum(x[2] for x in r)
        per_page_w = f"{1000 * wall / pages:.1f}" if fmt == "pdf" else "-"
        per_page_c = f"{1000 * cpu / pages:.1f}" if fmt == "pdf" else "-"
        print(f"{fmt:<6} {len(r):>5} {pages:>6} {len(r) / wall:>8.1f} {1000 * wall / len(r):>8.1f} "
              f"{per_page_w:>13} {per_page_c:>12} {errors_by_fmt[fmt]:>7}")


# --------------------------------------------------------------------------- 2. accuracy

_NUM = re.compile(r"^-?\d+(?:\.\d+)?$")


def _gold_cells(path: Path) -> tuple[str, list[dict]]:
    d = json.loads(path.read_text(encoding="utf-8"))
    return (d.get("report") or {}).get("format_version") or "2021", d["cells"]


def _score(cells: dict[tuple, tuple[str, object]], gold: list[dict]) -> tuple[int, int]:
    good = 0
    for g in gold:
        want = (g["status"], float(g["value"]) if g["status"] == "ok" else None)
        got = cells.get((g["table"], g["row"], g["column"]), ("missing", None))
        got = (got[0], float(got[1]) if got[0] == "ok" and got[1] is not None else None)
        good += got == want
    return good, len(gold)


def naive_cells(pdf_path: Path, fv: str) -> dict[tuple, tuple[str, object]]:
    """pdfplumber's default extract_tables(); every numeric cell, in reading order, assigned to the
    next cell of the vocabulary (by position, no labels)."""
    import pdfplumber

    from extractors import vocab

    nums: list[float] = []
    with pdfplumber.open(pdf_path) as pdf:
        for page in pdf.pages:
            for table in page.extract_tables():
                for row in table:
                    for c in row:
                        t = (c or "").strip().replace(",", "")
                        if _NUM.match(t):
                            nums.append(float(t))
            page.close()
    out = {}
    for cd, v in zip(vocab.cells(fv), nums, strict=False):
        out[(cd.table, cd.row, cd.column)] = ("ok", v)
    return out


def ours_cells(pdf_path: Path) -> dict[tuple, tuple[str, object]]:
    from extractors.api import extract

    rec = extract(pdf_path)
    return {c.key(): (c.status, c.value) for c in rec.cells}


def bench_accuracy(corpus_dir: Path | None) -> None:
    cases: list[tuple[str, Path, Path]] = []
    if corpus_dir is not None:
        from gongkai.demo import samples

        for sid in samples.SEED_IDS:
            pdf = corpus_dir / f"seed_{sid}.pdf"
            if pdf.exists():
                cases.append((pdf.name, pdf, samples.golden_path(sid)))
    if REAL_PDF.exists() and REAL_GOLD.exists():
        cases.append((REAL_PDF.name + " (real)", REAL_PDF, REAL_GOLD))
    print("\n== 2. cell accuracy vs golden files: (status, value) equal to the gold")
    if not cases:
        print("   no golden PDFs found")
        return
    print(f"{'document':<28} {'cells':>6} {'ours':>8} {'naive by position':>18}")
    tot = [0, 0, 0]
    for name, pdf, gold_path in cases:
        fv, gold = _gold_cells(gold_path)
        o, n = _score(ours_cells(pdf), gold)
        b, _ = _score(naive_cells(pdf, fv), gold)
        tot[0] += o
        tot[1] += b
        tot[2] += n
        print(f"{name:<28} {n:>6} {100 * o / n:>7.1f}% {100 * b / n:>17.1f}%")
    print(f"{'all':<28} {tot[2]:>6} {100 * tot[0] / tot[2]:>7.1f}% {100 * tot[1] / tot[2]:>17.1f}%")


# --------------------------------------------------------------------------- 3. dedupe

def bench_dedupe(corpus_dir: Path | None) -> None:
    import random

    from pdfplumber.utils import dedupe_chars as plumber_dedupe

    from extractors.pdf import dedupe_chars

    print("\n== 3. fake-bold de-duplication (median of 5 runs)")
    samples: list[tuple[str, list[dict]]] = []
    fb = corpus_dir / "seed_002_fakebold.pdf" if corpus_dir else None
    if fb is not None and fb.exists():
        import pdfplumber

        with pdfplumber.open(fb) as pdf:
            samples.append((f"{fb.name} p1", list(pdf.pages[0].chars)))
    rnd = random.Random(1)
    for n in (2000, 8000):
        chars = []
        for i in range(n):
            x, y = 40 + (i % 45) * 11.0, 40 + (i // 45) * 13.0
            t = chr(0x4E00 + rnd.randrange(200))
            for dx in (0.0, 0.3):
                chars.append({"text": t, "x0": x + dx, "x1": x + dx + 10, "top": y + dx / 2, "doctop": y + dx / 2,
                              "bottom": y + 10, "upright": True, "size": 10.0, "fontname": "F"})
        samples.append((f"synthetic {n} glyphs ×2", chars))
    print(f"{'page':<28} {'chars':>6} {'kept':>6} {'pdfplumber ms':>14} {'ours ms':>9} {'speed-up':>9}")
    for name, chars in samples:
        def timed(fn, chars=chars):
            ts = []
            for _ in range(5):
                t = time.perf_counter()
                res = fn(chars)
                ts.append(time.perf_counter() - t)
            return statistics.median(ts), res
        tp, rp = timed(lambda c: plumber_dedupe(c, tolerance=1))
        to, ro = timed(lambda c: dedupe_chars(c, 1.0))
        assert len(rp) == len(ro), (len(rp), len(ro))
        print(f"{name:<28} {len(chars):>6} {len(ro):>6} {1000 * tp:>14.2f} {1000 * to:>9.2f} {tp / to:>8.1f}×")


# --------------------------------------------------------------------------- 5. isolated workers

def bench_isolated(files: list[Path]) -> None:
    from extractors.sandbox import extract_many

    print("\n== 5. isolated extraction (extract_many: worker processes, 60 s / 1024 MB budget per document)")
    print(f"{'workers':>7} {'docs':>5} {'docs/s':>8} {'errors':>7}")
    for workers in (1, 2):
        t = time.perf_counter()
        recs = list(extract_many(files, workers=workers, timeout_s=60, memory_mb=1024))
        dt = time.perf_counter() - t
        assert len(recs) == len(files)
        print(f"{workers:>7} {len(recs):>5} {len(recs) / dt:>8.1f} {sum(1 for r in recs if r.error):>7}")


# --------------------------------------------------------------------------- 4. RSS

def long_pdf(pages: int) -> bytes:
    """A realistic long document: each page has a title line, prose and a ruled 12×8 table."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(595, 842))
    for i in range(pages):
        c.setFont("STSong-Light", 10)
        c.drawString(70, 800, f"某某镇人民政府政府信息公开工作年度报告（第{i + 1}页）")
        for k in range(12):
            c.drawString(70, 780 - k * 16, "本报告由某某镇人民政府办公室根据《条例》要求编制，数据统计期限为全年。")
        top = 560
        for r in range(13):
            c.line(70, top - r * 22, 530, top - r * 22)
        for j in range(9):
            x = 70 + j * (460 / 8)
            c.line(x, top, x, top - 12 * 22)
        for r in range(12):
            c.drawString(74, top - r * 22 - 15, f"第{r + 1}项")
            for j in range(1, 8):
                c.drawString(74 + j * (460 / 8), top - r * 22 - 15, str((i * 7 + r * 3 + j) % 500))
        c.drawCentredString(297, 30, f"- {i + 1} -")
        c.showPage()
    c.save()
    return buf.getvalue()


_CHILD = r"""
import sys, time
t0 = time.perf_counter(); c0 = time.process_time()
from extractors.pdf import read_pdf
import pdfplumber, pypdfium2  # noqa: F401  (imports count in the baseline)
t1 = time.perf_counter(); c1 = time.process_time()
n, tables = 0, 0
if sys.argv[1] != "-":
    d = read_pdf(sys.argv[1], max_pages=100000, parser=sys.argv[2])
    n, tables = d.pages, len(d.tables)
t2 = time.perf_counter(); c2 = time.process_time()
# VmHWM: this process's peak RSS (ru_maxrss would carry the parent's size across fork+exec)
hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
print(n, tables, hwm, t2 - t1, c2 - c1)
"""


def _child(arg: str, parser: str = "pdfium") -> tuple[int, int, float, float, float]:
    out = subprocess.run([sys.executable, "-c", _CHILD, arg, parser], capture_output=True, text=True, check=True,
                         cwd=ROOT).stdout.split()
    return int(out[0]), int(out[1]), int(out[2]) / 1024, float(out[3]), float(out[4])


def bench_rss(pages: int, tmp: Path) -> None:
    print("\n== 4. peak RSS reading long PDFs (fresh subprocess each; pages with prose + a 12×8 ruled table)")
    base = _child("-")
    print(f"{'document':<22} {'parser':>9} {'pages':>6} {'tables':>7} {'peak RSS MB':>12} {'ms/page wall':>13} "
          f"{'ms/page cpu':>12}")
    print(f"{'(imports only)':<22} {'':>9} {0:>6} {0:>7} {base[2]:>12.0f} {'-':>13} {'-':>12}")
    for n in sorted({30, pages}):
        p = tmp / f"long_{n}.pdf"
        p.write_bytes(long_pdf(n))
        for parser in ("pdfium", "pdfminer"):
            got = _child(str(p), parser)
            print(f"{p.name:<22} {parser:>9} {got[0]:>6} {got[1]:>7} {got[2]:>12.0f} {1000 * got[3] / n:>13.1f} "
                  f"{1000 * got[4] / n:>12.1f}")


# --------------------------------------------------------------------------- 6. layout classes

_NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")


def document_text(data: bytes, fmt: str) -> str:
    """The document's text as a simple tool would get it (for the naive baseline)."""
    if fmt == "pdf":
        import pdfplumber

        with pdfplumber.open(io.BytesIO(data)) as pdf:
            return "\n".join(p.extract_text() or "" for p in pdf.pages)
    if fmt == "html":
        import lxml.html

        root = lxml.html.document_fromstring(data)
        for td in root.iter("td", "th", "p", "tr"):
            td.tail = " " + (td.tail or "")
        return root.text_content()
    if fmt == "docx":
        import docx

        d = docx.Document(io.BytesIO(data))
        return "\n".join([p.text for p in d.paragraphs] + [c.text for t in d.tables for r in t.rows for c in r.cells])
    return data.decode("utf-8")


def naive_text_cells(text: str, fv: str) -> dict[tuple, tuple[str, object]]:
    """Every number from section 二 on, in reading order, given to the next cell of the form."""
    from extractors import vocab

    start = text.find("第二十条")
    nums = [m.group() for m in _NUMBER.finditer(text[max(start, 0):])]
    out = {}
    for cd, v in zip(vocab.cells(fv), nums, strict=False):
        try:
            out[(cd.table, cd.row, cd.column)] = ("ok", float(v.replace(",", "")))
        except ValueError:
            continue
    return out


def bench_classes(n: int) -> None:
    import random

    from extractors.api import extract
    from gongkai.demo.fixtures.classes import CLASSES, judge, random_report
    from gongkai.demo.fixtures.render import render

    print(f"\n== 6. cell accuracy per layout class ({n} random reports each: blanks, markers, respelled values)")
    print(f"{'class':<22} {'cells':>6} {'exact':>7} {'recov.':>7} {'flagged':>8} {'wrong':>6} {'naive':>7} "
          f"{'ms/doc':>7}  what")
    total = [0, 0, 0, 0, 0, 0]
    for cls in CLASSES:
        rng = random.Random(2026)
        cells = exact = recovered = flagged = wrong = naive = 0
        ms = 0.0
        for _ in range(n):
            spec, noise = random_report(rng)
            data = render(spec, cls.fmt, **cls.kwargs, **({"noise": True} if noise else {}))
            t = time.perf_counter()
            rec = extract(data)
            ms += 1000 * (time.perf_counter() - t)
            v = judge(spec, rec, cls)
            cells += v.cells
            exact += v.exact
            recovered += v.recovered
            flagged += v.flagged
            wrong += len(v.wrong)
            gold = [{"table": c.table, "row": c.row, "column": c.column, "status": c.status,
                     "value": float(c.value) if c.value is not None else None} for c in spec.record().cells]
            fmt = "pdf" if cls.fmt == "pdf" else cls.fmt
            naive += _score(naive_text_cells(document_text(data, fmt), spec.format_version), gold)[0]
        for i, x in enumerate((cells, exact, recovered, flagged, wrong, naive)):
            total[i] += x
        print(f"{cls.name:<22} {cells:>6} {100 * exact / cells:>6.1f}% {100 * recovered / cells:>6.1f}% "
              f"{100 * flagged / cells:>7.1f}% {wrong:>6} {100 * naive / cells:>6.1f}% {ms / n:>7.0f}  {cls.what}")
    c, e, r, f, w, nv = total
    print(f"{'all':<22} {c:>6} {100 * e / c:>6.1f}% {100 * r / c:>6.1f}% {100 * f / c:>7.1f}% {w:>6} {100 * nv / c:>6.1f}%")
    print("   exact: status and value as printed (a run-together value split right counts, and is also 'recov.');")
    print("   flagged: null with an issue, only where the rendering destroyed the information; wrong: any other value")


# --------------------------------------------------------------------------- 7. the solver

def bench_solver(n: int) -> None:
    import random
    from collections import Counter

    from extractors import assemble as assemble_mod
    from extractors.api import extract
    from gongkai.demo.fixtures.classes import edited_spec
    from gongkai.demo.fixtures.render import render

    print(f"\n== 7. run-together rows: how often the split is unique ({n} random balanced reports per size, "
          "every row printed run together, textContent style)")
    spent: list[float] = []
    original = assemble_mod.recover

    def timed(reads, fv, issues):
        t = time.process_time()  # CPU time: the machine may be shared
        original(reads, fv, issues)
        spent.append(time.process_time() - t)

    assemble_mod.recover = timed
    print(f"{'size':<28} {'table':<20} {'rows':>6} {'unique':>8}")
    try:
        for size, max_count in (("township (counts ≤ 20)", 20), ("city (counts ≤ 500)", 500)):
            rows: Counter = Counter()
            unique: Counter = Counter()
            whole = 0
            rng = random.Random(7)
            for _ in range(n):
                fv = rng.choice(("2019", "2021"))
                spec = edited_spec(rng.randrange(2**32), fv, fv == "2021" and rng.random() < 0.5, (),
                                   max_count=max_count)
                rec = extract(render(spec, "flat", style="runtogether"))
                done = {(i.table, i.row) for i in rec.issues if i.code == "recovered_by_identities"}
                undecided = {(i.table, i.row) for i in rec.issues if i.code == "run_together_values"}
                for t, r in done | undecided:
                    rows[t] += 1
                    unique[t] += (t, r) in done
                whole += all(t == "proactive" for t, _ in undecided)
            for t in ("proactive", "applications", "review_litigation"):
                if rows[t]:
                    print(f"{size:<28} {t:<20} {rows[t]:>6} {100 * unique[t] / rows[t]:>7.1f}%")
            print(f"{size:<28} {'all rows':<20} {sum(rows.values()):>6} "
                  f"{100 * sum(unique.values()) / max(1, sum(rows.values())):>7.1f}%")
            print(f"{size:<28} sections 三 and 四 wholly recovered in {100 * whole / n:.1f}% of the reports")
    finally:
        assemble_mod.recover = original
    print("   section 二 has no identity: its rows split only where the digit count allows one way")
    spent.sort()
    print(f"solver CPU time per report: median {1000 * spent[len(spent) // 2]:.1f} ms, "
          f"p95 {1000 * spent[int(len(spent) * 0.95)]:.1f} ms, max {1000 * spent[-1]:.1f} ms")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--pages", type=int, default=300, help="pages of the long PDF for the RSS figure")
    ap.add_argument("--no-rss", action="store_true", help="skip the long-PDF RSS measurement")
    ap.add_argument("--rounds", type=int, default=5, help="rounds of the parse benchmark (best CPU time kept)")
    ap.add_argument("--out", type=Path, default=None, help="keep the corpus here (default: a temp dir)")
    ap.add_argument("--reports", type=int, default=20, help="random reports per layout class (6.) and solver (7.)")
    ap.add_argument("--only-classes", action="store_true", help="run only 6. and 7.")
    args = ap.parse_args()
    if args.only_classes:
        bench_classes(args.reports)
        bench_solver(args.reports * 5)
        return 0
    with tempfile.TemporaryDirectory(prefix="gongkai-bench-") as td:
        tmp = Path(td)
        corpus_dir = args.out or tmp / "corpus"
        t = time.perf_counter()
        files = build_corpus(corpus_dir)
        have_corpus = any(f.parent == corpus_dir for f in files)
        print(f"corpus: {len(files)} documents in {corpus_dir} (built in {time.perf_counter() - t:.1f} s)")
        bench_parse(files, args.rounds)
        bench_speed(files)
        bench_accuracy(corpus_dir if have_corpus else None)
        bench_dedupe(corpus_dir if have_corpus else None)
        if not args.no_rss:
            bench_rss(args.pages, tmp)
        bench_isolated(files)
    bench_classes(args.reports)
    bench_solver(args.reports * 5)
    print("\ntargets: ≤ 20 ms per text-PDF page (cpu, one core); 300 pages < 300 MB peak RSS; "
          "solver well under 50 ms per report")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
