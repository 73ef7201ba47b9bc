#!/usr/bin/env python3
"""The load of bench/abuse against one `wenku serve` on 127.0.0.1:PORT, from three addresses:

  127.0.0.2  a flood of uncached searches: FLOOD_CONNECTIONS connections, each asking for one
             common character and a random -exclusion (so no cache helps), FLOOD_RATE requests a
             second in all (under the per-address rate limit), reconnecting when closed;
  127.0.0.3  slowloris: SLOW_CONNECTIONS connections each sending a header line every 5 s, and
             SLOW_UPLOADS uploads sending one body byte every 10 s, reconnecting when cut;
  127.0.0.1  a reader measuring latency and errors of a cached document page, a static file and
             /healthz, one request on a fresh connection at a time.

Standard library only (asyncio, one process per client address). Prints one Markdown table.
"""
import argparse
import asyncio
import multiprocessing
import os
import random
import resource
import time

COMMON = "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与二"


def raise_file_limit():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


async def read_response(reader):
    """Reads one response; its status. Raises on a closed or malformed connection."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = 0
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip().lower() == "content-length":
            length = int(value.strip())
    if length:
        await reader.readexactly(length)
    return status


# --- 127.0.0.2: the search flood ---

async def flood(port, connections, rate, seconds, out):
    stop = time.monotonic() + seconds
    statuses = {}
    tokens = asyncio.Queue()

    async def pace():
        interval = 1.0 / rate
        while time.monotonic() < stop:
            if tokens.qsize() < connections:
                tokens.put_nowait(1)
            await asyncio.sleep(interval)

    async def one(i):
        while time.monotonic() < stop:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.2", 0)), 5)
            except (OSError, asyncio.TimeoutError):
                statuses["connect failed"] = statuses.get("connect failed", 0) + 1
                await asyncio.sleep(1)
                continue
            try:
                while (remaining := stop - time.monotonic()) > 0:
                    try:
                        await asyncio.wait_for(tokens.get(), remaining)
                    except asyncio.TimeoutError:
                        break
                    q = f"{random.choice(COMMON)} -{random.randrange(10**9)}"
                    target = "/search?q=" + "".join(
                        c if c.isascii() and c.isalnum() else "".join(f"%{b:02X}" for b in c.encode()) for c in q)
                    writer.write(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
                    status = await asyncio.wait_for(read_response(reader), 30)
                    statuses[status] = statuses.get(status, 0) + 1
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, asyncio.TimeoutError,
                    ValueError, IndexError):
                statuses["closed"] = statuses.get("closed", 0) + 1
                await asyncio.sleep(1)
            finally:
                writer.close()

    pacer = asyncio.create_task(pace())
    await asyncio.gather(*(one(i) for i in range(connections)))
    pacer.cancel()
    out.update({str(k): v for k, v in statuses.items()})


# --- 127.0.0.3: slowloris and slow uploads ---

async def slowloris(port, connections, uploads, seconds, out):
    stop = time.monotonic() + seconds
    held = {"now": 0, "max": 0, "cut": 0, "refused": 0, "last": 0}

    async def sample():  # connections held a second before the end
        while time.monotonic() < stop - 1:
            held["last"] = held["now"]
            await asyncio.sleep(0.5)

    async def one(i, upload):
        await asyncio.sleep(i * 0.002)  # 500 new connections a second
        while time.monotonic() < stop:
            try:
                reader, writer = await asyncio.wait_for(
                    asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.3", 0)), 5)
            except (OSError, asyncio.TimeoutError):
                held["refused"] += 1
                await asyncio.sleep(1)
                continue
            held["now"] += 1
            held["max"] = max(held["max"], held["now"])
            try:
                if upload:
                    writer.write(b"POST /api/documents?name=slow.txt HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                 b"Content-Length: 1000000\r\n\r\n")
                else:
                    writer.write(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")
                await writer.drain()
                n = 0
                while time.monotonic() < stop:
                    # Any answer, or the server closing, ends this connection.
                    try:
                        data = await asyncio.wait_for(reader.read(4096), 10 if upload else 5)
                        if not data:
                            break
                        continue
                    except asyncio.TimeoutError:
                        pass
                    writer.write(b"x" if upload else f"X-Slow-{n}: {n}\r\n".encode())
                    await writer.drain()
                    n += 1
            except OSError:
                pass
            finally:
                held["now"] -= 1
                writer.close()
            if time.monotonic() < stop:
                held["cut"] += 1
                await asyncio.sleep(1)

    await asyncio.gather(*[one(i, False) for i in range(connections)] +
                         [one(i, True) for i in range(uploads)] + [sample()])
    out.update(held)


# --- 127.0.0.1: the reader ---

def measure(port, targets, seconds, pause, out):
    import socket
    latencies = {t: [] for t in targets}
    errors = {t: 0 for t in targets}
    stop = time.monotonic() + seconds
    i = 0
    while time.monotonic() < stop:
        target = targets[i % len(targets)]
        i += 1
        t0 = time.monotonic()
        ok = False
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=10, source_address=("127.0.0.1", 0)) as s:
                s.sendall(f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
                data = b""
                while True:
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    data += chunk
                ok = data.startswith(b"HTTP/1.1 200 ")
        except OSError:
            pass
        elapsed = time.monotonic() - t0
        if ok:
            latencies[target].append(elapsed)
        else:
            errors[target] += 1
        time.sleep(pause)
    for t in targets:
        out[t] = {"latencies": latencies[t], "errors": errors[t]}


def percentile(values, p):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(p / 100 * len(values)))]


def run(kind, args, out):
    raise_file_limit()
    if kind == "flood":
        asyncio.run(flood(args.port, args.flood_connections, args.flood_rate, args.seconds, out))
    elif kind == "slowloris":
        asyncio.run(slowloris(args.port, args.slow_connections, args.slow_uploads, args.seconds, out))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--document", required=True, help="the cached document page, /d/ID")
    p.add_argument("--seconds", type=int, default=30)
    p.add_argument("--flood-connections", type=int, default=256)
    p.add_argument("--flood-rate", type=float, default=62)
    p.add_argument("--slow-connections", type=int, default=5000)
    p.add_argument("--slow-uploads", type=int, default=50)
    p.add_argument("--label", default="wenku")
    args = p.parse_args()
    targets = [args.document, "/static/site.css", "/healthz"]

    manager = multiprocessing.Manager()
    idle = manager.dict()
    measure(args.port, targets, 3, 0.02, idle)  # without load
    flood_out, slow_out, loaded = manager.dict(), manager.dict(), manager.dict()
    workers = [multiprocessing.Process(target=run, args=("flood", args, flood_out)),
               multiprocessing.Process(target=run, args=("slowloris", args, slow_out))]
    for w in workers:
        w.start()
    time.sleep(min(10, args.seconds / 3))  # the slowloris connections open at 500 a second
    measure(args.port, targets, args.seconds - min(10, args.seconds / 3), 0.02, loaded)
    for w in workers:
        w.join()

    print(f"| {'server':<10} | {'load':<6} | {'target':<18} | {'requests':>8} | {'p50 ms':>8} | {'p99 ms':>8} | "
          f"{'max ms':>8} | {'errors':>6} |")
    print(f"|{'-' * 12}|{'-' * 8}|{'-' * 20}|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 9}:|{'-' * 7}:|")
    for load, results in (("none", idle), ("abuse", loaded)):
        for t in targets:
            r = results[t]
            lat = [x * 1000 for x in r["latencies"]]
            print(f"| {args.label:<10} | {load:<6} | {t:<18} | {len(lat) + r['errors']:>8} | "
                  f"{percentile(lat, 50):>8.1f} | {percentile(lat, 99):>8.1f} | {max(lat, default=float('nan')):>8.1f} | "
                  f"{r['errors']:>6} |")
    print()
    print(f"{args.label}: the flood from 127.0.0.2 got " +
          ", ".join(f"{k}: {v}" for k, v in sorted(flood_out.items())) + ";")
    print(f"{args.label}: slowloris from 127.0.0.3 held at most {slow_out.get('max', 0)} connections "
          f"({slow_out.get('last', 0)} near the end), was cut {slow_out.get('cut', 0)} times, "
          f"refused {slow_out.get('refused', 0)} times.")


if __name__ == "__main__":
    main()
