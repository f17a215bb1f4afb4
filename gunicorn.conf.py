"""gunicorn settings for MentorHub: `gunicorn -c gunicorn.conf.py wsgi:app`.

Settings come from the environment, so one file serves every deployment. The master validates
MentorHub's configuration once before it binds or forks: a bad setting stops the server with one
line and a non-zero exit, instead of workers failing to boot and being respawned forever.
"""

import atexit
import os
import shutil
import tempfile
from pathlib import Path

bind = f"{os.environ.get('HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
# Sync workers gave steadier throughput and tails than threaded ones in our measurements.
worker_class = "sync"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 2
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gunicorn's control socket (for `gunicornc`) defaults to a file under $HOME, which fails on a
# read-only root file system or under a uid with no writable home; signals do all we need.
control_socket_disable = True

# --- gunicorn's own log lines ----------------------------------------------------------------
# Written the way the app writes its own (mentorhub/observability/server_logs.py): JSON objects
# under LOG_FORMAT=json, feed and unsubscribe tokens masked and control characters escaped in
# either format, and the request id at the end of every access line. A logger class rather than
# logconfig_dict, so that --access-logfile, --error-logfile and syslog keep working as gunicorn
# documents them; it is imported when gunicorn sets up logging, after this file has run.
logger_class = "mentorhub.observability.server_logs.ServerLogger"
access_log_format = (
    '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %({x-request-id}o)s'
)
# --- end of gunicorn's own log lines ---------------------------------------------------------
# Recycle workers now and then so a slow leak cannot grow without bound; jitter spreads restarts.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "10000"))
max_requests_jitter = max_requests // 10
# prometheus_client's multiprocess mode: every worker writes its metrics to files in this
# directory and /metrics merges them. It must be set before any app is imported.
METRICS_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def prepare_metrics_dir() -> str:
    """Give the workers an empty metrics directory (PROMETHEUS_MULTIPROC_DIR, or a new one)."""
    directory = os.environ.get(METRICS_DIR_ENV)
    if not directory:
        directory = os.environ[METRICS_DIR_ENV] = tempfile.mkdtemp(prefix="mentorhub-metrics-")
        # However the master ends (even refusing its configuration); forked workers skip it.
        atexit.register(remove_own_metrics_dir, directory, os.getpid())
    path = Path(directory)
    path.mkdir(parents=True, exist_ok=True)
    # Only prometheus_client's own files: counts from an earlier run would be served again.
    for stale in path.glob("*.db"):
        stale.unlink()
    return directory


def child_exit(server, worker) -> None:
    """Drop a dead worker's live gauges, so /metrics stops reporting them."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def remove_own_metrics_dir(directory: str, master_pid: int) -> None:
    """Remove the metrics directory the master made for itself, when the master exits."""
    if os.getpid() == master_pid:
        shutil.rmtree(directory, ignore_errors=True)


# Here rather than in on_starting: with --preload the app is built before on_starting runs.
prepare_metrics_dir()


def on_starting(server) -> None:
    """Validate MentorHub's configuration in the master, before any socket or worker exists."""
    if server.cfg.preload_app:
        return  # the master already built the app, and a bad setting has already stopped it
    from mentorhub import create_app

    # Building the app reads the settings exactly as a worker will (environment and .env), and
    # a configuration error raises SystemExit with its one-line message: the master exits.
    create_app()


# Stopping without resetting queued connections (mentorhub/serving/listener_drain.py says how).
# The imports wait until gunicorn has put the working directory on sys.path.
def when_ready(server) -> None:
    """On SIGTERM, stop taking new connections first, keeping the ones already queued."""
    from mentorhub import serving

    serving.install_master_hook(server)


def worker_exit(server, worker) -> None:
    """A worker that stops gracefully serves what is still queued before it lets go."""
    from mentorhub import serving

    serving.serve_queued_connections(worker)


def worker_int(worker) -> None:
    """SIGINT or SIGQUIT: a quick stop, nothing more is served."""
    from mentorhub import serving

    serving.note_quick_exit(worker)


def worker_abort(worker) -> None:
    """A worker past its timeout is aborted: nothing more is served."""
    from mentorhub import serving

    serving.note_quick_exit(worker)
