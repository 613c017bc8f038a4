"""Scale-out on Celery: the task ``vbsign.verify_job`` and the ``vbsign worker`` process.

The service queues a job (:mod:`vbsign.service.jobs`, JSON with the document in base64)
under the job's key as task id; any number of ``vbsign worker`` processes, on any machines
that reach the broker, run it and store the result under that key in the result backend
(Redis), for :attr:`~vbsign.service.config.ServiceConfig.result_ttl` seconds.

Delivery: ``acks_late`` (a job is acknowledged only once its result is stored) and
``reject_on_worker_lost`` (a pool process killed mid-job puts the job back at once); when a
whole worker dies (SIGKILL, a machine lost), Redis hands its unacknowledged jobs to another
worker after the *visibility timeout*. A job may thus run twice, never zero times; both
runs write the same result under the same key, and the client that asked sees one answer.
One job is reserved per pool process (``worker_prefetch_multiplier=1``): a worker never
sits on jobs another one could run.
"""

from __future__ import annotations

import os
from typing import Any

from vbsign.service.jobs import execute, from_payload

#: the Celery task name (workers and services of different versions must agree)
TASK_NAME = "vbsign.verify_job"
#: the queue the service publishes to and workers consume by default
QUEUE = "vbsign"


def run_payload(payload: dict[str, Any]) -> dict[str, Any]:
    """The task body: decode the job, run it (:func:`vbsign.service.jobs.execute`)."""
    job, settings = from_payload(payload)
    result = execute(job, settings)
    result["worker_pid"] = os.getpid()
    return result


def make_celery(
    broker: str,
    result_backend: str | None = None,
    *,
    result_ttl: float = 300.0,
    visibility_timeout: float = 60.0,
) -> Any:
    """The Celery application of both sides (the service publishes, workers consume)."""
    from celery import Celery

    app = Celery("vbsign", broker=broker, backend=result_backend or broker)
    sweep = max(1, int(min(10.0, visibility_timeout / 4)))
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=QUEUE,
        result_expires=int(result_ttl),
        broker_connection_retry_on_startup=True,
        broker_transport_options={
            "visibility_timeout": visibility_timeout,
            # look for jobs of lost workers every few seconds, not every 100 s (kombu's default)
            "unacked_restore_interval": sweep,
            "unacked_restore_throttle": 1,
        },
        result_backend_transport_options={"visibility_timeout": visibility_timeout},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
        task_send_sent_event=False,
        broker_pool_limit=16,
    )
    app.task(name=TASK_NAME, acks_late=True, reject_on_worker_lost=True)(run_payload)
    return app


def worker_main(
    broker: str,
    *,
    result_backend: str | None = None,
    concurrency: int | None = None,
    pool: str = "prefork",
    queue: str = QUEUE,
    visibility_timeout: float = 60.0,
    result_ttl: float = 300.0,
    loglevel: str = "INFO",
    hostname: str | None = None,
) -> None:
    """Run a Celery worker for vbsign jobs (``vbsign worker``) until it is stopped."""
    app = make_celery(broker, result_backend, result_ttl=result_ttl, visibility_timeout=visibility_timeout)
    argv = [
        "worker",
        f"--loglevel={loglevel}",
        f"--pool={pool}",
        f"--queues={queue}",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
    ]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    if hostname:
        argv.append(f"--hostname={hostname}")
    app.worker_main(argv)


__all__ = ["QUEUE", "TASK_NAME", "make_celery", "run_payload", "worker_main"]
