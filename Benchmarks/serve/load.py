#!/usr/bin/env python3
"""`signet serve` under load, beside c2pa-rs in-process and a loop of `signet verify` on the same cores.

Usage: load.py --signet BIN [--seconds 15] [--connections 16] [--sizes 1,12] [--rounds 3] [--upload-mb 100] [--uploads 8]

1. Makes development credentials (`signet keys generate`), noisy JPEGs of about 1 and 12 MB (Pillow + numpy, the
   same generator as Benchmarks/bench.py), signs them with the release CLI.
2. Starts `signet serve --port 0 --trust-anchors ...` (default --concurrency, one slot per core; --queue 64).
3. Per file: `wrk -t2 -cN -dS --latency` POSTs the file to /v1/verify; a Lua `response` hook checks every
   body says "Trusted" and counts those that do not (a wrong answer is an error). Reported: requests per
   second, p50 and p99 latency, non-2xx and socket errors, wrong answers.
4. c2pa-rs in-process (c2pa-python, trust anchors set so it reports Trusted): a ThreadPoolExecutor with N threads
   reads the same file from memory for S seconds; every report must say Trusted. Requests per second, p50, p99.
   Steps 3 and 4 alternate for --rounds rounds (these shared cores drift by 20 to 50% from one minute to the
   next, for both sides): the table gives each side's median round (its req/s, p50, p99), the ratio of the two
   medians, and the range of the per-round ratios.
5. A loop of `signet verify --trust-anchors A FILE` processes, one loop per core, for S seconds: files per second.
6. Memory with uploads in flight: K concurrent 100 MB uploads (curl --limit-rate so they stay in flight for a
   few seconds) while the server's resident memory (VmRSS) is sampled every 50 ms; reported: idle RSS, peak RSS.
Prints a markdown table; exits 1 if any check fails (a wrong verdict, an error).
"""
import argparse
import concurrent.futures
import io
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
from bench import make_jpeg  # noqa: E402

LUA = r"""
wrk.method = "POST"
local f = io.open(os.getenv("SIGNET_BODY"), "rb")
wrk.body = f:read("*all")
f:close()
wrk.headers["Content-Type"] = "image/jpeg"
wrong = 0
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) wrong = 0 end
function response(status, headers, body)
  if status ~= 200 or not string.find(body, '"validation_state":"Trusted"', 1, true) then wrong = wrong + 1 end
end
function done(summary, latency, requests)
  local total = 0
  for _, t in ipairs(threads) do total = total + t:get("wrong") end
  io.write(string.format("WRONG %d\n", total))
  io.write(string.format("P50 %f\nP99 %f\n", latency:percentile(50) / 1e6, latency:percentile(99) / 1e6))
end
"""


def percentile(values, p):
    s = sorted(values)
    return s[min(len(s) - 1, int(round(p / 100 * (len(s) - 1))))]


def start_server(signet, anchors):
    p = subprocess.Popen([signet, "serve", "--port", "0", "--trust-anchors", anchors, "--max-body", str(300 << 20)],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = p.stdout.readline()
    if "listening on" not in line:
        p.kill()
        raise SystemExit(f"signet serve did not start: {line!r}")
    return p, line.strip().rsplit(" ", 1)[-1]


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run_wrk(url, body, connections, seconds):
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(LUA)
        script = f.name
    env = dict(os.environ, SIGNET_BODY=body)
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "30s", "-s", script,
                          url + "/v1/verify"], capture_output=True, text=True, env=env).stdout
    os.unlink(script)
    res = {"rps": None, "p50": None, "p99": None, "non2xx": 0, "errors": 0, "wrong": None, "requests": 0}
    for line in out.splitlines():
        t = line.strip()
        if t.startswith("Requests/sec:"):
            res["rps"] = float(t.split()[1])
        elif t.startswith("WRONG"):
            res["wrong"] = int(t.split()[1])
        elif t.startswith("P50"):
            res["p50"] = float(t.split()[1])
        elif t.startswith("P99"):
            res["p99"] = float(t.split()[1])
        elif t.startswith("Non-2xx"):
            res["non2xx"] = int(t.split()[-1])
        elif t.startswith("Socket errors"):
            res["errors"] = sum(int(x.strip(",")) for x in t.replace("Socket errors:", "").split() if x.strip(",").isdigit())
        elif "requests in" in t:
            res["requests"] = int(t.split()[0])
    if res["rps"] is None or res["p50"] is None or res["wrong"] is None:
        raise SystemExit("wrk printed no result:\n" + out)
    return res


