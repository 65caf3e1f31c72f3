#!/usr/bin/env python3
"""Signet beside c2pa-rs on large media: a ~1 GB MP4 (faststart: moov before mdat, so every chunk offset is
patched when the store goes in), a ~200 MB WAV, a ~50 MB animated GIF, a ~200 MB TIFF and (verify only) a ~200 MB
PDF that c2pa-rs signed. Sign and verify time, peak memory, and
verify speed against one SHA-256 stream over the same file.

Run through Benchmarks/media.sh (builds the release binary, the oracle venv, and needs ffmpeg). Inputs are made
under Benchmarks/out/ once: the MP4 by looping a lossless (high bit rate) test clip with stream copy, the WAV
from random samples. Each tool's output must be Trusted in the other before anything is timed (bench.WrongOutput).
Timing as in bench.py: Signet's wall time per process (start-up included), c2pa-rs in-process through
c2pa-python; peak memory is Signet's VmHWM and c2pa-rs's in a fresh interpreter above its baseline.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import bench  # noqa: E402

OUT = bench.OUT


def make_mp4(path, target_mb):
    clip = os.path.join(OUT, "clip-lossless.mp4")
    if not os.path.exists(clip):
        # 4 s of noisy 720p, lossless x264: a high bit rate, so looping it reaches 1 GB in seconds.
        subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
                        "nullsrc=s=1280x720:d=4:r=25,geq=lum='random(1)*255':cb=128:cr=128",
                        "-f", "lavfi", "-i", "sine=frequency=440:duration=4",
                        "-c:v", "libx264", "-preset", "ultrafast", "-qp", "0", "-c:a", "aac", "-shortest", clip], check=True)
    loops = max(1, -(-int(target_mb * 1e6) // os.path.getsize(clip)))
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-stream_loop", str(loops - 1), "-i", clip,
                    "-c", "copy", "-movflags", "+faststart", path], check=True)


def make_wav(path, target_mb):
    frames = int(target_mb * 1e6 / 4)
    with wave.open(path, "wb") as w:
        w.setnchannels(2)
        w.setsampwidth(2)
        w.setframerate(48000)
        chunk = os.urandom(4 * 1 << 20)
        left = frames
        while left > 0:
            n = min(left, 1 << 20)
            w.writeframes(chunk[: 4 * n])
            left -= n


def make_gif(path, target_mb):
    """An animated GIF of 2000x2000 frames of noise (LZW cannot shrink it): one frame encoded by Pillow, its image
    block repeated, each copy behind a graphic control extension, after a NETSCAPE2.0 loop block."""
    import io

    import numpy as np
    from PIL import Image

    rng = np.random.default_rng(7)
    frame = Image.fromarray(rng.integers(0, 256, (2000, 2000), dtype=np.uint8), "L").convert("P")
    buf = io.BytesIO()
    frame.save(buf, "GIF")
    one = buf.getvalue()
    packed = one[10]
    table = 3 << ((packed & 7) + 1) if packed & 0x80 else 0
    start = 13 + table
    if one[start] != 0x2C or one[-1] != 0x3B:
        raise RuntimeError("unexpected single-frame GIF layout from Pillow")
    image = one[start:-1]
    head = b"GIF89a" + one[6:start]
    loop = b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00"
    control = b"\x21\xf9\x04\x00\x0a\x00\x00\x00"
    copies = max(1, -(-int(target_mb * 1e6) // len(image)))
    with open(path, "wb") as f:
        f.write(head + loop)
        for _ in range(copies):
            f.write(control + image)
        f.write(b"\x3b")


def make_tiff(path, target_mb):
    """A single-page uncompressed RGB TIFF of noise, about target_mb, in Pillow's strips (about 64 KB each)."""
    import numpy as np
    from PIL import Image

    side = int((target_mb * 1e6 / 3) ** 0.5)
    rng = np.random.default_rng(11)
    Image.fromarray(rng.integers(0, 256, (side, side, 3), dtype=np.uint8), "RGB").save(path, "TIFF")


