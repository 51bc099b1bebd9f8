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
    return serve(command(args.host, args.port, not args.no_open))


def serve(argv: list[str], grace_seconds: float = 5.0) -> int:
    """Run the server ``argv`` until it exits or this command is stopped.

    The server dies with this process (:func:`sim.experiment.lifetime.die_with_parent`:
    even a SIGKILL of ``mentorsim app`` frees the port); Ctrl-C or SIGTERM stops it
    (SIGTERM, then SIGKILL after ``grace_seconds``) and waits for it to exit before
    returning, so the port is free when the command ends.

    Returns:
        The server's exit code; 0 when stopped by Ctrl-C, 143 by SIGTERM.

    """
    import os
    import signal

    from sim.experiment import lifetime

    server = subprocess.Popen(argv, preexec_fn=lifetime.die_with_parent(os.getpid()))  # noqa: PLW1509 - prctl must run in the child
    unregister = lifetime.register_children(lambda: [server.pid])
    try:
        return server.wait()
    except KeyboardInterrupt:
        server.terminate()
        try:
            server.wait(grace_seconds)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        received = lifetime.received()
        return 0 if received in (None, signal.SIGINT) else lifetime.exit_code(received)
    finally:
        unregister()
