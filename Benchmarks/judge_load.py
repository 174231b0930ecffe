#!/usr/bin/env python3
"""Load generator for `harken judge serve` (Python's standard library only: asyncio over raw sockets).

    judge_load.py --port P [--host 127.0.0.1] [--clients 200] [--seconds 60] [--single-seconds 20]
                  [--token T] [--model NAME] [--json]

Asks GET /v1/judge for the window size, then runs two phases against POST /v1/judge with binary
int8 windows, each client on its own kept-alive connection sending its next window as soon as the
last answer arrives: `--clients` clients for `--seconds`, then one client for `--single-seconds`.
Prints requests/s, latency percentiles, errors and the batch sizes the server reports; with --json,
one object valid against Schemas/judge_server_bench.schema.json. Only loopback addresses are
accepted: this is a load test.
"""
import argparse, asyncio, ipaddress, json, os, random, re, socket, sys, time

BATCH = re.compile(rb'"batch_size":(\d+)')


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    body = await reader.readexactly(length) if length else b""
    return status, body


def request(method, path, host, port, token, body=b"", content_type=None):
    head = f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
    if content_type:
        head += f"Content-Type: {content_type}\r\n"
    if token:
        head += f"Authorization: Bearer {token}\r\n"
    if method != "GET":
        head += f"Content-Length: {len(body)}\r\n"
    return head.encode() + b"\r\n" + body


async def connect(host, port):
    reader, writer = await asyncio.open_connection(host, port)
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return reader, writer


async def info(host, port, token):
    reader, writer = await connect(host, port)
    writer.write(request("GET", "/v1/judge", host, port, token))
    status, body = await read_response(reader)
    writer.close()
    if status != 200:
        sys.exit(f"GET /v1/judge answered {status}: {body[:200]!r}")
    return json.loads(body)


async def client(host, port, requests, stop_at, stats):
    reader = writer = None
    i = 0
    while time.perf_counter() < stop_at:
        try:
            if writer is None:
                reader, writer = await connect(host, port)
            t0 = time.perf_counter()
            writer.write(requests[i % len(requests)])
            status, body = await read_response(reader)
            t1 = time.perf_counter()
            i += 1
            if status != 200:
                stats["errors"] += 1
                if len(stats["samples"]) < 5:
                    stats["samples"].append(f"{status} {body[:200].decode(errors='replace')}")
                continue
            stats["latencies"].append(t1 - t0)
            m = BATCH.search(body)
            if m:
                stats["batches"].append(int(m.group(1)))
        except (OSError, asyncio.IncompleteReadError, ValueError) as e:
            stats["errors"] += 1
            if len(stats["samples"]) < 5:
                stats["samples"].append(f"{type(e).__name__}: {e}")
            if writer is not None:
                writer.close()
            reader = writer = None
            await asyncio.sleep(0.01)
    if writer is not None:
        writer.close()


def percentile(sorted_values, q):
    if not sorted_values:
        return 0.0
    k = min(len(sorted_values) - 1, max(0, int(round(q * (len(sorted_values) - 1)))))
    return sorted_values[k]


async def phase(host, port, requests, clients, seconds):
    stats = {"latencies": [], "errors": 0, "batches": [], "samples": []}
    start = time.perf_counter()
    stop_at = start + seconds
    await asyncio.gather(*(client(host, port, requests[c::clients] or requests, stop_at, stats) for c in range(clients)))
    elapsed = time.perf_counter() - start
    lat = sorted(stats["latencies"])
    ms = lambda v: round(v * 1000, 3)
    out = {
        "clients": clients,
        "seconds": round(elapsed, 2),
        "requests": len(lat),
        "errors": stats["errors"],
        "requests_per_second": round(len(lat) / elapsed, 1),
        "latency": {"p50_ms": ms(percentile(lat, 0.5)), "p90_ms": ms(percentile(lat, 0.9)), "p99_ms": ms(percentile(lat, 0.99)),
                    "max_ms": ms(lat[-1] if lat else 0), "mean_ms": ms(sum(lat) / len(lat) if lat else 0)},
        "largest_batch": max(stats["batches"], default=0),
        "mean_batch": round(sum(stats["batches"]) / len(stats["batches"]), 2) if stats["batches"] else 0,
    }
    if stats["samples"]:
        out["error_samples"] = stats["samples"]
    return out


def show(name, r):
    l = r["latency"]
    print(f"{name:<12} {r['clients']:>4} clients  {r['requests_per_second']:>8.1f} req/s  p50 {l['p50_ms']:.2f} ms  p99 {l['p99_ms']:.2f} ms"
          f"  max {l['max_ms']:.1f} ms  errors {r['errors']}  batch mean {r['mean_batch']} largest {r['largest_batch']}  ({r['requests']} in {r['seconds']} s)")
    for s in r.get("error_samples", []):
        print(f"             error: {s}")


async def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--clients", type=int, default=200)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--single-seconds", type=float, default=20)
    ap.add_argument("--token", default=os.environ.get("HARKEN_TOKEN"))
    ap.add_argument("--model", default="")
    ap.add_argument("--direct-ms", type=float, help="the Judge's own milliseconds per window in process, reported beside")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not ipaddress.ip_address(socket.gethostbyname(args.host)).is_loopback:
        sys.exit(f"--host {args.host}: a load test sends traffic to loopback addresses only")
    if args.clients < 1 or args.seconds <= 0 or args.single_seconds <= 0:
        sys.exit("--clients must be at least 1 and the durations positive")

    about = await info(args.host, args.port, args.token)
    size = about["window_bytes"]
    rng = random.Random(7)
    windows = [bytes(rng.randrange(256) for _ in range(size)) for _ in range(64)]
    requests = [request("POST", "/v1/judge", args.host, args.port, args.token, w, "application/octet-stream") for w in windows]

    concurrent = await phase(args.host, args.port, requests, args.clients, args.seconds)
    single = await phase(args.host, args.port, requests, 1, args.single_seconds)
    report = {"schema_version": 1, "model": args.model or about["model"], "window_bytes": size, "max_batch": about["max_batch"],
              "max_wait_ms": about["max_wait_ms"], "cores": os.cpu_count(), "concurrent": concurrent, "single": single}
    if args.direct_ms is not None:
        report["direct_ms_per_window"] = args.direct_ms
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print(f"harken judge serve: {report['model']}, {size}-byte windows, max batch {report['max_batch']}, "
              f"max wait {report['max_wait_ms']} ms, {report['cores']} cores shared with the load generator")
        show("concurrent", concurrent)
        show("single", single)
        if args.direct_ms is not None:
            print(f"the Judge alone, in process on one thread: {args.direct_ms:.3f} ms per window"
                  f" (one client's p50 is {single['latency']['p50_ms'] / args.direct_ms:.2f}x that)")
    return 1 if concurrent["errors"] or single["errors"] else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
