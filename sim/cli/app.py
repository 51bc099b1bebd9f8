"""``mentorsim app``: start the interactive page (Solara) in the browser."""

from __future__ import annotations

import argparse
import importlib.util
import subprocess
import sys
from pathlib import Path

from sim.errors import MentorsimError

APP = Path(__file__).resolve().parent.parent / "viz" / "app.py"


def register(subparsers) -> None:
    """Add the ``app`` subcommand."""
    app = subparsers.add_parser(
        "app", help="start the interactive page: design a programme, watch it run"
    )
    app.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default: 127.0.0.1, this machine only)")
    app.add_argument("--port", type=int, default=8765, help="port (default: 8765; 0 = any)")
    app.add_argument("--no-open", action="store_true", help="do not open a browser")
    app.set_defaults(func=execute)


def command(host: str, port: int, open_browser: bool = True) -> list[str]:
    """The ``solara run`` command line that serves the page."""
    return [sys.executable, "-m", "solara", "run", str(APP), "--host", host,
            "--port", str(port), "--open" if open_browser else "--no-open"]


def execute(args: argparse.Namespace) -> int:
    """Run ``solara run sim/viz/app.py`` until it is stopped; return its exit code."""
    if importlib.util.find_spec("solara") is None:
        raise MentorsimError(
            "the app needs the viz extra: pip install -e \".[viz]\" (solara is not installed)"
        )
    print(f"mentorsim app: serving http://{args.host}:{args.port}/ (Ctrl-C stops it)",
          flush=True)
    try:
        return subprocess.call(command(args.host, args.port, not args.no_open))
    except KeyboardInterrupt:
        return 0
