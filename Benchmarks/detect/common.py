"""Shared by evaluate.py and fit.py: reading the set, running `signet detect` in batches, and the ROC helpers."""
import csv
import json
import math
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BENCH = os.path.dirname(HERE)
sys.path.insert(0, BENCH)
import bench  # noqa: E402  (Benchmarks/bench.py: OUT, median_time, WrongOutput)

import numpy as np  # noqa: E402

FUSED = "fused"
# The sum of the signals' contributions: the fused logit less the intercept. It ranks images as the score does
# (but for a declaration's floor), without the score's rounding to 4 decimals, which ties scores near 0 or 1.
FUSED_LOGIT = "fused_logit"


def read_labels(set_dir, split=None):
    """Rows of labels.csv (optionally one split), with absolute `path` and `mask_path` added."""
    rows = []
    with open(os.path.join(set_dir, "labels.csv"), newline="") as f:
        for r in csv.DictReader(f):
            if split and split != "all" and r["split"] != split:
                continue
            r["label"] = int(r["label"])
            r["path"] = os.path.abspath(os.path.join(set_dir, r["file"]))
            r["mask_path"] = os.path.abspath(os.path.join(set_dir, r["mask"])) if r["mask"] else ""
            rows.append(r)
    if not rows:
        raise SystemExit(f"no images for split {split!r} in {set_dir}/labels.csv")
    return rows


def run_detect(signet, paths, jobs=2, batch=40, heatmap_dir=None, raw=True, timeout=900, quiet=False):
    """Runs `signet detect --json` over paths, `batch` files per process. Returns ({abs path: record}, problems),
    problems being a list of strings (non-zero exits, stderr, lines that are not JSON, files without a record)."""
    records, problems = {}, []
    if heatmap_dir:
        os.makedirs(heatmap_dir, exist_ok=True)
    t0 = time.perf_counter()
    for start in range(0, len(paths), batch):
        chunk = paths[start:start + batch]
        cmd = [signet, "detect", *chunk, "--json", "--jobs", str(jobs)]
        if heatmap_dir:
            # With one file the binary takes PATH as the heatmap file itself; with several, as a directory.
            target = heatmap_dir if len(chunk) > 1 else os.path.join(heatmap_dir, os.path.basename(chunk[0]) + ".heatmap.png")
            cmd += ["--heatmap", target] + (["--heatmap-raw"] if raw else [])
        try:
            p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            problems.append(f"batch at {start}: timed out after {timeout} s")
            continue
        if p.returncode != 0:
            problems.append(f"batch at {start}: exit {p.returncode}: {p.stderr.strip()[:400]}")
        elif p.stderr.strip():
            problems.append(f"batch at {start}: stderr: {p.stderr.strip()[:400]}")
        by_name = {os.path.basename(c): c for c in chunk}
        for line in p.stdout.splitlines():
            line = line.strip()
            if not line:
                continue
            try:
                rec = json.loads(line)
            except json.JSONDecodeError:
                problems.append(f"not JSON: {line[:200]}")
                continue
            f = rec.get("file")
            key = os.path.abspath(f) if isinstance(f, str) else None
            if key not in by_name.values() and isinstance(f, str):
                key = by_name.get(os.path.basename(f), key)
            if key is None:
                problems.append(f"record without a known file: {line[:200]}")
                continue
            if "error" in rec:
                problems.append(f"{os.path.basename(key)}: error {json.dumps(rec['error'])[:200]}")
                continue
            hm = rec.get("heatmap")
            if isinstance(hm, str) and not os.path.isabs(hm):
                rec["heatmap"] = os.path.abspath(hm)
            records[key] = rec
        if not quiet:
            done = min(start + batch, len(paths))
            print(f"  detect: {done}/{len(paths)} files, {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    missing = [p for p in paths if p not in records]
    if missing:
        problems.append(f"{len(missing)} files without a record, e.g. {missing[0]}")
    return records, problems


def finite(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def signal_names(records):
    """Signal names in order of first appearance."""
    seen = []
    for rec in records:
        for s in rec.get("signals") or []:
            n = s.get("name")
            if n and n not in seen:
                seen.append(n)
    return seen


def signal_entry(rec, name):
    for s in rec.get("signals") or []:
        if s.get("name") == name:
            return s
    return None


def signal_value(rec, name):
    """The raw statistic, or None when the signal is absent, not applicable or null."""
    if name == FUSED:
        v = rec.get("score")
        return float(v) if finite(v) else None
    if name == FUSED_LOGIT:
        c = [s.get("contribution") for s in rec.get("signals") or []]
        c = [float(x) for x in c if finite(x)]
        return sum(c) if c else None
    s = signal_entry(rec, name)
    if not s or s.get("applicable") is False:
        return None
    v = s.get("value")
    return float(v) if finite(v) else None


def with_floor(values):
    """None (not applicable) becomes a value below every real one, so it ranks lowest."""
    real = [v for v in values if v is not None]
    floor = (min(real) - 1.0) if real else 0.0
    return np.array([floor if v is None else v for v in values], dtype=np.float64)


def auc(labels, scores):
    """ROC AUC (Mann-Whitney, ties count half); None when one class is missing."""
    from scipy.stats import rankdata

    y = np.asarray(labels)
    s = np.asarray(scores, dtype=np.float64)
    n1, n0 = int((y == 1).sum()), int((y == 0).sum())
    if n1 == 0 or n0 == 0:
        return None
    r = rankdata(s)
    return float((r[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def tpr_at_fpr(labels, scores, max_fpr=0.05):
    """Best TPR over thresholds `score >= t` whose FPR is at most max_fpr (ties are never split)."""
    y = np.asarray(labels)
    s = np.asarray(scores, dtype=np.float64)
    neg, pos = np.sort(s[y == 0]), s[y == 1]
    if len(neg) == 0 or len(pos) == 0:
        return None
    best = 0.0
    for t in np.unique(s):
        fpr = (len(neg) - np.searchsorted(neg, t, side="left")) / len(neg)
        if fpr <= max_fpr:
            best = max(best, float((pos >= t).mean()))
    return best


def threshold_at_fpr(neg_scores, max_fpr):
    """The smallest threshold t with mean(neg >= t) <= max_fpr."""
    neg = np.sort(np.asarray(neg_scores, dtype=np.float64))
    for t in np.unique(neg):
        if (neg >= t).mean() <= max_fpr:
            return float(t)
    return float(neg[-1]) + 1e-9 if len(neg) else 0.5
