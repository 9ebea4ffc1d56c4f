"""Every task module: importing ``tasks`` registers all tasks on the queue port's instance
(``penhas_api.core.queue.huey``), so services can enqueue them by name. Each door imports it once.
Run the consumer with ``penhas worker`` (the only process that runs periodic tasks).
"""
# Task modules register themselves on the queue's Huey instance when imported; keep this list complete.
from tasks import base  # noqa: F401
from tasks import operations  # noqa: F401
from tasks import audio  # noqa: F401
from tasks import sms  # noqa: F401
from tasks import accounts  # noqa: F401
from tasks import guardians  # noqa: F401
from tasks import jobs  # noqa: F401  (last: its table of retryable tasks names tasks of the modules above)