def c2pa_inprocess(path, anchors, threads, seconds):
    import c2pa
    with open(anchors) as f:
        settings = {"verify": {"verify_trust": True, "remote_manifest_fetch": False, "ocsp_fetch": False},
                    "trust": {"trust_anchors": f.read()}}
    data = open(path, "rb").read()
    latencies, wrong = [], [0]
    lock = threading.Lock()
    stop = time.perf_counter() + seconds

    def worker():
        ctx = c2pa.Context(settings=c2pa.Settings.from_dict(settings))
        while time.perf_counter() < stop:
            t0 = time.perf_counter()
            report = json.loads(c2pa.Reader("image/jpeg", io.BytesIO(data), context=ctx).json())
            dt = time.perf_counter() - t0
            with lock:
                latencies.append(dt)
                if report.get("validation_state") != "Trusted":
                    wrong[0] += 1

    t0 = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(threads) as pool:
        for f in [pool.submit(worker) for _ in range(threads)]:
            f.result()
    elapsed = time.perf_counter() - t0
    return {"rps": len(latencies) / elapsed, "p50": percentile(latencies, 50), "p99": percentile(latencies, 99),
            "wrong": wrong[0], "requests": len(latencies)}


def cli_loop(signet, path, anchors, seconds, loops):
    stop = time.perf_counter() + seconds
    counts, wrong = [0] * loops, [0] * loops

    def loop(i):
        while time.perf_counter() < stop:
            p = subprocess.run([signet, "verify", "--trust-anchors", anchors, path], capture_output=True, text=True)
            counts[i] += 1
            if p.returncode != 0 or "TRUSTED" not in p.stdout:
                wrong[i] += 1

    t0 = time.perf_counter()
    threads = [threading.Thread(target=loop, args=(i,)) for i in range(loops)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    return {"rps": sum(counts) / (time.perf_counter() - t0), "wrong": sum(wrong), "requests": sum(counts)}


def uploads_in_flight(url, pid, size_mb, count, work):
    big = os.path.join(work, "upload.bin")
    with open(big, "wb") as f:
        block = os.urandom(1 << 20)
        for _ in range(size_mb):
            f.write(block)
    idle = rss_mb(pid)
    peak = [idle]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss_mb(pid))
            time.sleep(0.05)

    s = threading.Thread(target=sample)
    s.start()
    # About 4 s per upload at 25 MB/s each, all in flight together.
    procs = [subprocess.Popen(["curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--limit-rate", "25M",
                               "--data-binary", "@" + big, url + "/v1/verify"], stdout=subprocess.PIPE, text=True)
             for _ in range(count)]
    codes = [p.communicate()[0] for p in procs]
    done.set()
    s.join()
    os.unlink(big)
    return idle, peak[0], codes


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--signet", required=True)
    ap.add_argument("--seconds", type=int, default=15)
    ap.add_argument("--connections", type=int, default=16)
    ap.add_argument("--sizes", default="1,12")
    ap.add_argument("--upload-mb", type=int, default=100)
    ap.add_argument("--uploads", type=int, default=8)
    ap.add_argument("--rounds", type=int, default=3)
    a = ap.parse_args()
    cores = os.cpu_count()
    work = tempfile.mkdtemp(prefix="signet-serve-bench-")
    ok = True
    try:
        creds = os.path.join(work, "creds")
        subprocess.run([a.signet, "keys", "generate", "--output", creds], check=True, capture_output=True)
        anchors = os.path.join(creds, "root-ca.pem")
        files = {}
        for mb in [float(x) for x in a.sizes.split(",")]:
            raw = os.path.join(work, f"in-{mb:g}.jpg")
            make_jpeg(raw, mb)
            signed = os.path.join(work, f"signed-{mb:g}mb.jpg")
            subprocess.run([a.signet, "sign", raw, "-o", signed, "--key", os.path.join(creds, "es256.key"),
                            "--cert", os.path.join(creds, "es256.pem")], check=True, capture_output=True)
            files[mb] = signed
        server, url = start_server(a.signet, anchors)
        rows = []
        try:
            for mb, path in files.items():
                size = os.path.getsize(path) / 1e6
                ws, cs = [], []
                for _ in range(max(1, a.rounds)):
                    ws.append(run_wrk(url, path, a.connections, a.seconds))
                    cs.append(c2pa_inprocess(path, anchors, a.connections, a.seconds))
                loop = cli_loop(a.signet, path, anchors, a.seconds, cores)
                bad = any(w["wrong"] or w["non2xx"] or w["errors"] for w in ws) or any(c["wrong"] for c in cs) or loop["wrong"]
                ok = ok and not bad
                w = sorted(ws, key=lambda r: r["rps"])[len(ws) // 2]
                c = sorted(cs, key=lambda r: r["rps"])[len(cs) // 2]
                w = dict(w, non2xx=sum(x["non2xx"] for x in ws), errors=sum(x["errors"] for x in ws),
                         wrong=sum(x["wrong"] for x in ws), requests=sum(x["requests"] for x in ws))
                ratios = [x["rps"] / y["rps"] for x, y in zip(ws, cs)]
                rows.append((size, w, c, loop, ratios, [x["rps"] for x in ws], [y["rps"] for y in cs]))
            idle, peak, codes = uploads_in_flight(url, server.pid, a.upload_mb, a.uploads, work)
        finally:
            server.terminate()
            server.wait(10)
        print(f"\n`signet serve` on loopback, {cores} cores, wrk -t2 -c{a.connections} -d{a.seconds}s, POST /v1/verify "
              f"(every answer checked Trusted); c2pa-rs in-process with {a.connections} threads; the two alternate for "
              f"{a.rounds} rounds (medians shown); `signet verify` looped, {cores} at a time.\n")
        print("| file | signet serve req/s | p50 | p99 | errors / wrong | c2pa-rs in-process req/s | p50 | p99 | "
              "`signet verify` loop files/s | serve / c2pa-rs (medians) | per round |")
        print("|---|---|---|---|---|---|---|---|---|---|---|")
        for size, w, c, loop, ratios, wr, cr in rows:
            print(f"| {size:.1f} MB JPEG | {w['rps']:.1f} | {w['p50']*1000:.1f} ms | {w['p99']*1000:.1f} ms | "
                  f"{w['non2xx'] + w['errors']} / {w['wrong']} of {w['requests']} | {c['rps']:.1f} | {c['p50']*1000:.1f} ms | "
                  f"{c['p99']*1000:.1f} ms | {loop['rps']:.1f} | {w['rps'] / c['rps']:.2f}x | "
                  f"{', '.join(f'{x:.2f}x' for x in ratios)} |")
        for size, w, c, loop, ratios, wr, cr in rows:
            print(f"\n{size:.1f} MB rounds: signet serve {', '.join(f'{x:.0f}' for x in wr)} req/s; "
                  f"c2pa-rs {', '.join(f'{x:.0f}' for x in cr)} req/s")
        print(f"\nMemory: {a.uploads} uploads of {a.upload_mb} MB in flight at once (random bytes, so each is answered "
              f"\"no manifest\": statuses {sorted(set(codes))}): server resident memory {idle:.0f} MB idle, {peak:.0f} MB at the peak.")
        if any(code != "200" for code in codes):
            ok = False
            print("unexpected upload statuses:", codes)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
