#!/usr/bin/env python3
"""Signet beside c2pa-rs: verify time, sign time with and without a thumbnail, peak memory.

Run through Benchmarks/run.sh, which builds the release binary and the oracle venv. Inputs are generated
noisy JPEGs of about 1, 8 and 48 MB (Pillow + numpy), written under Benchmarks/out/.

- Signet runs as the release CLI; its time is wall time of the process (startup included), median of N runs;
  its peak memory is the child's max RSS (wait4).
- c2pa-rs runs in-process through c2pa-python (timed around the call, median of N runs); its peak memory is
  measured in a fresh Python process doing one call, minus that process's max RSS before the call.
- "SHA-256 alone" hashes the same file in 4 MiB reads with Python's hashlib (OpenSSL) in-process.
"""
import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
OUT = os.path.join(HERE, "out")


def make_jpeg(path, target_mb):
    import numpy as np
    from PIL import Image

    # These noisy images at quality 95 compress to about 0.9 bytes per pixel.
    pixels = int(target_mb * 1e6 / 0.9)
    w = int((pixels * 4 / 3) ** 0.5)
    h = int(w * 3 / 4)
    rng = np.random.default_rng(42)
    base = np.linspace(0, 200, w, dtype=np.float32)[None, :, None]
    img = base + rng.normal(0, 40, (h, w, 3)).astype(np.float32)
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(path, quality=95)


class WrongOutput(Exception):
    """The binary ran but did not print the verdict expected of it: the run is not reported."""


def run_child(args, expect_trusted=0):
    """Runs the Signet CLI; returns (seconds, peak resident memory in MB as the process reports it, exit status).

    A run must do the work it is timed for: it must exit 0, and with expect_trusted=N, print exactly N
    verdict lines, each TRUSTED. Anything else raises WrongOutput, so a binary that prints nothing (or
    the wrong verdict) is never timed as if it had verified."""
    env = dict(os.environ, SIGNET_REPORT_PEAK_MEMORY="1")
    t0 = time.perf_counter()
    p = subprocess.run(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, text=True)
    dt = time.perf_counter() - t0
    if p.returncode != 0:
        raise WrongOutput(f"{' '.join(args[:3])}...: exit {p.returncode}: {p.stderr.strip()[:300]}")
    if expect_trusted:
        lines = [l for l in p.stdout.splitlines() if l.strip()]
        if len(lines) != expect_trusted or not all(": TRUSTED" in l for l in lines):
            raise WrongOutput(f"{' '.join(args[:2])}: expected {expect_trusted} TRUSTED lines, got {p.stdout.strip()[:300]!r}")
    peak = 0.0
    for line in p.stderr.splitlines():
        if line.startswith("signet: peak memory"):
            peak = float(line.split()[3]) / 1024.0  # "N kB"
    return dt, peak, p.returncode


def vm_hwm_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return float(line.split()[1]) / 1024.0
    return 0.0


def median_time(fn, runs):
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def sha256_rate(path, runs):
    def h():
        d = hashlib.sha256()
        with open(path, "rb") as f:
            while True:
                b = f.read(4 << 20)
                if not b:
                    break
                d.update(b)
        return d.digest()

    return median_time(h, runs)


def c2pa_context(anchors):
    import c2pa

    s = {"verify": {"verify_trust": True, "remote_manifest_fetch": False, "ocsp_fetch": False}}
    if anchors:
        s["trust"] = {"trust_anchors": open(anchors).read()}
    return c2pa.Context(settings=c2pa.Settings.from_dict(s))


