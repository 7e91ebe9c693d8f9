"""gunicorn settings for production: `gunicorn -c gunicorn.conf.py` (see README, "Production").

Every value can be changed from the environment, so one file serves every instance.
"""

import multiprocessing
import os
import shutil
import tempfile


def _setting(name: str, default: int) -> int:
    """An integer from the environment; unset or empty gives ``default`` (0 is a value)."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


wsgi_app = "webapp:create_app()"
bind = os.environ.get("BIND", "127.0.0.1:8000")
# gunicorn's own advice for sync workers: two per core plus one.
workers = _setting("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1)
worker_class = "sync"
# Longer than the slowest page: a connection test waits for the tracker's read timeout.
timeout = _setting("GUNICORN_TIMEOUT", 60)
graceful_timeout = _setting("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = 5
# Recycle workers now and then, so a slow leak never takes an instance down.
max_requests = _setting("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = 200
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-") or None  # empty: no access log
errorlog = "-"
if (os.environ.get("LOG_FORMAT") or "").strip().lower() == "json":
    access_log_format = (
        '{"time": "%(t)s", "remote": "%(h)s", "method": "%(m)s", "path": "%(U)s", '
        '"status": %(s)s, "bytes": "%(B)s", "duration_ms": %(M)s, '
        '"request_id": "%({x-request-id}o)s"}'
    )
else:
    access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(M)sms request_id=%({x-request-id}o)s'


def on_starting(server):
    """Give the workers one empty folder to share their Prometheus figures through."""
    folder = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if folder:
        shutil.rmtree(folder, ignore_errors=True)
        os.makedirs(folder, exist_ok=True)
    else:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="connector-desk-metrics-")


def child_exit(server, worker):
    """A worker that ended keeps its counters, but its live gauges must go."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
