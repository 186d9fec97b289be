"""Health check for the running bot (the Dockerfile's HEALTHCHECK): exit 0 when healthy, 1 otherwise.

The bot rewrites data_dir/heartbeat every 30 s from its job queue (write_heartbeat, here beside its reader),
so a stale file means the event loop is stuck or the bot is down. In webhook mode the webhook server
must also answer on its port.
"""

from __future__ import annotations

import argparse
import http.client
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

HEARTBEAT = "heartbeat"  # the file in data_dir
HEARTBEAT_EVERY = 30.0  # seconds between beats (the bot's job queue)


def write_heartbeat(data_dir: Path) -> None:
    """data_dir/heartbeat holds the time of the last beat (its mtime is what counts)."""
    path = Path(data_dir) / HEARTBEAT
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(datetime.now(UTC).isoformat(timespec="seconds") + "\n", encoding="utf-8")
    tmp.replace(path)


def heartbeat_age(data_dir: Path) -> float | None:
    try:
        return time.time() - (Path(data_dir) / HEARTBEAT).stat().st_mtime
    except FileNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-age", type=float, default=3 * HEARTBEAT_EVERY,
                        help="seconds (default 90: three missed beats)")
    parser.add_argument("--data", type=Path, default=None, help="data folder (default: CENTRE_BOT_DATA_DIR)")
    args = parser.parse_args(argv)
    from bot.settings import Settings

    settings = Settings()
    data_dir = args.data if args.data is not None else settings.data_dir
    age = heartbeat_age(data_dir)
    if age is None:
        print(f"unhealthy: no heartbeat in {data_dir} (is `centre-bot run` running with this data folder?)")
        return 1
    if age > args.max_age:
        print(f"unhealthy: last heartbeat {age:.0f} s ago (limit {args.max_age:.0f} s)")
        return 1
    if settings.webhook_url and not webhook_answers(settings.webhook_listen, settings.webhook_port):
        print(f"unhealthy: nothing answers on the webhook port {settings.webhook_port}")
        return 1
    print(f"healthy: last heartbeat {age:.0f} s ago")
    return 0


def webhook_answers(listen: str, port: int) -> bool:
    host = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(listen, listen)
    connection = http.client.HTTPConnection(host, port, timeout=5)
    try:
        connection.request("GET", "/")
        connection.getresponse()
        return True
    except OSError:
        return False
    finally:
        connection.close()


if __name__ == "__main__":
    sys.exit(main())
