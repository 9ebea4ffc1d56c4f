"""Benchmark: panic-alert latency while hostile audio uploads run (issue 11, item 1).

Starts `penhas serve` as shipped (threaded gunicorn workers; on the embedded default it also runs the job consumer)
in a scratch data dir, with SMS sent to moto_server as SNS (started on a free port unless SNS_ENDPOINT_URL is
given). One account runs --uploaders concurrent upload loops; other women fire --alerts panic alerts (one every
--spacing seconds, 3 accepted guardians each). For every alert it records request → response, and request → each
SMS seen at moto (moto's /moto-api/data.json polled every 10 ms). Scenarios:

  quiet         no uploads (the baseline);
  too-long      the review's file: 45 minutes of Opus in MP4 (2.7 MB) named .aac, refused from ffprobe's answer;
  app-segment   900 s of AAC in ADTS, what the app records at its longest: kept byte for byte (packets counted,
                waveform drawn);
  full-length   900 s of Opus in MP4, the longest segment accepted, transcoded to AAC (the most CPU an upload
                may cost).

    python bench/upload_alert.py --alerts 30
    REDIS_URL=redis://127.0.0.1:6379/13 python bench/upload_alert.py   # queue on Redis (flushed), `penhas worker`
"""
import hashlib
import os
import statistics
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import (  # noqa: E402
    MotoWatcher, alert_parser, alert_run, free_port, make_women, start_moto, wait_http,
)


def opus_mp4(out: Path, seconds: int, bitrate: str) -> bytes:
    short = out.with_suffix(".30.mp4")
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=300:sample_rate=48000",
                    "-t", "30", "-c:a", "libopus", "-b:a", bitrate, "-f", "mp4", str(short)], check=True)
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-stream_loop", str(seconds // 30 - 1), "-i", str(short),
                    "-c", "copy", "-f", "mp4", str(out)], check=True)
    return out.read_bytes()


RESOLVED_CEP = {"cep_cidade": "São Paulo", "cep_estado": "SP", "cep_ibge": "3550308"}


