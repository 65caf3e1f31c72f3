#!/usr/bin/env python3
"""Fits the calibration of `signet detect` on the train split of the set made by build_set.py.

Usage: fit.py --set DIR --signet BIN --out Sources/SignetDetect/Calibration.json
              [--swift Sources/SignetDetect/CalibrationTable.swift] [--jobs 2] [--C 1.0] [--low-tpr 0.8]

1. Per signal, on the train images where it applies (a finite `value`): a 1-D logistic regression
   score = sigmoid(a * value + b) (scikit-learn; the value is standardised for the fit, a and b are given back on
   the raw scale; almost no regularisation). A signal whose fitted slope a is <= 0 gets a = 0, b = prior, weight 0
   (the binary promises larger = more suspicious; --allow-negative-slopes keeps the fit instead). Signals that apply
   to fewer than 10 train images, to one class only, or whose value never varies (on this set: the metadata
   signals, as these bare JPEGs carry no metadata) keep the entry of the previous calibration (--out if it exists,
   else the --swift table); whatever they add to a train image's logit is a fixed offset in step 2.
2. Fused: each signal's log-likelihood ratio llr = a * value + b - prior (prior = log(#manipulated /
   #controls) among the images the signal applies to, i.e. what b absorbed of the class balance); 0 when it does
   not apply. score = sigmoid(intercept + sum(weight * llr)), weights >= 0 and L2-penalised (objective: mean log
   loss + ||w||^2 / (2 C n)), fitted with scipy's L-BFGS-B under bounds (scipy comes with scikit-learn).
3. Bands, from the fused score's ROC on train: strong = the lowest threshold with train FPR <= 2 %, moderate = the
   lowest with FPR <= 10 %, inconclusive = the score of the manipulated images' --low-tpr quantile from the top
   (the threshold where TPR = 80 % by default), capped at moderate; below inconclusive is "low". The rule and the
   in-sample numbers go into `notes`.
Output: {"version": 1, "fitted_on", "intercept", "signals": {name: {"a", "b", "prior", "weight"}}, "bands", "notes"},
numbers to 6 significant digits; with --swift, the same numbers as the Swift table `Calibration.shipped`.
The fused AUC is also given cross-validated by photograph (train photos only, leave one photo group out), which is
the honest number among the train ones; the test split (evaluate.py) is the one to report.
"""
import argparse
import json
import math
import os
import re
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import common  # noqa: E402

MIN_APPLICABLE = 10


def fit_1d(x, y):
    """(a, b) of sigmoid(a * x + b), fitted with scikit-learn on the standardised value."""
    from sklearn.linear_model import LogisticRegression

    mu, sd = float(np.mean(x)), float(np.std(x))
    z = ((x - mu) / sd).reshape(-1, 1)
    m = LogisticRegression(C=1e4, max_iter=1000).fit(z, y)
    c, i = float(m.coef_[0, 0]), float(m.intercept_[0])
    return c / sd, i - c * mu / sd


def fit_nonneg(X, y, C, offset=None):
    """Intercept and non-negative weights of an L2-penalised logistic regression on X, plus a fixed offset per row
    (the logit the carried-over signals add). scipy's L-BFGS-B with the weights bounded at 0."""
    from scipy.optimize import minimize

    n, k = X.shape
    off = np.zeros(n) if offset is None else offset
    lam = 1.0 / (C * n)

    def f(p):
        w0, w = p[0], p[1:]
        t = w0 + X @ w + off
        s = np.where(y == 1, -t, t)  # log(1 + exp(-t)) for y = 1, log(1 + exp(t)) for y = 0
        loss = np.mean(np.logaddexp(0, s)) + 0.5 * lam * w @ w
        g = 1 / (1 + np.exp(-t)) - y
        return loss, np.concatenate([[g.mean()], X.T @ g / n + lam * w])

    r = minimize(f, np.zeros(k + 1), jac=True, method="L-BFGS-B", bounds=[(None, None)] + [(0, None)] * k)
    return float(r.x[0]), r.x[1:]


