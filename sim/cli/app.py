"""``mentorsim app``: start the interactive page (Solara) in the browser."""

from __future__ import annotations

import argparse
import errno
import importlib.util
import socket
import subprocess
import sys
from pathlib import Path

from sim.cli.common import port_number
from sim.errors import MentorsimError

APP = Path(__file__).resolve().parent.parent / "viz" / "app.py"


def register(subparsers) -> None:
    """Add the ``app`` subcommand."""
    app = subparsers.add_parser(
        "app", help="start the interactive page: design a programme, watch it run"
    )
    app.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default: 127.0.0.1, this machine only)")
    app.add_argument("--port", type=port_number, default=8765,
                     help="port (default: 8765; 0 = any free port)")
    app.add_argument("--no-open", action="store_true", help="do not open a browser")
    app.set_defaults(func=execute)


def command(host: str, port: int, open_browser: bool = True) -> list[str]:
    """The ``solara run`` command line that serves the page."""
    return [sys.executable, "-m", "solara", "run", str(APP), "--host", host,
            "--port", str(port), "--open" if open_browser else "--no-open"]


def check_address(host: str, port: int) -> None:
    """Refuse, before serving, an address that cannot be listened on (a busy port).

    Binds a socket to ``(host, port)`` as the server will (``SO_REUSEADDR``, as uvicorn
    sets it) and closes it again; port 0 is any free port and is not checked.

    Raises:
        MentorsimError: ``host`` does not resolve or is not this machine's, or ``port``
            is in use or needs privileges.

    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM,
                                   flags=socket.AI_PASSIVE)
    except (socket.gaierror, UnicodeError) as exc:
        raise MentorsimError(f"--host = {host!r}: not an address of this machine "
                             f"({exc})") from None
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as exc:
            reason = ("in use (another server, or an earlier mentorsim app still running); "
                      "choose another --port" if exc.errno == errno.EADDRINUSE else exc.strerror)
            raise MentorsimError(f"--host {host} --port {port}: cannot listen there: "
                                 f"{reason}") from None


def execute(args: argparse.Namespace) -> int:
    """Run ``solara run sim/viz/app.py`` until it is stopped; return its exit code."""
    if importlib.util.find_spec("solara") is None:
        raise MentorsimError(
            "the app needs the viz extra: pip install -e \".[viz]\" (solara is not installed)"
        )
    check_address(args.host, args.port)
    where = (f"http://{args.host}:{args.port}/" if args.port else
             f"on {args.host}, a free port (the server prints its address)")
    print(f"mentorsim app: serving {where} (Ctrl-C stops it)",
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
