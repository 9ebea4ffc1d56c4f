"""Helpers for guardian/SMS tests: switching the SMS provider, running Huey's scheduled retries, reading moto."""
import os
import random
import socket
from contextlib import contextmanager
from datetime import datetime, timedelta

import requests

from penhas_api.core.settings import load_settings, reset_settings


def closed_port_url() -> str:
    """An endpoint where nothing listens: every SNS call fails at connect time, like an outage."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}"


@contextmanager
def sms_provider(backend: str, endpoint: str | None = None):
    env = dict(os.environ, SMS_BACKEND=backend, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test")
    if endpoint:
        env["SNS_ENDPOINT_URL"] = endpoint
    reset_settings(load_settings(env))
    try:
        yield
    finally:
        reset_settings(None)


def run_scheduled_retries(max_rounds: int = 20) -> list:
    """Run Huey's own retry schedule to exhaustion, each retry at the moment it falls due, as a consumer would.

    Immediate mode (the tests' default) runs a task at once but parks its retries in the schedule; this pulls
    them out and executes them, so Huey's real retry and backoff bookkeeping is what is exercised.
    Returns the waits (seconds) between an attempt and its retry.
    """
    from penhas_api.core.queue import huey

    waits = []
    for _ in range(max_rounds):
        due = huey.read_schedule(datetime.utcnow() + timedelta(days=1))
        if not due:
            return waits
        for task in due:
            # Huey scheduled this retry `delay` after the failure and already multiplied the delay for the next.
            waits.append(task.retry_delay / task.retry_backoff)
            huey.execute(task, task.eta)
    raise AssertionError("retries never ended")


def random_mobile() -> str:
    return f"+55119{random.randint(1000, 9999)}{random.randint(1000, 9999)}"


def moto_sms(endpoint: str) -> list[dict]:
    """Every SMS moto_server accepted through SNS Publish: {message, message_id, phone_number}."""
    return requests.get(f"{endpoint}/moto-api/data.json", timeout=5).json().get("sns", {}).get("SMS", [])


def add_guardian(client, headers, celular: str, accept: bool = True) -> int:
    """Invite ``celular`` through the API and, unless ``accept`` is false, accept on the guardian's page."""
    from penhas_api.core.models import Guardian

    gid = client.post("/me/guardioes", query_string={"nome": f"G {celular[-4:]}", "celular": celular},
                      headers=headers).get_json()["data"]["id"]
    if accept:
        token = Guardian.get_by_id(gid).token
        assert client.post("/web/guardiao", query_string={"token": token, "action": "accept"}).status_code == 200
    return gid