def c2pa_sign(src, dst, cert, key, thumbnail):
    import c2pa

    s = {"builder": {"thumbnail": {"enabled": bool(thumbnail)}}}
    ctx = c2pa.Context(settings=c2pa.Settings.from_dict(s))
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", open(cert, "rb").read(), open(key, "rb").read(), None))
    manifest = {
        "claim_generator_info": [{"name": "bench", "version": "1"}],
        "assertions": [{"label": "c2pa.actions", "data": {"actions": [{"action": "c2pa.created", "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}]}}],
    }
    if os.path.exists(dst):
        os.remove(dst)
    c2pa.Builder(manifest, context=ctx).sign_file(src, dst, signer)


def c2pa_peak(mode, path, extra):
    """Peak RSS (MB) of one c2pa-rs call in a fresh interpreter, above the interpreter's own baseline."""
    code = f"""
import resource, sys, json
sys.path.insert(0, {HERE!r})
import bench, c2pa
base = bench.vm_hwm_mb()
if {mode!r} == 'verify':
    c2pa.Reader({path!r}, context=bench.c2pa_context({extra.get('anchors')!r})).json()
else:
    bench.c2pa_sign({path!r}, {extra.get('dst')!r}, {extra.get('cert')!r}, {extra.get('key')!r}, True)
print(json.dumps([base, bench.vm_hwm_mb()]))
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    base, peak = json.loads(r.stdout.strip().splitlines()[-1])
    return peak, peak - base


def setup(signet, runs):
    """Development credentials under out/ (made once with the binary) and the run's header line; returns the
    es256 key, its chain and the root to trust."""
    creds = os.path.join(OUT, "credentials")
    if not os.path.exists(os.path.join(creds, "root-ca.pem")):
        subprocess.run([signet, "keys", "generate", "--output", creds, "--force"], check=True, stdout=subprocess.DEVNULL)
    import c2pa

    print(f"c2pa-rs {c2pa.sdk_version()} (c2pa-python), Signet release build, {os.cpu_count()} cores, median of {runs} runs")
    return tuple(os.path.join(creds, n) for n in ("es256.key", "es256.pem", "root-ca.pem"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--signet", required=True)
    ap.add_argument("--sizes", default="1,8,48")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)

    key, cert, anchors = setup(args.signet, args.runs)
    import c2pa

    rows = []
    for mb in [float(x) for x in args.sizes.split(",")]:
        src = os.path.join(OUT, f"noise-{mb:g}MB.jpg")
        if not os.path.exists(src):
            make_jpeg(src, mb)
        size = os.path.getsize(src)
        s_signed = os.path.join(OUT, f"signet-{mb:g}.jpg")
        c_signed = os.path.join(OUT, f"c2pars-{mb:g}.jpg")

        def signet_sign(thumb):
            a = [args.signet, "sign", src, "-o", s_signed, "--key", key, "--cert", cert, "--force"]
            if not thumb:
                a.append("--no-thumbnail")
            return run_child(a)

        s_sign_thumb = statistics.median(signet_sign(True)[0] for _ in range(args.runs))
        s_sign_plain = statistics.median(signet_sign(False)[0] for _ in range(args.runs))
        signet_sign(True)
        verify_runs = [run_child([args.signet, "verify", "--trust-anchors", anchors, s_signed], expect_trusted=1) for _ in range(args.runs)]
        assert all(r[2] == 0 for r in verify_runs), "signet verify failed"
        s_verify = statistics.median(r[0] for r in verify_runs)
        s_verify_rss = max(r[1] for r in verify_runs)
        s_sign_rss = run_child([args.signet, "sign", src, "-o", s_signed, "--key", key, "--cert", cert, "--force"])[1]

        c_sign_thumb = median_time(lambda: c2pa_sign(src, c_signed, cert, key, True), args.runs)
        c_sign_plain = median_time(lambda: c2pa_sign(src, c_signed, cert, key, False), args.runs)
        c2pa_sign(src, c_signed, cert, key, True)
        ctx = c2pa_context(anchors)
        # Each side's output must be what the other calls Trusted before anything is timed as verification.
        for f in (c_signed, s_signed):
            state = json.loads(c2pa.Reader(f, context=ctx).json()).get("validation_state")
            if state != "Trusted":
                raise WrongOutput(f"c2pa-rs says {state} for {f}")
        run_child([args.signet, "verify", "--trust-anchors", anchors, c_signed], expect_trusted=1)
        c_verify = median_time(lambda: c2pa.Reader(c_signed, context=ctx).json(), args.runs)
        c_verify_rss, c_verify_delta = c2pa_peak("verify", c_signed, {"anchors": anchors})
        c_sign_rss, c_sign_delta = c2pa_peak("sign", src, {"dst": c_signed + ".peak.jpg", "cert": cert, "key": key})
        sha = sha256_rate(s_signed, args.runs)

        rows.append({
            "size_mb": size / 1e6,
            "sha256_gbps": size / sha / 1e9,
            "signet_verify_s": s_verify, "signet_verify_gbps": size / s_verify / 1e9, "signet_verify_rss_mb": s_verify_rss,
            "c2pa_verify_s": c_verify, "c2pa_verify_gbps": size / c_verify / 1e9, "c2pa_verify_rss_mb": c_verify_rss, "c2pa_verify_delta_mb": c_verify_delta,
            "signet_sign_thumb_s": s_sign_thumb, "signet_sign_plain_s": s_sign_plain, "signet_sign_rss_mb": s_sign_rss,
            "c2pa_sign_thumb_s": c_sign_thumb, "c2pa_sign_plain_s": c_sign_plain, "c2pa_sign_rss_mb": c_sign_rss,
        })

    # Bulk: a platform verifying many files in one call, on every core, against one SHA-256 stream.
    biggest = max(rows, key=lambda r: r["size_mb"])
    src = os.path.join(OUT, f"signet-{max(float(x) for x in args.sizes.split(',')):g}.jpg")
    copies = []
    for i in range(8):
        dst = os.path.join(OUT, f"bulk-{i}.jpg")
        if not os.path.exists(dst):
            shutil.copyfile(src, dst)
        copies.append(dst)
    total = sum(os.path.getsize(c) for c in copies)
    bulk = {}
    for jobs in (1, os.cpu_count() or 1):
        bulk[jobs] = statistics.median(
            run_child([args.signet, "verify", "--jobs", str(jobs), "--trust-anchors", anchors] + copies, expect_trusted=len(copies))[0]
            for _ in range(args.runs))
    c_bulk = median_time(lambda: [c2pa.Reader(c, context=ctx).json() for c in copies], args.runs)

    print()
    print(f"Bulk: 8 files of {biggest['size_mb']:.1f} MB ({total/1e6:.0f} MB) in one call: "
          + ", ".join(f"Signet --jobs {j}: {t*1e3:.0f} ms ({total/t/1e9:.2f} GB/s)" for j, t in bulk.items())
          + f"; c2pa-rs one after another in-process: {c_bulk*1e3:.0f} ms ({total/c_bulk/1e9:.2f} GB/s);"
          + f" one SHA-256 stream: {biggest['sha256_gbps']:.2f} GB/s")
    print()
    print("| file | SHA-256 alone | verify Signet | verify c2pa-rs | Signet / SHA-256 | sign+thumb Signet | sign+thumb c2pa-rs | speed-up | sign no thumb Signet | sign no thumb c2pa-rs | verify peak RSS Signet | verify peak RSS c2pa-rs (above baseline) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['size_mb']:.1f} MB | {r['sha256_gbps']:.2f} GB/s | {r['signet_verify_s']*1e3:.0f} ms ({r['signet_verify_gbps']:.2f} GB/s) "
            f"| {r['c2pa_verify_s']*1e3:.0f} ms ({r['c2pa_verify_gbps']:.2f} GB/s) | {r['signet_verify_gbps']/r['sha256_gbps']*100:.0f}% "
            f"| {r['signet_sign_thumb_s']*1e3:.0f} ms | {r['c2pa_sign_thumb_s']*1e3:.0f} ms | {r['c2pa_sign_thumb_s']/r['signet_sign_thumb_s']:.1f}x "
            f"| {r['signet_sign_plain_s']*1e3:.0f} ms | {r['c2pa_sign_plain_s']*1e3:.0f} ms "
            f"| {r['signet_verify_rss_mb']:.0f} MB | {r['c2pa_verify_rss_mb']:.0f} MB ({r['c2pa_verify_delta_mb']:.0f} MB) |"
        )
    with open(os.path.join(OUT, "results.json"), "w") as f:
        json.dump(rows, f, indent=1)


if __name__ == "__main__":
    main()
