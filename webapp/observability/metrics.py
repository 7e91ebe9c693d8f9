"""The process's metric objects, shared by every gunicorn worker through files.

With ``PROMETHEUS_MULTIPROC_DIR`` set (``gunicorn.conf.py`` sets it), counters and
histograms are written to files in that folder and ``/metrics`` adds up every worker's;
without it (``flask serve``, tests) they live in this process's default registry.
Figures that are facts of the database (tickets by status, the outbox) are not kept here:
they are read when ``/metrics`` is scraped (see ``webapp.services.outbox_stats``), so every
instance reports the same truth.
"""

from __future__ import annotations

import os

from prometheus_client import CollectorRegistry, Counter, Histogram, multiprocess

NAMESPACE = "connector_desk"
#: Request latency buckets (seconds): pages take milliseconds, tracker calls seconds.
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

REQUEST_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time to answer an HTTP request, by endpoint, method and status.",
    ("endpoint", "method", "status"),
    namespace=NAMESPACE,
    buckets=LATENCY_BUCKETS,
)
DELIVERY_ATTEMPTS = Counter(
    "delivery_attempts",
    "Ticket delivery attempts, by tracker system and outcome (sent, found, failed, ambiguous).",
    ("system", "outcome"),
    namespace=NAMESPACE,
)
CHECK_STAGE_DURATION = Histogram(
    "connection_test_stage_duration_seconds",
    "Time each stage of a connection test took, by system, stage and status.",
    ("system", "stage", "status"),
    namespace=NAMESPACE,
    buckets=LATENCY_BUCKETS,
)
WEBHOOK_EVENTS = Counter(
    "webhook_events",
    "Inbound webhook requests, by tracker system and outcome (processed, ignored, failed, "
    "duplicate, rejected).",
    ("system", "outcome"),
    namespace=NAMESPACE,
)


def multiprocess_dir() -> str | None:
    """The folder where worker processes share their figures, if any."""
    return os.environ.get("PROMETHEUS_MULTIPROC_DIR") or None


def scrape_registry() -> CollectorRegistry:
    """A registry holding every worker's figures (multiprocess) or this process's."""
    if multiprocess_dir():
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    from prometheus_client import REGISTRY

    return REGISTRY


def record_delivery_attempt(system_id: str, outcome: str) -> None:
    """Count one delivery attempt (call after the attempt's record is committed)."""
    DELIVERY_ATTEMPTS.labels(system_id, outcome).inc()


def record_check_stages(system_id: str, stages) -> None:
    """Observe each stage's duration of a finished connection test (skipped ones too)."""
    for stage in stages:
        CHECK_STAGE_DURATION.labels(system_id, stage.stage.value, stage.status.value).observe(
            (stage.duration_ms or 0) / 1000
        )


def record_webhook_event(system_id: str, outcome: str) -> None:
    """Count one webhook request that was checked against a hook's signature."""
    WEBHOOK_EVENTS.labels(system_id, outcome).inc()
