#!/usr/bin/env python3
"""tally serve and run --state throughput (stdlib only). Usage:
   scripts/bench_serve.py TALLY EVENTS RULES [--events N]
Prints events/s through POST /events over loopback (batches of 1,000, one keep-alive
connection), p50/p99 request latency, with and without --state, and `tally run` with and
without --state on the same events (the cost of durability)."""
import argparse, http.client, os, re, statistics, subprocess, sys, tempfile, time

parser = argparse.ArgumentParser()
parser.add_argument("tally"); parser.add_argument("events"); parser.add_argument("rules")
parser.add_argument("--events", dest="count", type=int, default=200_000)
parser.add_argument("--batch", type=int, default=1000)
args = parser.parse_args()

with open(args.events, "rb") as f:
    lines = [next(f) for _ in range(args.count)]
batches = [b"".join(lines[i:i + args.batch]) for i in range(0, len(lines), args.batch)]
scratch = tempfile.mkdtemp(prefix="tally-bench-serve-")

def serve(extra):
    err = open(os.path.join(scratch, "serve.err"), "w+")
    process = subprocess.Popen([args.tally, "serve", "--rules", args.rules, "--port", "0", "--no-watch", *extra],
                               stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + 60
    while time.time() < deadline:
        err.seek(0)
        match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", err.read())
        if match:
            return process, int(match.group(1))
        if process.poll() is not None:
            break
        time.sleep(0.05)
    process.kill()
    sys.exit("tally serve did not start")

def post_all(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    latencies = []
    start = time.perf_counter()
    for body in batches:
        t0 = time.perf_counter()
        connection.request("POST", "/events", body=body, headers={"Content-Type": "application/x-ndjson"})
        response = connection.getresponse()
        response.read()
        latencies.append(time.perf_counter() - t0)
        if response.status != 200:
            sys.exit(f"POST /events answered {response.status}")
    elapsed = time.perf_counter() - start
    connection.close()
    latencies.sort()
    p = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000
    return len(lines) / elapsed, p(0.50), p(0.99)

print(f"serve: {len(lines):,} events in {len(batches):,} batches of {args.batch:,}, one connection, loopback")
for label, extra in [("in memory", []), ("--state", ["--state", os.path.join(scratch, "serve.db")])]:
    process, port = serve(extra)
    rate, p50, p99 = post_all(port)
    process.terminate(); process.wait(timeout=60)
    print(f"serve {label:>9}: {rate:,.0f} events/s, p50 {p50:.2f} ms, p99 {p99:.2f} ms per request")

events_file = os.path.join(scratch, "events.jsonl")
with open(events_file, "wb") as f:
    f.writelines(lines)
def timed(extra):
    runs = []
    for attempt in range(3):
        state = [] if not extra else ["--state", os.path.join(scratch, f"run-{attempt}.db")]
        start = time.perf_counter()
        subprocess.run([args.tally, "run", "--rules", args.rules, "--events", events_file, "--format", "json",
                        *state], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)
memory, durable = timed(False), timed(True)
print(f"run in memory: {len(lines) / memory:,.0f} events/s; run --state: {len(lines) / durable:,.0f} events/s "
      f"(durability costs {100 * (durable - memory) / memory:.0f}% of the run time; median of 3)")
