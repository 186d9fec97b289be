"""Health check for the running bot: exit 0 when data_dir/heartbeat is fresh, 1 otherwise.

The bot rewrites the heartbeat every 30 s from its job queue, so a stale file means the event loop is
stuck or the bot is down. For a Dockerfile: HEALTHCHECK CMD python -m bot.health
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path


def heartbeat_age(data_dir: Path) -> float | None:
    try:
        return time.time() - (Path(data_dir) / "heartbeat").stat().st_mtime
    except FileNotFoundError:
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max-age", type=float, default=90.0, help="seconds (default 90: three missed beats)")
    parser.add_argument("--data", type=Path, default=None, help="data folder (default: CENTRE_BOT_DATA_DIR)")
    args = parser.parse_args(argv)
    data_dir = args.data
    if data_dir is None:
        from bot.settings import Settings

        data_dir = Settings().data_dir
    age = heartbeat_age(data_dir)
    if age is None:
        print(f"unhealthy: no heartbeat in {data_dir} (is `centre-bot run` running with this data folder?)")
        return 1
    if age > args.max_age:
        print(f"unhealthy: last heartbeat {age:.0f} s ago (limit {args.max_age:.0f} s)")
        return 1
    print(f"healthy: last heartbeat {age:.0f} s ago")
    return 0


if __name__ == "__main__":
    sys.exit(main())