def adts(out: Path, seconds: int) -> bytes:
    """ADTS is self-framed: a 30 s segment repeated is a valid longer stream."""
    subprocess.run(["ffmpeg", "-v", "error", "-y", "-f", "lavfi", "-i", "sine=frequency=300", "-t", "30",
                    "-c:a", "aac", "-b:a", "64k", "-f", "adts", str(out)], check=True)
    return out.read_bytes() * (seconds // 30)


class Uploader(threading.Thread):
    def __init__(self, url: str, headers: dict, data: bytes, stop: threading.Event):
        super().__init__(daemon=True)
        self.url, self.headers, self.data, self.stop = url, headers, data, stop
        self.statuses, self.seconds = [], []

    def run(self):
        sha1 = hashlib.sha1(self.data).hexdigest()
        while not self.stop.is_set():
            now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
            t0 = time.monotonic()
            try:
                r = requests.post(f"{self.url}/me/audios", headers=self.headers, timeout=120, data={
                    "event_id": str(uuid.uuid4()), "event_sequence": "1", "cliente_created_at": now,
                    "current_time": now, "sha1": sha1}, files={"media": ("1_x_1.aac", self.data, "audio/aac")})
                self.statuses.append(r.status_code)
            except requests.RequestException as exc:
                self.statuses.append(exc.__class__.__name__)
            self.seconds.append(time.monotonic() - t0)


def fire_alerts(url: str, women_headers: list, phones: list, spacing: float) -> tuple[list, dict]:
    """Returns (response latencies in ms, phone → request start)."""
    responses, started = [], {}
    for headers, numbers in zip(women_headers, phones):
        t0 = time.time()
        r = requests.post(f"{url}/me/guardioes/alert", headers=headers, timeout=60,
                          params={"gps_lat": "-23.5505199", "gps_long": "-46.633308"})
        responses.append((time.time() - t0) * 1000)
        assert r.status_code == 200 and r.json()["title"].startswith(f"{len(numbers)} alertas"), r.text
        for phone in numbers:
            started[phone] = t0
        time.sleep(spacing)
    return responses, started


def sms_latencies(watcher, started: dict, timeout: float = 120.0) -> list[float]:
    deadline = time.monotonic() + timeout
    got = {}
    while time.monotonic() < deadline:
        got = {phone: t for t, phone in watcher.seen.values() if phone in started}
        if len(got) == len(started):
            break
        time.sleep(0.05)
    return sorted((got[p] - started[p]) * 1000 for p in got) + [float("inf")] * (len(started) - len(got))


def pct(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main():
    ap = alert_parser(__doc__, alerts=30, spacing=0.5, sms_each=3)
    ap.add_argument("--uploaders", type=int, default=4, help="concurrent hostile upload loops")
    ap.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    args, data_dir, settings = alert_run(ap, "penhas-bench-upload-")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "S3_BUCKET", "S3_ENDPOINT_URL")}
    env.update(settings, AWS_REGION="us-east-1")
    if os.environ.get("DATABASE_URL"):
        env["DATABASE_URL"] = os.environ["DATABASE_URL"]
    moto = server = worker = watcher = None
    try:
        moto = start_moto(env)
        os.environ.clear()
        os.environ.update(env)
        if env.get("REDIS_URL"):
            import redis

            redis.Redis.from_url(env["REDIS_URL"]).flushdb()

        print("making the hostile files…", flush=True)
        files = {"too-long": opus_mp4(data_dir / "too-long.mp4", 2700, "6k"),
                 "app-segment": adts(data_dir / "segment.aac", 900),
                 "full-length": opus_mp4(data_dir / "full-length.mp4", 900, "24k")}

        from penhas_api import create_app
        from penhas_api.core.fixtures import load_fixtures
        from penhas_api.core.migrate import migrate
        from penhas_api.core.models import Guardian
        from penhas_api.core.settings import provision
        from tests.factories import auth_headers, make_user

        provision()  # the embedded setup's first start: generated secrets, shared with the server through the dir
        migrate()
        load_fixtures()
        app = create_app()
        scenarios = ("quiet", "too-long", "app-segment", "full-length")
        # CEP already resolved: no ViaCEP look-ups queued behind the alerts.
        women = make_women(args.alerts * len(scenarios) + 1, 3, **RESOLVED_CEP)
        women_headers = [auth_headers(app, w) for w in women]
        phones = [[g.celular_e164 for g in Guardian.select().where(Guardian.cliente == w.id)] for w in women]
        hostile = auth_headers(app, make_user(nome_completo="Conta Hostil", apelido="hostil", **RESOLVED_CEP))

        port = free_port()
        url = f"http://127.0.0.1:{port}"
        server = subprocess.Popen([sys.executable, "-m", "penhas_cli.main", "serve", "--no-setup", "--port", str(port),
                                   "--workers", str(args.workers)], env=env, cwd=ROOT)
        if env.get("REDIS_URL"):
            worker = subprocess.Popen([sys.executable, "-m", "penhas_cli.main", "worker", "--no-scheduler"],
                                      env=env, cwd=ROOT)
        wait_http(url + "/health", timeout=60)
        watcher = MotoWatcher(env["SNS_ENDPOINT_URL"])
        watcher.start()
        # Warm-up alert: first connections, the SNS client, gunicorn's lazy imports.
        sms_latencies(watcher, fire_alerts(url, women_headers[-1:], phones[-1:], 0)[1])
        time.sleep(2)

        lines = []
        for i, name in enumerate(scenarios):
            stop, uploaders = threading.Event(), []
            if name != "quiet":
                uploaders = [Uploader(url, hostile, files[name], stop) for _ in range(args.uploaders)]
                for u in uploaders:
                    u.start()
                time.sleep(2)  # the uploads are being analysed when the alerts arrive
            chunk = slice(i * args.alerts, (i + 1) * args.alerts)
            responses, started = fire_alerts(url, women_headers[chunk], phones[chunk], args.spacing)
            stop.set()
            sms = sms_latencies(watcher, started)
            for u in uploaders:
                u.join(180)
            uploads = [s for u in uploaders for s in u.statuses]
            upload_s = [s for u in uploaders for s in u.seconds]
            extra = ""
            if uploads:
                extra = (f" | {len(uploads)} uploads, statuses {sorted(set(map(str, uploads)))}, "
                         f"median {statistics.median(upload_s):.1f} s")
            line = (f"{name:12s} alert response p50 {pct(responses, 50):6.0f} ms p95 {pct(responses, 95):6.0f} ms "
                    f"max {max(responses):6.0f} ms | SMS at moto p50 {pct(sms, 50):6.0f} ms "
                    f"p95 {pct(sms, 95):6.0f} ms max {max(sms):6.0f} ms{extra}")
            print(line, flush=True)
            lines.append(line)
        print("\n".join(["", "summary:"] + lines))
    finally:
        for proc in (server, worker, moto):
            if proc:
                proc.terminate()
                proc.wait(20)
        if watcher:
            watcher.stop.set()


if __name__ == "__main__":
    main()
