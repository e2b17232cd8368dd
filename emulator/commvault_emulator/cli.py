"""``commvault-emulator``: run a CommServe emulator until SIGINT or SIGTERM.

The first line on stdout is the API base URL (e.g. ``http://127.0.0.1:41234/commandcenter/api``),
flushed at once, so a parent process can read it to learn the port.
"""

from __future__ import annotations

import argparse
import signal
import ssl
import sys
import threading
import time
from collections.abc import Callable, Sequence
from types import FrameType

from commvault_emulator.history import DEFAULT_CLIENTS, MAX_JOBS
from commvault_emulator.inventory_file import default_inventory, load_inventory
from commvault_emulator.jobs import OUTCOMES
from commvault_emulator.ratelimit import parse_rate_limit
from commvault_emulator.server import EmulatorServer
from commvault_emulator.state import (
    BUSY_QUEUE,
    BUSY_REJECT,
    DEMO_PASSWORD,
    DEMO_USERNAME,
    Settings,
    State,
    ids_after_clock,
)

HELP_EPILOG = f"""\
The first line on stdout is the API base URL, e.g. http://127.0.0.1:8400/commandcenter/api
(give it to commvault:url). Each request is logged to stderr unless --quiet; to keep that log
out of another program's terminal, write it to a file: commvault-emulator ... --log-file
emulator.log &  (a port already in use is still said on the terminal, with exit code 1).

Demo user {DEMO_USERNAME}, password {DEMO_PASSWORD}. Demo inventory (without --inventory):
  oradb01   Oracle instance ORCL, subclients default and archivelog
  oradb02   Oracle instance SALES, subclient default
  filesrv01 a file-system client (not Oracle)

Control plane (JSON, no authentication) under http://HOST:PORT/_emulator/: reset, the
inventory, job durations and outcomes, fault injection (HTTP statuses, HTML pages, dropped
connections, lost answers, expired tokens, delays) and the request log. Example:
  curl http://127.0.0.1:8400/_emulator/requests
Reference: docs/emulator.md in the pulumi-commvault repository.
"""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="commvault-emulator",
        description="A CommServe REST API emulator for Oracle backups (tests, demos, benches).",
        epilog=HELP_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = parser.add_argument
    add("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    add("--port", type=int, default=0, help="port to listen on (default 0: a free port)")
    add("--username", default=DEMO_USERNAME, help=f"Login user name (default {DEMO_USERNAME})")
    add("--password", default=DEMO_PASSWORD, help=f"Login password (default {DEMO_PASSWORD})")
    add("--token", help="a pre-issued token accepted in Authtoken or Authorization: Bearer")
    add("--inventory", metavar="FILE", help="inventory JSON file (default: built-in inventory)")
    add("--job-seconds", type=float, default=3.0, help="how long each job runs (default 3)")
    add("--job-outcome", choices=OUTCOMES, default=OUTCOMES[0], help="how jobs end")
    add("--latency-ms", type=float, default=0.0, help="delay before every API answer")
    add("--token-ttl-seconds", type=float, default=1800.0, help="session inactivity expiry")
    add(
        "--busy-subclient",
        choices=(BUSY_QUEUE, BUSY_REJECT),
        default=BUSY_QUEUE,
        help="a backup of a busy subclient is queued (default) or refused with errorCode 2",
    )
    _add_history_options(add)
    add(
        "--rate-limit",
        metavar="reads=R,writes=W,period=S",
        help="tenant budgets: past R reads or W writes in S seconds, answer 429 (default off)",
    )
    add(
        "--omit-job-description",
        action="store_true",
        help="job summaries (GET Job, POST Jobs) leave out jobDescription",
    )
    add(
        "--omit-job-details-description",
        action="store_true",
        help="POST JobDetails leaves out generalInfo.description too (with the above: the "
        "job description is shown nowhere)",
    )
    add("--tls-cert", metavar="FILE", help="PEM certificate chain: serve HTTPS")
    add("--tls-key", metavar="FILE", help="PEM private key of --tls-cert")
    add("--quiet", action="store_true", help="do not log requests to stderr")
    add(
        "--log-file",
        metavar="FILE",
        help="append the request log to FILE instead of stderr, once listening; a failure to "
        "start (e.g. the port in use) is still printed on stderr",
    )
    return parser


def _add_history_options(add: Callable[..., object]) -> None:
    """What the CommServe already holds: earlier jobs, and where new ids start."""
    add(
        "--history-jobs",
        type=int,
        default=0,
        metavar="N",
        help="seed a busy CommServe's history of N jobs over the last days (default 0)",
    )
    add(
        "--history-clients",
        type=int,
        default=None,
        metavar="M",
        help=f"clients the history's jobs belong to (default {DEFAULT_CLIENTS} with "
        "--history-jobs, else 0)",
    )
    add(
        "--first-job-id",
        type=int,
        metavar="N",
        help="the first job's id (default: rising with the clock, so that a restarted "
        "emulator never hands out an id an earlier run gave; ids grow by one per job)",
    )
    add("--first-task-id", type=int, metavar="N", help="the first task's id (default: likewise)")


def _settings(args: argparse.Namespace, parser: argparse.ArgumentParser) -> Settings:
    if args.job_seconds < 0 or args.latency_ms < 0 or args.token_ttl_seconds <= 0:
        parser.error("--job-seconds and --latency-ms must be >= 0, --token-ttl-seconds > 0")
    if not 0 <= args.history_jobs <= MAX_JOBS:
        parser.error(f"--history-jobs must be between 0 and {MAX_JOBS}")
    history_clients = args.history_clients
    if history_clients is None:
        history_clients = DEFAULT_CLIENTS if args.history_jobs else 0
    if history_clients < 0 or (args.history_jobs and history_clients == 0):
        parser.error("--history-clients must be >= 0, and > 0 with --history-jobs")
    try:
        rate_limit = parse_rate_limit(args.rate_limit) if args.rate_limit else None
    except ValueError as error:
        parser.error(str(error))
    try:
        inventory = load_inventory(args.inventory) if args.inventory else default_inventory()
    except ValueError as error:
        parser.error(str(error))
    first_job_id, first_task_id = _first_ids(args, parser)
    return Settings(
        username=args.username,
        password=args.password,
        token=args.token,
        job_seconds=args.job_seconds,
        job_outcome=args.job_outcome,
        latency_ms=args.latency_ms,
        token_ttl_seconds=args.token_ttl_seconds,
        busy_subclient=args.busy_subclient,
        inventory=inventory,
        history_jobs=args.history_jobs,
        history_clients=history_clients,
        rate_limit=rate_limit,
        omit_job_description=args.omit_job_description,
        omit_details_description=args.omit_job_details_description,
        first_job_id=first_job_id,
        first_task_id=first_task_id,
    )


def _first_ids(args: argparse.Namespace, parser: argparse.ArgumentParser) -> tuple[int, int]:
    clock_job_id, clock_task_id = ids_after_clock(time.time())
    first_job_id = clock_job_id if args.first_job_id is None else args.first_job_id
    first_task_id = clock_task_id if args.first_task_id is None else args.first_task_id
    if first_job_id <= args.history_jobs or first_task_id < 1:
        parser.error("--first-job-id must be above --history-jobs, --first-task-id >= 1")
    return first_job_id, first_task_id


def _tls_context(
    args: argparse.Namespace, parser: argparse.ArgumentParser
) -> ssl.SSLContext | None:
    if not args.tls_cert and not args.tls_key:
        return None
    if not (args.tls_cert and args.tls_key):
        parser.error("--tls-cert and --tls-key go together")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    try:
        context.load_cert_chain(args.tls_cert, args.tls_key)
    except (OSError, ssl.SSLError) as error:
        parser.error(f"cannot load the TLS certificate or key: {error}")
    return context


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    settings = _settings(args, parser)
    tls = _tls_context(args, parser)
    try:
        server = EmulatorServer((args.host, args.port), State(settings), tls, quiet=args.quiet)
    except OSError as error:
        print(
            f"commvault-emulator: cannot listen on {args.host}:{args.port}: {error}; "
            "nothing is served (is another emulator still running? stop it, or give "
            "another --port)",
            file=sys.stderr,
            flush=True,
        )
        return 1
    if args.log_file:
        sys.stderr = open(args.log_file, "a", buffering=1, encoding="utf-8")  # noqa: SIM115
    stop = threading.Event()

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    print(server.base_url, flush=True)
    hidden = [
        where
        for where, flag in (
            ("job listings", args.omit_job_description),
            ("job details", args.omit_job_details_description),
        )
        if flag
    ]
    omitted = f"; job descriptions left out of {' and '.join(hidden)}" if hidden else ""
    print(
        f"commvault-emulator: serving {server.base_url} (user {settings.username}); "
        f"control plane at {server.root_url}/_emulator/{omitted}",
        file=sys.stderr,
        flush=True,
    )
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.2}, daemon=True
    )
    thread.start()
    while not stop.wait(0.5):
        pass
    server.shutdown()
    server.server_close()
    print("commvault-emulator: stopped", file=sys.stderr, flush=True)
    return 0
