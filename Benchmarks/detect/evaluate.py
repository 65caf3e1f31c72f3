#!/usr/bin/env python3
"""Scores `signet detect` on the labelled set made by build_set.py (one split, by default the test split, whose
photographs were never used to fit the calibration) and prints markdown tables.

Usage: evaluate.py --set DIR --signet BIN [--split test] [--out DIR] [--jobs 2] [--batch 40] [--no-speed]

- Image level, per signal and for `fused` (the record's top-level `score`; also the sum of the signals'
  `contribution`s, which ranks as the score does without its rounding to 4 decimals): ROC AUC from the signal's raw `value`,
  a signal that does not apply (or is null) ranking below every value; the fraction of images it applies to
  (controls / manipulated); AUC among the images it applies to; TPR at 5 % FPR; AUC per manipulation kind
  (that kind's images against all the controls). `error_level` (error-level analysis) is the baseline. A second,
  independent ELA baseline is computed here in Python (re-save at quality 95; 99th percentile over the median of
  the 8x8 block means of the absolute difference) so there is a reference even if the binary's changes.
- Localisation, from the raw heatmaps (`--heatmap DIR --heatmap-raw`: value = round(suspicion * 254), 255 =
  unknown, counted as not flagged) against the masks of the manipulated images: F1 per image at suspicion >= 0.5,
  averaged; beside it the F1 of flagging every pixel (what a useless map scores); the best single threshold's
  mean F1 (chosen on this same split, so optimistic: labelled as such); pixel-level AUC over all pixels of the
  manipulated images (from 256-bin histograms, exact); per kind F1 at 0.5; on the controls, the fraction of
  pixels flagged at 0.5.
- Time per megapixel from each record's `milliseconds` (files run --jobs N at a time, so two at once by default),
  median and p95.
- Speed against a plain JPEG decode: a 12-megapixel JPEG (4000x3000, quality 90, astronaut upscaled plus mild
  noise) decoded by `djpeg -outfile /dev/null` (libjpeg-turbo-progs) and scored by `signet detect --json`, each
  the median of 3 process wall times; target: detect <= 20x djpeg. Without djpeg, Pillow's decode stands in
  (labelled).
The summary goes to OUT/summary.json, the records to OUT/records.jsonl, the heatmaps to OUT/heatmaps/.
"""
import argparse
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

import numpy as np
from PIL import Image

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402
from common import FUSED, FUSED_LOGIT  # noqa: E402

KINDS = ["splice", "copy_move", "resample", "blur", "sharpen", "dq_aligned", "dq_nonaligned"]
BASELINE = "error_level"
PY_ELA = "ela_python"


