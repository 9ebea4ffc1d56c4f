"""`penhas worker` plus one every-minute periodic job that leaves an audit row per execution.

Started twice by test_periodic_consumers.py: both schedulers enqueue the probe for the same minute, and the
audit rows show how many times it really ran.
"""
import time

from huey import crontab

from penhas_api.core.audit import audit
from tasks.base import periodic_job


@periodic_job("test.probe", crontab())
def probe():
    """Leave one audit row per execution."""
    audit("test.probe", actor="probe")
    time.sleep(0.5)  # long enough for the other consumer's copy to arrive while this one runs


if __name__ == "__main__":
    from penhas_cli.main import app

    app(["worker", "--threads", "2"])
