"""Reading speed of the readers + segmenter, per MB of input, at 1x / 4x / 16x the input size (one run,
best of 3 timings each: the ratios are what matters — near 1.0 means time grows linearly with input),
and very long lines (10k vs 100k characters).

    python bench/bench_read.py
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "hooks"))

from studysite import segment as segmenter  # noqa: E402
from studysite.detect import default_model  # noqa: E402
from studysite.model import SourceError  # noqa: E402
from studysite.readers import read_text  # noqa: E402
import contextlib

CORPUS = REPO / "tests" / "corpus"


def inputs() -> dict[str, str]:
    """One input of each format (repeated to about 0.5 MB for 1x)."""
    markdown = "\n\n".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.md")))
    dump = (REPO / "sources" / "004_519512c2dfdefeb4.txt").read_text(encoding="utf-8")
    notes = (REPO / "sources" / "000_4bf7c5cc3fe7a3fc.txt").read_text(encoding="utf-8")
    page = (CORPUS / "studysite-rnn-page.html").read_text(encoding="utf-8")
    csv_text = (CORPUS / "studysite-export.csv").read_text(encoding="utf-8")
    return {"markdown READMEs": markdown, "notes": notes * 4, "dump": dump * 4, "HTML page": page, "CSV": csv_text}


def scaled(kind: str, text: str, k: int) -> str:
    if kind == "HTML page":
        head, sep, rest = text.partition("<article")
        body, sep2, tail = rest.partition("</article>")
        return head + sep + body * k + sep2 + tail  # one page, k times the questions
    if kind == "CSV":
        header, _, rows = text.partition("\n")
        return header + "\n" + rows * k
    return "\n".join([text] * k)


def timed(text: str, name: str, runs: int = 3) -> tuple[float, int]:
    """Best of `runs` (the machine is shared: the minimum is the least disturbed measurement)."""
    best, n = float("inf"), -1
    for _ in range(runs):
        started = time.perf_counter()
        try:
            n = len(read_text(text, name).questions)
        except SourceError:
            n = -1
        best = min(best, time.perf_counter() - started)
    return best, n


class Stopwatch:
    """Wraps the segmenter's detection steps (candidate context, features, scores) to time them apart."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.originals = {name: getattr(segmenter, name) for name in ("slot_context", "score_slots")}

    def __enter__(self) -> Stopwatch:
        for name, func in self.originals.items():
            setattr(segmenter, name, self.wrap(func))
        return self

    def __exit__(self, *exc) -> None:
        for name, func in self.originals.items():
            setattr(segmenter, name, func)

    def wrap(self, func):
        def timed_call(*args, **kw):
            started = time.process_time()
            try:
                return func(*args, **kw)
            finally:
                self.seconds += time.process_time() - started

        return timed_call


def detection_share() -> None:
    """What learned detection adds to reading: its CPU time ÷ the rest of reading (target ≤ 20 %)."""
    started = time.process_time()
    default_model()
    print(f"Detection: model loaded in {(time.process_time() - started) * 1000:.0f} ms (CPU)")
    print(f"{'input':<18} {'read s':>7} {'detect s':>8} {'adds':>6}")
    total_read = total_detect = 0.0
    for kind, text in inputs().items():
        big = scaled(kind, text, max(1, round(500_000 / len(text.encode("utf-8")))))
        name = f"sources/bench.{ {'HTML page': 'html', 'CSV': 'csv'}.get(kind, 'md') }"
        best = None
        for _ in range(3):
            with Stopwatch() as watch:
                started = time.process_time()
                with contextlib.suppress(SourceError):
                    read_text(big, name)
                spent = time.process_time() - started
            if best is None or spent < best[0]:
                best = (spent, watch.seconds)
        spent, detect = best
        total_read, total_detect = total_read + spent, total_detect + detect
        print(f"{kind:<18} {spent:7.2f} {detect:8.2f} {detect / max(spent - detect, 1e-9):6.0%}")
    print(
        f"{'all':<18} {total_read:7.2f} {total_detect:8.2f} {total_detect / max(total_read - total_detect, 1e-9):6.0%}"
    )
    print()


def main() -> None:
    detection_share()
    print("Reading time per MB of input (one run; ratio = s/MB at k x ÷ s/MB at 1x; 1.0 = linear)")
    print(f"{'input':<18} {'k':>3} {'MB':>7} {'questions':>9} {'s':>7} {'s/MB':>7} {'ratio':>6}")
    for kind, text in inputs().items():
        base = None
        unit = max(1, round(500_000 / len(text.encode("utf-8"))))  # 1x is about 0.5 MB: big enough to time
        for k in (1, 4, 16):
            big = scaled(kind, text, k * unit)
            mb = len(big.encode("utf-8")) / 1e6
            seconds, n = timed(big, f"sources/bench.{ {'HTML page': 'html', 'CSV': 'csv'}.get(kind, 'md') }")
            per_mb = seconds / mb
            base = base or per_mb
            print(f"{kind:<18} {k:>3} {mb:7.2f} {n:>9} {seconds:7.2f} {per_mb:7.2f} {per_mb / base:6.2f}")
    print()
    print("Very long lines (10k vs 100k characters; ratio = time(100k) ÷ time(10k), 10 = linear)")
    cases = {
        "notes title": lambda n: "- What is " + "x" * n + "?\n  - answer\n",
        "bold question": lambda n: "1. **What is " + "a " * (n // 2) + "?**\n   answer\n",
        "markup run": lambda n: "# " + "*_[`" * (n // 4) + "\n- What is y?\n  - b\n",
        "dump value with ]": lambda n: "h2 => [ What is " + "] " * (n // 2) + "? ]\np => [ a ]\n",
        "HTML paragraph": lambda n: "<html><body><h2>What is x?</h2><p>" + "word " * (n // 5) + "</p></body></html>",
        "table row": lambda n: "| Question | Answer |\n|---|---|\n| What is " + "y" * n + "? | z |\n",
    }
    for name, make in cases.items():
        small, _ = timed(make(10_000), "sources/long.md")
        large, n = timed(make(100_000), "sources/long.md")
        print(
            f"{name:<18} 10k {small * 1000:8.1f} ms   100k {large * 1000:8.1f} ms   ratio {large / max(small, 1e-9):5.1f}"
        )


if __name__ == "__main__":
    main()