def make_pdf(path, target_mb, cert, key):
    """A one-page PDF whose content stream is target_mb of noise, its store signed by c2pa-rs over a data hash
    (Tests/Interop/pdf_samples.py's two passes): Signet reads PDFs but does not sign them."""
    sys.path.insert(0, os.path.join(HERE, "..", "Tests", "Interop"))
    import pdf_samples

    signing = pdf_samples.Signing(argparse.Namespace(alg="es256", cert=cert, key=key), "big.pdf")
    placeholder = signing.placeholder()
    objects = pdf_samples.base("table", placeholder)
    objects[3] = pdf_samples.stream(b"<<", os.urandom(int(target_mb * 1e6)))
    pdf, _ = pdf_samples.signed(pdf_samples.write(objects), signing, placeholder)
    with open(path, "wb") as f:
        f.write(pdf)


def pdf_row(args, anchors, cert, key):
    """Verify only (both tools read PDFs; neither signs them in place here): Signet's time and peak memory beside
    c2pa-rs's on the same c2pa-rs-signed file, and one SHA-256 stream over it."""
    import c2pa

    path = os.path.join(OUT, f"c2pars-media-{args.pdf_mb:g}MB.pdf")
    if not os.path.exists(path):
        make_pdf(path, args.pdf_mb, cert, key)
    size = os.path.getsize(path)
    ctx = bench.c2pa_context(anchors)
    state = json.loads(c2pa.Reader(path, context=ctx).json()).get("validation_state")
    if state != "Trusted":
        raise bench.WrongOutput(f"c2pa-rs says {state} for {path}")
    runs = [bench.run_child([args.signet, "verify", "--trust-anchors", anchors, path], expect_trusted=1) for _ in range(args.runs)]
    s_verify = statistics.median(r[0] for r in runs)
    s_rss = max(r[1] for r in runs)
    c_verify = bench.median_time(lambda: c2pa.Reader(path, context=ctx).json(), args.runs)
    _, c_delta = bench.c2pa_peak("verify", path, {"anchors": anchors})
    sha = bench.sha256_rate(path, args.runs)
    g = lambda t: f"{t*1e3:.0f} ms ({size/t/1e9:.2f} GB/s)"
    print(f"\nPDF (c2pa-rs-signed, {size/1e6:.0f} MB): SHA-256 alone {size/sha/1e9:.2f} GB/s; verify Signet {g(s_verify)}, "
          f"{sha/s_verify*100:.0f}% of SHA-256, peak RSS {s_rss:.0f} MB; verify c2pa-rs {g(c_verify)}, peak {c_delta:.0f} MB above baseline.")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--signet", required=True)
    ap.add_argument("--mp4-mb", type=float, default=1000)
    ap.add_argument("--wav-mb", type=float, default=200)
    ap.add_argument("--gif-mb", type=float, default=50)
    ap.add_argument("--tiff-mb", type=float, default=200)
    ap.add_argument("--pdf-mb", type=float, default=200)
    ap.add_argument("--bulk", type=int, default=8, help="also verify this many copies in one call (0 or 1: skip)")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    os.makedirs(OUT, exist_ok=True)
    key, cert, anchors = bench.setup(args.signet, args.runs)
    import c2pa

    rows = []
    bulk_rows = []
    media = (("MP4 (faststart)", "mp4", args.mp4_mb, make_mp4), ("WAV", "wav", args.wav_mb, make_wav),
             ("GIF (animated)", "gif", args.gif_mb, make_gif), ("TIFF (one page, RGB)", "tif", args.tiff_mb, make_tiff))
    for kind, ext, mb, make in media:
        if mb <= 0:
            continue
        src = os.path.join(OUT, f"media-{mb:g}MB.{ext}")
        if not os.path.exists(src):
            make(src, mb)
        size = os.path.getsize(src)
        s_signed = os.path.join(OUT, f"signet-media.{ext}")
        c_signed = os.path.join(OUT, f"c2pars-media.{ext}")
        sign = [args.signet, "sign", src, "-o", s_signed, "--key", key, "--cert", cert, "--force"]
        sign_runs = [bench.run_child(sign) for _ in range(args.runs)]
        s_sign = statistics.median(r[0] for r in sign_runs)
        s_sign_rss = max(r[1] for r in sign_runs)
        verify_runs = [bench.run_child([args.signet, "verify", "--trust-anchors", anchors, s_signed], expect_trusted=1)
                       for _ in range(args.runs)]
        s_verify = statistics.median(r[0] for r in verify_runs)
        s_verify_rss = max(r[1] for r in verify_runs)

        c_sign = bench.median_time(lambda: bench.c2pa_sign(src, c_signed, cert, key, False), args.runs)
        ctx = bench.c2pa_context(anchors)
        for f in (c_signed, s_signed):
            state = json.loads(c2pa.Reader(f, context=ctx).json()).get("validation_state")
            if state != "Trusted":
                raise bench.WrongOutput(f"c2pa-rs says {state} for {f}")
        bench.run_child([args.signet, "verify", "--trust-anchors", anchors, c_signed], expect_trusted=1)
        c_verify = bench.median_time(lambda: c2pa.Reader(c_signed, context=ctx).json(), args.runs)
        c_verify_rss, c_verify_delta = bench.c2pa_peak("verify", c_signed, {"anchors": anchors})
        c_sign_rss, c_sign_delta = bench.c2pa_peak("sign", src, {"dst": c_signed + ".peak." + ext, "cert": cert, "key": key})
        sha = bench.sha256_rate(s_signed, args.runs)
        rows.append((kind, size, sha, s_verify, s_verify_rss, c_verify, c_verify_delta, s_sign, s_sign_rss, c_sign, c_sign_delta))
        if args.bulk > 1:
            # As a platform verifies: N files in one call (start-up paid once), one job, against one SHA-256 stream
            # over the same bytes measured in the same run.
            copies = []
            for i in range(args.bulk):
                link = os.path.join(OUT, f"bulk-{i}.{ext}")
                if os.path.exists(link):
                    os.unlink(link)
                os.link(s_signed, link)
                copies.append(link)
            cmd = [args.signet, "verify", "--jobs", "1", "--trust-anchors", anchors] + copies
            t_bulk = statistics.median(bench.run_child(cmd, expect_trusted=args.bulk)[0] for _ in range(args.runs))
            sha_bulk = sha * args.bulk
            bulk_rows.append((kind, size, args.bulk, t_bulk, sha_bulk))
            for link in copies:
                os.unlink(link)

    print()
    print("| file | SHA-256 alone | verify Signet | verify c2pa-rs | Signet / SHA-256 | sign Signet | sign c2pa-rs | verify peak RSS Signet | verify peak c2pa-rs (above baseline) | sign peak RSS Signet | sign peak c2pa-rs (above baseline) |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for kind, size, sha, sv, svr, cv, cvd, ss, ssr, cs, csd in rows:
        g = lambda t: f"{t*1e3:.0f} ms ({size/t/1e9:.2f} GB/s)"
        print(f"| {kind} {size/1e6:.0f} MB | {size/sha/1e9:.2f} GB/s | {g(sv)} | {g(cv)} | {sha/sv*100:.0f}% | {g(ss)} | {g(cs)} "
              f"| {svr:.0f} MB | {cvd:.0f} MB | {ssr:.0f} MB | {csd:.0f} MB |")
    for kind, size, n, t, sha_total in bulk_rows:
        print(f"\nBulk: {n} copies of the {kind} ({n * size / 1e6:.0f} MB) in one `signet verify --jobs 1` call: {t*1e3:.0f} ms "
              f"({n * size / t / 1e9:.2f} GB/s), {sha_total / t * 100:.0f}% of one SHA-256 stream over the same bytes.")
    if args.pdf_mb > 0:
        pdf_row(args, anchors, cert, key)


if __name__ == "__main__":
    main()
