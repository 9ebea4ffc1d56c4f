"""Retries with exponential backoff for calls to outside systems."""
import random
import time


def with_backoff(fn, *, attempts: int = 3, base_delay: float = 0.2, max_delay: float = 5.0,
                 retry_on: tuple = (Exception,), sleep=time.sleep):
    """Call ``fn()`` up to ``attempts`` times; re-raise the last error."""
    for attempt in range(1, attempts + 1):
        try:
            return fn()
        except retry_on:
            if attempt == attempts:
                raise
            delay = min(max_delay, base_delay * 2 ** (attempt - 1))
            sleep(delay * (0.5 + random.random() / 2))