def contribution(rec, name, p):
    """What the binary adds to the fused logit for this signal under parameters p (0 when it does not apply)."""
    v = common.signal_value(rec, name)
    return 0.0 if v is None else p["weight"] * (p["a"] * v + p["b"] - p["prior"])


def r6(x):
    """Six significant digits: the JSON and the generated Swift carry the same literal."""
    x = float(x)
    if not math.isfinite(x):
        raise SystemExit(f"non-finite coefficient {x}")
    return float(f"{x:.6g}") + 0.0


def load_previous(json_path, swift_path):
    """{name: {a, b, prior, weight}} from an existing Calibration.json, else from an existing generated table."""
    if json_path and os.path.exists(json_path):
        try:
            with open(json_path) as f:
                d = json.load(f)
            return ({n: {"a": float(v["a"]), "b": float(v["b"]), "prior": float(v.get("prior", v.get("prior_logit", 0.0))),
                         "weight": float(v["weight"])} for n, v in d.get("signals", {}).items()}, json_path)
        except (OSError, ValueError, KeyError, TypeError):
            pass
    if swift_path and os.path.exists(swift_path):
        num = r"(-?[0-9.]+(?:[eE][-+]?[0-9]+)?)"
        pat = re.compile(rf'"(\w+)": \.init\(a: {num}, b: {num}, prior: {num}, weight: {num}\)')
        with open(swift_path) as f:
            found = {m.group(1): {"a": float(m.group(2)), "b": float(m.group(3)), "prior": float(m.group(4)),
                                  "weight": float(m.group(5))} for m in pat.finditer(f.read())}
        return found, swift_path
    return {}, None


def swift_number(x):
    return repr(float(x))


