"""``vbsign serve`` (the REST service and portal, on uvicorn) and ``vbsign worker`` (a Celery
worker for the service's jobs). See ``docs/service.rst``."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import click

from vbsign._core.i18n import Msg
from vbsign.cli._common import fail, t
from vbsign.cli.verify import parse_size

_BROKER_HELP = (
    "Hàng đợi Celery (redis://máy:cổng/0; mặc định biến VBSIGN_BROKER); không có: xử lý ngay trong dịch vụ "
    "/ Celery broker URL (default: VBSIGN_BROKER); none: jobs run in-process."
)


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        fail(Msg("Không mở được cổng {h}:{p}: {e}", "Cannot listen on {h}:{p}: {e}").format(h=host, p=port, e=e.strerror or e))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Địa chỉ lắng nghe (mặc định chỉ máy này) / listen address (loopback by default).")
@click.option("--port", type=int, default=8080, show_default=True, help="Cổng (0: cổng trống bất kỳ) / port (0: any free port).")
@click.option("--trust", "trust_files", multiple=True, type=click.Path(exists=True), help="Chứng thư gốc tin cậy / trust anchors.")
@click.option("--policy", default="tt41", show_default=True, metavar="NAME|FILE", help="Chính sách mặc định của /api/v1/validate / default policy.")
@click.option("--offline", is_flag=True, help="Không truy cập mạng khi kiểm tra / no network access.")
@click.option("--timeout", type=float, default=10.0, show_default=True, help="Giới hạn mỗi yêu cầu mạng (giây) / per-request network timeout (s).")
@click.option("--max-upload", default="50M", show_default=True, help="Dung lượng tối đa mỗi tệp tải lên / upload size limit.")
@click.option("--max-jobs", type=int, default=None, help="Số việc kiểm tra đồng thời (mặc định: số lõi CPU) / concurrent jobs (default: CPU count).")
@click.option("--max-waiting", type=int, default=64, show_default=True, help="Số yêu cầu chờ tối đa / requests waiting at most.")
@click.option("--request-timeout", type=float, default=120.0, show_default=True, help="Thời gian tối đa mỗi yêu cầu (giây) / request timeout (s).")
@click.option("--max-seconds", type=float, default=10.0, show_default=True, help="Thời gian tối đa kiểm tra mỗi tệp / time budget per file (s).")
@click.option("--max-memory", default="1G", show_default=True, help="Bộ nhớ tối đa mỗi tệp / memory budget per file.")
@click.option("--isolate", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True, help="Kiểm tra PDF trong tiến trình riêng / isolated verification of PDFs.")
@click.option("--keep-uploads", type=click.Path(file_okay=False), help="Lưu tệp tải lên vào thư mục này (mặc định: không lưu) / keep uploads in this directory (default: never).")
@click.option("--api-keys", "api_keys", type=click.Path(exists=True, dir_okay=False), help="Tệp khóa API (tên:sha256) / API key file (name:sha256).")
@click.option("--require-key", is_flag=True, help="Mọi API đều cần khóa (không chỉ ký số) / every API call needs a key.")
@click.option("--new-key", metavar="NAME", help="In một khóa API mới và dòng cần thêm vào tệp khóa, rồi thoát / print a new API key and its key-file line, then exit.")
@click.option("--broker", envvar="VBSIGN_BROKER", help=_BROKER_HELP)
@click.option("--result-backend", help="Nơi lưu kết quả Celery (mặc định: như --broker) / Celery result backend (default: the broker).")
@click.option("--result-ttl", type=float, default=300.0, show_default=True, help="Giữ kết quả theo mã băm tài liệu (giây) / keep verdicts by document hash (s).")
@click.option("--visibility-timeout", type=float, default=60.0, show_default=True, help="Giao lại việc của worker bị mất sau (giây) / redeliver a lost worker's job after (s).")
@click.option("--workers", type=int, default=1, show_default=True, help="Số tiến trình dịch vụ / service processes.")
@click.option("--access-log", metavar="FILE|-|off", help="Nhật ký truy cập JSON (mặc định: stderr) / JSON access log (default: stderr).")
def serve_cmd(
    host: str,
    port: int,
    trust_files: tuple[str, ...],
    policy: str,
    offline: bool,
    timeout: float,
    max_upload: str,
    max_jobs: int | None,
    max_waiting: int,
    request_timeout: float,
    max_seconds: float,
    max_memory: str,
    isolate: str,
    keep_uploads: str | None,
    api_keys: str | None,
    require_key: bool,
    new_key: str | None,
    broker: str | None,
    result_backend: str | None,
    result_ttl: float,
    visibility_timeout: float,
    workers: int,
    access_log: str | None,
) -> None:
    """Chạy dịch vụ kiểm tra chữ ký số (REST API + cổng thông tin). / Run the verification service (REST API + portal)."""
    if new_key is not None:
        from vbsign.service.security import new_key as make_key

        key, line = make_key(new_key)
        click.echo(t(f"Khóa API (chỉ hiện một lần): {key}", f"API key (shown once): {key}"))
        click.echo(t(f"Thêm dòng này vào tệp khóa: {line}", f"Add this line to the key file: {line}"))
        return
    from vbsign.service.config import ServiceConfig, ServiceLimits

    limits = ServiceLimits(
        max_upload_bytes=parse_size(max_upload),
        max_waiting=max_waiting,
        request_timeout=request_timeout,
        max_seconds=max_seconds,
        max_memory=parse_size(max_memory),
        isolate=isolate,  # type: ignore[arg-type]
        **({"max_jobs": max_jobs} if max_jobs else {}),
    )
    config = ServiceConfig(
        host=host,
        port=port,
        trust=tuple(str(Path(p).resolve()) for p in trust_files),
        policy=str(Path(policy).resolve()) if Path(policy).is_file() else policy,
        offline=offline,
        network_timeout=timeout,
        limits=limits,
        keep_uploads=str(Path(keep_uploads).resolve()) if keep_uploads else None,
        api_keys_file=str(Path(api_keys).resolve()) if api_keys else None,
        require_key=require_key,
        broker=broker or None,
        result_backend=result_backend,
        result_ttl=result_ttl,
        visibility_timeout=visibility_timeout,
    )
    _run(config, workers, access_log)


def _run(config: object, workers: int, access_log: str | None) -> None:
    import uvicorn

    from vbsign.formats.pades.isolation import prestart
    from vbsign.service.accesslog import ACCESS_LOG_ENV, configure
    from vbsign.service.app import create_app
    from vbsign.service.config import CONFIG_ENV, ServiceConfig

    assert isinstance(config, ServiceConfig)
    configure(access_log)
    if config.host not in ("127.0.0.1", "::1", "localhost") and not config.require_key:
        click.echo(
            t(
                "Cảnh báo: dịch vụ mở ra mạng mà không cần khóa API; nên đặt sau reverse proxy có xác thực (docs/service.rst).",
                "Warning: the service listens beyond this machine without API keys; put it behind an authenticating reverse proxy (docs/service.rst).",
            ),
            err=True,
        )
    if config.limits.isolate != "never":
        prestart(fork=True)  # while this process still has a single thread
    sock = _bind(config.host, config.port)
    actual = sock.getsockname()[1]
    shown = f"[{config.host}]" if ":" in config.host else config.host
    mode = f"Celery ({config.broker.split('@')[-1]})" if config.broker else t("trong tiến trình", "in-process")
    click.echo(f"vbsign serve: http://{shown}:{actual}/ — {mode}", err=True)
    sys.stderr.flush()
    if workers > 1:
        os.environ[CONFIG_ENV] = config.to_json()
        os.environ[ACCESS_LOG_ENV] = access_log or "-"  # the worker processes configure their own
        uv = uvicorn.Config("vbsign.service.app:app_from_env", factory=True, workers=workers, access_log=False, log_level="warning")
        from uvicorn.supervisors import Multiprocess

        Multiprocess(uv, sockets=[sock]).run()
        return
    app = create_app(config)
    server = uvicorn.Server(uvicorn.Config(app, access_log=False, log_level="warning", timeout_graceful_shutdown=5))
    server.run(sockets=[sock])


@click.command("worker")
@click.option("--broker", envvar="VBSIGN_BROKER", required=True, help=_BROKER_HELP)
@click.option("--result-backend", help="Nơi lưu kết quả (mặc định: như --broker) / result backend (default: the broker).")
@click.option("--concurrency", type=int, default=None, help="Số tiến trình kiểm tra (mặc định: số lõi CPU) / pool processes (default: CPU count).")
@click.option("--pool", type=click.Choice(["prefork", "solo", "threads"]), default="prefork", show_default=True, help="Kiểu pool của Celery / Celery pool.")
@click.option("--queue", default="vbsign", show_default=True, help="Hàng đợi / queue name.")
@click.option("--visibility-timeout", type=float, default=60.0, show_default=True, help="Như của dịch vụ / as the service's (s).")
@click.option("--result-ttl", type=float, default=300.0, show_default=True, help="Như của dịch vụ / as the service's (s).")
@click.option("--name", "hostname", help="Tên worker (mặc định: celery@máy) / worker name.")
@click.option("--loglevel", default="WARNING", show_default=True, help="Mức log của Celery / Celery log level.")
def worker_cmd(
    broker: str,
    result_backend: str | None,
    concurrency: int | None,
    pool: str,
    queue: str,
    visibility_timeout: float,
    result_ttl: float,
    hostname: str | None,
    loglevel: str,
) -> None:
    """Chạy một worker Celery kiểm tra văn bản cho dịch vụ. / Run a Celery worker verifying documents for the service."""
    from vbsign.service.tasks import worker_main

    worker_main(
        broker,
        result_backend=result_backend,
        concurrency=concurrency,
        pool=pool,
        queue=queue,
        visibility_timeout=visibility_timeout,
        result_ttl=result_ttl,
        loglevel=loglevel,
        hostname=hostname,
    )


__all__ = ["serve_cmd", "worker_cmd"]
