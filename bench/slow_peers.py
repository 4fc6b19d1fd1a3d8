"""Slow and trickling platforms do not delay /lti/jwks or launches of other platforms.

Against gunicorn (2 gthread workers of 8 threads), attackers keep pointing the tool at a peer
that answers one byte every two seconds: anonymous /lti/register requests naming its
configuration URL, and launches of a platform whose key set it serves. Meanwhile a bystander
fetches /lti/jwks and launches from a healthy platform. The script prints the bystander's
latencies with and without the attack, how long attackers were held, and how often the slow
peer was called.

    python bench/slow_peers.py                      # SQLite in a temporary folder
    python bench/slow_peers.py --seconds 30 --attackers 8
    python bench/slow_peers.py --database-url postgresql+psycopg://...  # a scratch database
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import requests
from launch import (  # the sibling benchmark's helpers
    PEOPLE,
    flask,
    free_port,
    gunicorn,
    one_launch,
    percentile,
    register,
    serve_platform,
    tool_env,
)

from sandbox.platform import Platform, platform_add_args
from sandbox.slow_peer import TricklePeer


def timed(call: object) -> float:
    started = time.perf_counter()
    call()  # type: ignore[operator]
    return time.perf_counter() - started


def jwks(browser: requests.Session, base: str) -> None:
    response = browser.get(base + "/lti/jwks", timeout=30)
    if response.status_code != 200:
        raise RuntimeError(f"/lti/jwks answered {response.status_code}")


def bystander(base: str, platform: Platform, stop: threading.Event) -> dict[str, list[float]]:
    """Fetch /lti/jwks and launch from the healthy platform until told to stop."""
    times: dict[str, list[float]] = {"jwks": [], "launch": []}
    with requests.Session() as browser:
        n = 0
        while not stop.is_set():
            times["jwks"].append(timed(lambda: jwks(browser, base)))
            user = PEOPLE[n % len(PEOPLE)]
            launch = timed(lambda u=user: one_launch(browser, base, platform, u, None))
            times["launch"].append(launch)
            n += 1
    return times


def attacker(
    base: str, slow: Platform, peer_url: str, stop: threading.Event, held: list[float]
) -> None:
    """Alternate registrations naming the slow peer and launches of the slow platform."""
    config = urlencode({"openid_configuration": peer_url + "/config", "registration_token": "t"})
    user = PEOPLE[0]
    with requests.Session() as browser:
        while not stop.is_set():
            held.append(timed(lambda: browser.get(f"{base}/lti/register?{config}", timeout=60)))

            def slow_launch() -> None:
                try:
                    one_launch(browser, base, slow, user, None)
                except RuntimeError:
                    pass  # refused, as it should be: the key set never arrives

            held.append(timed(slow_launch))


def measure(
    base: str, good: Platform, seconds: float, attack: tuple[Platform, str, int] | None
) -> tuple[dict[str, list[float]], list[float]]:
    stop, held = threading.Event(), []
    count = attack[2] if attack else 0
    with ThreadPoolExecutor(count + 1) as pool:
        watcher = pool.submit(bystander, base, good, stop)
        attackers = [
            pool.submit(attacker, base, attack[0], attack[1], stop, held)
            for _ in range(count)
            if attack
        ]
        time.sleep(seconds)
        stop.set()
        for future in attackers:
            future.result()
        return watcher.result(), held


def line(name: str, values: list[float]) -> str:
    if len(values) < 2:
        return f"  {name:8} {len(values)} requests"
    return (
        f"  {name:8} {len(values):5} requests   p50 {percentile(values, 50):7.1f} ms   "
        f"p95 {percentile(values, 95):7.1f} ms   max {max(values) * 1000:7.1f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--attackers", type=int, default=6)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--worker-class", default="gthread", help="gthread (advised) or sync")
    parser.add_argument("--interval", type=float, default=2.0, help="seconds between bytes")
    parser.add_argument("--database-url", help="a scratch database (default: SQLite, temporary)")
    args = parser.parse_args()

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with (
        tempfile.TemporaryDirectory(prefix="communitas-slow-") as tmp,
        serve_platform(base, Path(tmp)) as good,
        TricklePeer(interval=args.interval) as peer,
    ):
        database_url = args.database_url or f"sqlite:///{tmp}/bench.db"
        env = tool_env(database_url, base)
        env.update(
            COMMUNITAS_OUTBOUND_ALLOW="127.0.0.0/8",
            COMMUNITAS_REGISTRATION="open",
            GUNICORN_CMD_ARGS=f"--threads {args.threads}",
        )
        log = Path(tmp) / "tool.log"
        register(env, log, good)
        # The slow platform's key set URL is the trickling peer.
        slow = Platform(issuer=peer.url, tool_base_url=base, client_id="slow", deployment_id="d")
        flask(env, log, *platform_add_args(peer.url, "slow", "d"))
        with gunicorn(env, port, args.workers, log, args.worker_class):
            measure(base, good, 2, None)  # warm up
            calm, _held = measure(base, good, args.seconds, None)
            before = peer.requests
            stormy, held = measure(base, good, args.seconds, (slow, peer.url, args.attackers))
            calls = peer.requests - before
        report(args, calm, stormy, held, calls)


def report(
    args: argparse.Namespace,
    calm: dict[str, list[float]],
    stormy: dict[str, list[float]],
    held: list[float],
    calls: int,
) -> None:
    print(
        f"gunicorn {args.workers} {args.worker_class} workers x {args.threads} threads; slow peer "
        f"sends one "
        f"byte every {args.interval:g} s; {args.attackers} attackers for {args.seconds:g} s"
    )
    print("bystander, no attack:")
    print(line("jwks", calm["jwks"]))
    print(line("launch", calm["launch"]))
    print("bystander, under attack:")
    print(line("jwks", stormy["jwks"]))
    print(line("launch", stormy["launch"]))
    print("attackers (registrations and launches naming the slow peer):")
    print(line("held", held))
    print(f"  the slow peer was called {calls} times for {len(held)} attacking requests")
    print("target: bystander p95 under attack within a few ms of the calm p95; attackers held")
    print("        at most the 5 s outbound deadline; most attacks refused without calling out")


if __name__ == "__main__":
    main()