def python_ela(path):
    im = Image.open(path)
    im = im.convert("RGB") if im.mode != "L" else im
    x = np.asarray(im, dtype=np.float32)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=95)
    buf.seek(0)
    y = np.asarray(Image.open(buf).convert(im.mode), dtype=np.float32)
    e = np.abs(x - y)
    if e.ndim == 3:
        e = e.mean(2)
    h, w = (e.shape[0] // 8) * 8, (e.shape[1] // 8) * 8
    blocks = e[:h, :w].reshape(h // 8, 8, w // 8, 8).mean((1, 3))
    return float(np.percentile(blocks, 99) / (np.median(blocks) + 0.25))


def fmt(x, spec=".3f"):
    return "–" if x is None else format(x, spec)


def image_level(rows, values_by_signal):
    out = {}
    labels = np.array([r["label"] for r in rows])
    kinds = np.array([r["kind"] for r in rows])
    for name, values in values_by_signal.items():
        applies = np.array([v is not None for v in values])
        s = common.with_floor(values)
        res = {
            "auc": common.auc(labels, s),
            "tpr_at_5pct_fpr": common.tpr_at_fpr(labels, s, 0.05),
            "applicable_controls": float(applies[labels == 0].mean()) if (labels == 0).any() else None,
            "applicable_manipulated": float(applies[labels == 1].mean()) if (labels == 1).any() else None,
            "auc_where_applicable": common.auc(labels[applies], s[applies]) if applies.any() else None,
            "per_kind_auc": {},
        }
        for k in KINDS:
            sel = (labels == 0) | (kinds == k)
            if (kinds == k).any():
                res["per_kind_auc"][k] = common.auc(labels[sel], s[sel])
        out[name] = res
    return out


def load_heatmap(path, shape):
    """uint8 array of the heatmap at `shape`; notes what had to be adapted."""
    notes = []
    im = Image.open(path)
    if im.mode in ("RGB", "RGBA"):
        a = np.asarray(im.convert("RGB"))
        if not (np.array_equal(a[..., 0], a[..., 1]) and np.array_equal(a[..., 0], a[..., 2])):
            notes.append("RGB heatmap with R != G or B: read R")
        a = a[..., 0]
    elif im.mode == "L":
        a = np.asarray(im)
    else:
        notes.append(f"heatmap mode {im.mode}: converted to L")
        a = np.asarray(im.convert("L"))
    if a.shape != shape:
        notes.append(f"heatmap {a.shape[1]}x{a.shape[0]} != image {shape[1]}x{shape[0]}: resized (nearest)")
        a = np.asarray(Image.fromarray(a).resize((shape[1], shape[0]), Image.NEAREST))
    return a, notes


def localisation(rows, records):
    """Histogram-based localisation metrics. Bin 0 = unknown (255), bin v+1 = value v; 'flagged at k' = bin >= k+1."""
    per_image_f1 = []  # (kind, f1 array over thresholds k = 0..255: flagged iff value >= k, unknown never)
    pos_hist, neg_hist = np.zeros(256, np.int64), np.zeros(256, np.int64)
    control_flagged, control_pixels, unknown, total = 0, 0, 0, 0
    notes, missing = {}, 0
    flag_all = []  # F1 of flagging every pixel: what a useless map scores
    for r in rows:
        rec = records.get(r["path"])
        hm = rec.get("heatmap") if rec else None
        if not hm or not os.path.exists(hm):
            missing += 1
            continue
        h, w = int(r["height"]), int(r["width"])
        a, n = load_heatmap(hm, (h, w))
        for x in n:
            notes[x] = notes.get(x, 0) + 1
        idx = np.where(a == 255, 0, a.astype(np.int64) + 1)
        unknown += int((a == 255).sum())
        total += a.size
        if r["label"] == 0:
            control_flagged += int((idx >= 128).sum())
            control_pixels += a.size
            continue
        m = np.asarray(Image.open(r["mask_path"]).convert("L")) >= 128
        hp = np.bincount(idx[m], minlength=256)
        hn = np.bincount(idx[~m], minlength=256)
        pos_hist += hp
        neg_hist += hn
        # flagged at threshold k (value >= k) = bins k+1..255
        tp = np.cumsum(hp[::-1])[::-1]  # tp[j] = pixels of the mask in bins >= j
        fp = np.cumsum(hn[::-1])[::-1]
        tp_k = np.append(tp[1:], 0)[:255]  # k = 0..254 -> bins >= k+1
        fp_k = np.append(fp[1:], 0)[:255]
        fn_k = m.sum() - tp_k
        denom = 2 * tp_k + fp_k + fn_k
        f1 = np.where(denom > 0, 2 * tp_k / np.maximum(denom, 1), 0.0)
        per_image_f1.append((r["kind"], f1))
        flag_all.append(2 * m.sum() / (m.sum() + m.size))
    res = {"images_with_heatmap": sum(1 for r in rows if r["path"] in records and records[r["path"]].get("heatmap")),
           "manipulated_missing_heatmap": sum(1 for r in rows if r["label"] == 1) - len(per_image_f1),
           "heatmap_notes": notes, "unknown_pixel_fraction": unknown / total if total else None,
           "control_pixels_flagged_at_0.5": control_flagged / control_pixels if control_pixels else None}
    if not per_image_f1:
        return res
    f1s = np.stack([f for _, f in per_image_f1])
    k05 = 127  # round(0.5 * 254)
    mean = f1s.mean(0)
    best = int(np.argmax(mean))
    res.update({
        "images": len(per_image_f1),
        "f1_at_0.5": float(mean[k05]),
        "best_threshold": best / 254.0,
        "f1_at_best_threshold": float(mean[best]),
        "f1_flag_everything": float(np.mean(flag_all)),
        "per_kind_f1_at_0.5": {k: float(np.mean([f[k05] for kk, f in per_image_f1 if kk == k]))
                               for k in KINDS if any(kk == k for kk, _ in per_image_f1)},
    })
    # Pixel AUC: P(pos > neg) + P(tie)/2 over the pooled histograms (unknown ranks lowest).
    npos, nneg = pos_hist.sum(), neg_hist.sum()
    if npos and nneg:
        neg_below = np.cumsum(neg_hist) - neg_hist
        res["pixel_auc"] = float((pos_hist * (neg_below + 0.5 * neg_hist)).sum() / (npos * nneg))
    return res


def timing(records):
    per_mp, per_img = [], []
    for rec in records.values():
        ms, w, h = rec.get("milliseconds"), rec.get("width"), rec.get("height")
        if common.finite(ms) and common.finite(w) and common.finite(h) and w * h > 0:
            per_mp.append(ms / (w * h / 1e6))
            per_img.append(ms)
    if not per_mp:
        return {}
    return {"files": len(per_mp), "median_ms_per_mp": float(np.median(per_mp)),
            "p95_ms_per_mp": float(np.percentile(per_mp, 95)), "median_ms_per_file": float(np.median(per_img))}


def make_12mp(path):
    import skimage.data

    rng = np.random.default_rng(12)
    im = Image.fromarray(skimage.data.astronaut()).resize((4000, 3000), Image.BICUBIC)
    a = np.asarray(im, dtype=np.float32) + rng.normal(0, 2.0, (3000, 4000, 3)).astype(np.float32)
    Image.fromarray(np.clip(a + 0.5, 0, 255).astype(np.uint8)).save(path, "JPEG", quality=90)


def speed(signet, out_dir, runs=3):
    path = os.path.join(out_dir, "speed-12mp.jpg")
    if not os.path.exists(path):
        make_12mp(path)
    res = {"file": path, "megapixels": 12.0, "runs": runs}
    djpeg = shutil.which("djpeg")

    def run_ok(cmd):
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if p.returncode != 0:
            raise common.bench.WrongOutput(f"{' '.join(cmd[:2])}: exit {p.returncode}: {p.stderr.strip()[:300]}")
        return p.stdout

    if djpeg:
        res["decoder"] = "djpeg -outfile /dev/null"
        res["decode_s"] = common.bench.median_time(lambda: run_ok([djpeg, "-outfile", "/dev/null", path]), runs)
    else:
        res["decoder"] = "Pillow decode in-process (djpeg missing: apt-get install libjpeg-turbo-progs)"
        res["decode_s"] = common.bench.median_time(lambda: Image.open(path).load(), runs)
    inner = []

    def detect():
        out = run_ok([signet, "detect", path, "--json"])
        for line in out.splitlines():
            if line.strip().startswith("{"):
                ms = json.loads(line).get("milliseconds")
                if common.finite(ms):
                    inner.append(ms)

    try:
        res["detect_s"] = common.bench.median_time(detect, runs)
    except common.bench.WrongOutput as e:
        res["error"] = str(e)
        return res
    res["detect_reported_ms"] = statistics.median(inner) if inner else None
    res["ratio"] = res["detect_s"] / res["decode_s"]
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", required=True, dest="set_dir")
    ap.add_argument("--signet", required=True)
    ap.add_argument("--split", default="test", help="train, test or all")
    ap.add_argument("--out", default=os.path.join(common.bench.OUT, "detect-eval"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=40, help="files per signet process")
    ap.add_argument("--no-speed", action="store_true", help="skip the 12-megapixel decode comparison")
    args = ap.parse_args()

    rows = common.read_labels(args.set_dir, args.split)
    os.makedirs(args.out, exist_ok=True)
    heat_dir = os.path.join(args.out, "heatmaps")
    shutil.rmtree(heat_dir, ignore_errors=True)
    n0, n1 = sum(r["label"] == 0 for r in rows), sum(r["label"] == 1 for r in rows)
    photos = sorted({r["source"] for r in rows})
    print(f"signet detect on the {args.split} split of {args.set_dir}: {len(rows)} images ({n0} controls, {n1} manipulated) "
          f"from {len(photos)} photographs ({', '.join(photos)}); the set is split by source photograph, so none of "
          f"these was used to fit the calibration (fit.py uses train). {os.cpu_count()} cores, --jobs {args.jobs}.")
    t0 = time.perf_counter()
    records, problems = common.run_detect(args.signet, [r["path"] for r in rows], jobs=args.jobs, batch=args.batch,
                                          heatmap_dir=heat_dir, raw=True)
    wall = time.perf_counter() - t0
    with open(os.path.join(args.out, "records.jsonl"), "w") as f:
        for r in rows:
            if r["path"] in records:
                f.write(json.dumps(dict(records[r["path"]], label=r["label"], kind=r["kind"])) + "\n")
    for p in problems[:10]:
        print(f"warning: {p}")
    if len(problems) > 10:
        print(f"warning: ... and {len(problems) - 10} more")
    rows_ok = [r for r in rows if r["path"] in records]
    if not rows_ok:
        raise SystemExit("no records: nothing to score")
    recs = [records[r["path"]] for r in rows_ok]

    names = common.signal_names(recs)
    order = [FUSED, FUSED_LOGIT] + ([BASELINE] if BASELINE in names else []) + [n for n in names if n != BASELINE]
    values = {n: [common.signal_value(rec, n) for rec in recs] for n in order}
    values[PY_ELA] = [python_ela(r["path"]) for r in rows_ok]
    img = image_level(rows_ok, values)

    def label(n):
        if n == FUSED:
            return "**fused** (top-level score)"
        if n == FUSED_LOGIT:
            return "fused logit (sum of contributions: the score unrounded)"
        if n == BASELINE:
            return "error_level (**baseline**: ELA)"
        if n == PY_ELA:
            return "ELA in Python (**baseline**, reference)"
        return n

    print()
    print(f"Image level ({len(rows_ok)} images; not applicable ranks lowest; per-kind AUC = that kind vs all controls)")
    print()
    print("| signal | applies (controls / manip.) | AUC | AUC where applicable | TPR @ 5% FPR | " + " | ".join(KINDS) + " |")
    print("|---|---|---|---|---|" + "---|" * len(KINDS))
    for n in order + [PY_ELA]:
        m = img[n]
        print(f"| {label(n)} | {fmt(m['applicable_controls'], '.0%')} / {fmt(m['applicable_manipulated'], '.0%')} "
              f"| {fmt(m['auc'])} | {fmt(m['auc_where_applicable'])} | {fmt(m['tpr_at_5pct_fpr'], '.0%')} | "
              + " | ".join(fmt(m["per_kind_auc"].get(k), ".2f") for k in KINDS) + " |")

    # Bands and provenance as the binary reports them.
    bands = {}
    for r, rec in zip(rows_ok, recs):
        b = str(rec.get("band"))
        bands.setdefault(b, [0, 0])[r["label"]] += 1
    prov = {}
    for rec in recs:
        prov[str(rec.get("provenance"))] = prov.get(str(rec.get("provenance")), 0) + 1
    print()
    print("Bands (controls / manipulated): " + ", ".join(f"{b}: {c[0]} / {c[1]}" for b, c in sorted(bands.items()))
          + "; provenance: " + ", ".join(f"{p}: {c}" for p, c in sorted(prov.items())))

    loc = localisation(rows_ok, records)
    print()
    print("Localisation (raw heatmap vs mask, manipulated images; unknown = not flagged)")
    print()
    if "f1_at_0.5" in loc:
        print("| images | F1 @ 0.5 (mean per image) | best-threshold F1 (threshold picked on this split: optimistic) | pixel AUC | F1 of flagging everything | "
              + " | ".join(f"F1 {k}" for k in KINDS) + " | control pixels flagged @ 0.5 | unknown pixels |")
        print("|---|---|---|---|---|" + "---|" * len(KINDS) + "---|---|")
        print(f"| {loc['images']} | {loc['f1_at_0.5']:.3f} | {loc['f1_at_best_threshold']:.3f} at {loc['best_threshold']:.2f} "
              f"| {fmt(loc.get('pixel_auc'))} | {loc['f1_flag_everything']:.3f} | " + " | ".join(fmt(loc['per_kind_f1_at_0.5'].get(k), '.2f') for k in KINDS)
              + f" | {fmt(loc['control_pixels_flagged_at_0.5'], '.1%')} | {fmt(loc['unknown_pixel_fraction'], '.1%')} |")
    elif not any(r["label"] == 1 for r in rows_ok):
        print("no manipulated images: localisation not scored")
    else:
        print("no heatmaps were written: localisation not scored")
    if loc.get("manipulated_missing_heatmap"):
        print(f"note: {loc['manipulated_missing_heatmap']} manipulated images had no heatmap")
    for n, c in loc.get("heatmap_notes", {}).items():
        print(f"note: {c} heatmaps: {n}")

    tm = timing(records)
    print()
    if tm:
        print(f"Time (from `milliseconds`, {tm['files']} files, {args.jobs} at a time, heatmaps on): "
              f"median {tm['median_ms_per_mp']:.0f} ms/MP, p95 {tm['p95_ms_per_mp']:.0f} ms/MP, "
              f"median {tm['median_ms_per_file']:.1f} ms per file; whole run {wall:.1f} s wall")
    else:
        print("Time: the records carry no usable milliseconds/width/height")

    sp = None
    if not args.no_speed:
        sp = speed(args.signet, args.out)
        print()
        if "error" in sp:
            print(f"12 MP speed: detect failed: {sp['error']}")
        else:
            verdict = "within" if sp["ratio"] <= 20 else "OVER"
            print(f"12 MP JPEG (4000x3000, q90), median of {sp['runs']}: {sp['decoder']}: {sp['decode_s'] * 1e3:.0f} ms; "
                  f"signet detect --json: {sp['detect_s'] * 1e3:.0f} ms wall (reports {fmt(sp['detect_reported_ms'], '.0f')} ms); "
                  f"ratio {sp['ratio']:.1f}x ({verdict} the 20x target)")

    summary = {"set": os.path.abspath(args.set_dir), "split": args.split, "images": len(rows), "scored": len(rows_ok),
               "controls": n0, "manipulated": n1, "photos": photos, "signals": names, "image_level": img,
               "bands": bands, "provenance": prov, "localisation": loc, "timing": tm, "speed_12mp": sp,
               "problems": problems, "wall_s": wall}
    with open(os.path.join(args.out, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    print()
    print(f"summary: {os.path.join(args.out, 'summary.json')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
