"""Checks a view makes before its declared parameters are validated.

``@declare`` validates the parameters before the view runs. Some routes answered a missing module, a per-user
rate limit or a malformed URL argument before looking at their parameters, and which error wins is part of the
contract (backend-rules §2.0): ``@before(check)`` goes between the auth decorator and ``@declare`` and keeps that
order. ``check`` gets the URL arguments as keyword arguments.
"""
from functools import wraps
from typing import Callable


def before(check: Callable[..., None]):
    def decorate(view):
        @wraps(view)  # copies the declaration up, as @declare's own wrapper does
        def wrapper(*args, **kwargs):
            check(**kwargs)
            return view(*args, **kwargs)

        return wrapper

    return decorate