def write_swift(path, cal):
    lines = ["// Generated by Benchmarks/detect/fit.py from Calibration.json. Do not edit by hand.",
             "extension Calibration {",
             "    /// The calibration shipped with this build.",
             "    public static let shipped = Calibration(",
             f"        intercept: {swift_number(cal['intercept'])},",
             "        signals: ["]
    for n in sorted(cal["signals"]):
        v = cal["signals"][n]
        lines.append(f'            "{n}": .init(a: {swift_number(v["a"])}, b: {swift_number(v["b"])}, '
                     f'prior: {swift_number(v["prior"])}, weight: {swift_number(v["weight"])}),')
    if not cal["signals"]:
        lines.append("            :")
    b = cal["bands"]
    lines += ["        ],",
              f"        inconclusive: {swift_number(b['inconclusive'])}, moderate: {swift_number(b['moderate'])}, "
              f"strong: {swift_number(b['strong'])})",
              "}"]
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--set", required=True, dest="set_dir")
    ap.add_argument("--signet", required=True)
    ap.add_argument("--out", required=True, help="the calibration JSON to write")
    ap.add_argument("--swift", help="also generate this Swift table (Sources/SignetDetect/CalibrationTable.swift)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--batch", type=int, default=40)
    ap.add_argument("--C", type=float, default=1.0, help="inverse L2 strength of the fused regression")
    ap.add_argument("--allow-negative-slopes", action="store_true",
                    help="keep signals whose fitted slope a is <= 0 (by default they are left out and reported)")
    ap.add_argument("--low-tpr", type=float, default=0.8, help="train TPR at the 'inconclusive' threshold")
    args = ap.parse_args()

    rows = common.read_labels(args.set_dir, "train")
    photos = sorted({r["source"] for r in rows})
    print(f"Fitting the detect calibration on the train split of {args.set_dir}: {len(rows)} images from "
          f"{len(photos)} photographs ({', '.join(photos)}); the test split's photographs are not used.")
    records, problems = common.run_detect(args.signet, [r["path"] for r in rows], jobs=args.jobs, batch=args.batch)
    for p in problems[:10]:
        print(f"warning: {p}")
    rows = [r for r in rows if r["path"] in records]
    recs = [records[r["path"]] for r in rows]
    y = np.array([r["label"] for r in rows])
    groups = np.array([r["group"] for r in rows])
    n0, n1 = int((y == 0).sum()), int((y == 1).sum())
    if n0 == 0 or n1 == 0:
        raise SystemExit("train split has one class only")
    names = common.signal_names(recs)

    fitted, skipped, negative, llr_cols, report = {}, {}, {}, [], []
    for n in names:
        v = [common.signal_value(rec, n) for rec in recs]
        app = np.array([x is not None for x in v])
        x = np.array([0.0 if t is None else t for t in v])
        raw_auc = common.auc(y, common.with_floor(v))
        if app.sum() < MIN_APPLICABLE:
            skipped[n] = f"applies to {int(app.sum())} train images"
        elif len(set(y[app])) < 2:
            skipped[n] = "applies to one class only"
        elif np.std(x[app]) == 0:
            skipped[n] = f"same value ({x[app][0]:g}) on every train image it applies to"
        if n in skipped:
            report.append((n, app.mean(), raw_auc, None, None, None))
            continue
        a, b = fit_1d(x[app], y[app])
        prior = math.log(y[app].sum() / (app.sum() - y[app].sum()))
        report.append((n, app.mean(), raw_auc, common.auc(y[app], x[app]), a, b))
        if a <= 0 and not args.allow_negative_slopes:
            # The binary promises larger = more suspicious; a falling fit is noise or a bug, not something to ship.
            negative[n] = {"a": a, "prior": prior}
            continue
        llr = np.where(app, a * x + b - prior, 0.0)
        fitted[n] = {"a": a, "b": b, "prior": prior}
        llr_cols.append(llr)
    if not fitted:
        raise SystemExit("no signal could be fitted")

    # Signals this set cannot fit (the metadata ones: these bare JPEGs carry no metadata) keep what the previous
    # calibration said, so a refit does not silently switch them off; whatever they add to every train image's
    # logit (a constant "absent" value can still contribute) is a fixed offset in the fused fit, so the intercept
    # absorbs it.
    previous, previous_from = load_previous(args.out, args.swift)
    carried = {n: p for n, p in previous.items() if n not in fitted and n not in negative}
    offset = np.array([sum(contribution(rec, n, p) for n, p in carried.items()) for rec in recs])
    X = np.stack(llr_cols, axis=1)
    w0, w = fit_nonneg(X, y.astype(float), args.C, offset)
    for n, wi in zip(fitted, w):
        fitted[n]["weight"] = float(wi)
    fused = 1 / (1 + np.exp(-(w0 + X @ w + offset)))
    fused_auc = common.auc(y, fused)

    # Leave one photograph group out (the per-signal fits redone inside each fold too).
    cv = np.zeros(len(y))
    for g in sorted(set(groups)):
        tr, te = groups != g, groups == g
        cols = []
        for n in fitted:
            v = [common.signal_value(rec, n) for rec in recs]
            app = np.array([t is not None for t in v])
            x = np.array([0.0 if t is None else t for t in v])
            m = tr & app
            if m.sum() < MIN_APPLICABLE or len(set(y[m])) < 2 or np.std(x[m]) == 0:
                continue
            a, b = fit_1d(x[m], y[m])
            if a <= 0 and not args.allow_negative_slopes:
                continue
            prior = math.log(y[m].sum() / (m.sum() - y[m].sum()))
            cols.append(np.where(app, a * x + b - prior, 0.0))
        if not cols or len(set(y[tr])) < 2:
            cv[te] = 0.5
            continue
        Xc = np.stack(cols, 1)
        c0, cw = fit_nonneg(Xc[tr], y[tr].astype(float), args.C, offset[tr])
        cv[te] = 1 / (1 + np.exp(-(c0 + Xc[te] @ cw + offset[te])))
    cv_auc = common.auc(y, cv)

    neg, pos = fused[y == 0], fused[y == 1]
    strong = common.threshold_at_fpr(neg, 0.02)
    moderate = min(common.threshold_at_fpr(neg, 0.10), strong)
    low_point = float(np.quantile(pos, 1 - args.low_tpr))
    inconclusive = min(low_point, moderate)
    bands = {"inconclusive": round(inconclusive, 4), "moderate": round(moderate, 4), "strong": round(strong, 4)}

    def rates(t):
        return float((neg >= t).mean()), float((pos >= t).mean())

    try:
        with open(os.path.join(args.set_dir, "set.json")) as f:
            seed = json.load(f).get("seed")
    except (OSError, ValueError):
        seed = None
    fitted_on = (f"Benchmarks/detect/build_set.py --seed {seed if seed is not None else '?'}, "
                 f"train split: {len(rows)} images ({n0} controls, {n1} manipulated) from {len(photos)} photographs "
                 f"({', '.join(photos)}); test photographs unused")
    signals_out = {}
    for n in names:
        if n in fitted:
            f = fitted[n]
            signals_out[n] = {"a": r6(f["a"]), "b": r6(f["b"]), "prior": r6(f["prior"]), "weight": r6(f["weight"])}
        elif n in negative:
            p = negative[n]["prior"]
            signals_out[n] = {"a": 0.0, "b": r6(p), "prior": r6(p), "weight": 0.0}
    for n, p in carried.items():
        signals_out[n] = p
    notes = [
        "score = sigmoid(intercept + sum over signals of weight * (a * value + b - prior)); a signal that does "
        "not apply (null value) adds 0. A signal's own calibrated score is sigmoid(a * value + b), fitted where it "
        "applies; prior = log(#manipulated / #controls) there (the class balance b absorbed).",
        f"fused: scipy L-BFGS-B, weights bounded at 0, C = {args.C} (objective: mean log loss + |w|^2 / (2 C n)); "
        "carried-over signals' contributions enter as a fixed offset.",
        "bands (score >= threshold): strong = lowest train threshold with FPR <= 2 %; moderate = lowest with FPR <= "
        f"10 %; inconclusive = where train TPR = {args.low_tpr:.0%} (capped at moderate); below it: low.",
        "in-sample at the thresholds (FPR, TPR): " + ", ".join(f"{k} {t:.3f}: {rates(t)[0]:.1%}, {rates(t)[1]:.1%}"
                                                               for k, t in bands.items()),
        f"train fused AUC {fused_auc:.3f} in-sample, {cv_auc:.3f} leaving one photograph group out.",
    ]
    if negative:
        notes.append("fitted slope <= 0 on train (larger value looked less suspicious), so a = 0, b = prior, weight 0: "
                     + ", ".join(f"{n} (a = {v['a']:.3g})" for n, v in negative.items()))
    if skipped:
        notes.append("not fitted: " + "; ".join(f"{n} ({why})" for n, why in skipped.items()))
    if carried:
        notes.append(f"carried over unchanged from {previous_from}: {', '.join(carried)}; their mean contribution "
                     f"to a train image's logit: {offset.mean():+.3f}")
    out = {"version": 1, "fitted_on": fitted_on, "intercept": r6(w0), "signals": signals_out,
           "bands": bands, "notes": notes}
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=2)
        f.write("\n")
    if args.swift:
        write_swift(args.swift, out)

    print()
    print("| signal | applies | train AUC (raw value, n/a lowest) | train AUC where applicable | a | b | weight |")
    print("|---|---|---|---|---|---|---|")
    for n, frac, ra, aa, a, b in report:
        wt = fitted.get(n, {}).get("weight")
        print(f"| {n} | {frac:.0%} | {ra:.3f} | {'–' if aa is None else f'{aa:.3f}'} | "
              f"{'–' if a is None else f'{a:.4g}'} | {'–' if b is None else f'{b:.4g}'} | {'–' if wt is None else f'{wt:.3f}'} |")
    print(f"| **fused** (intercept {w0:.3f}) | | {fused_auc:.3f} in-sample, {cv_auc:.3f} leave-one-photo-out | | | | |")
    for n, v in negative.items():
        print(f"warning: {n}: fitted slope a = {v['a']:.3g} <= 0 on train (larger value looked less suspicious): left out")
    print()
    print(f"bands: {bands}  ({notes[3]})")
    print(f"wrote {args.out}" + (f" and {args.swift}" if args.swift else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
