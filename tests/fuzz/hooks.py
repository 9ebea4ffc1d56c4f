"""Schemathesis hooks (SCHEMATHESIS_HOOKS=tests.fuzz.hooks): a real session for the fuzzed requests, and ids of
rows that exist, so part of the cases reach past "not found".

The token comes from POST /login with the woman the driver created; it is fetched again every minute and after a
403 (a fuzzed POST /logout ends every session of the account, which must not blind the rest of the run).
"""
import os
import threading
import zlib

import requests
import schemathesis
from hypothesis.internal import lambda_sources

# The AST constructor of CPython 3.11.7 (this machine's) tracks its recursion depth per interpreter, not per
# thread (python/cpython#106905): hypothesis parsing lambda sources in two schemathesis workers at once then fails the
# operation with "AST constructor recursion depth mismatch", an error of the tool, not of the API. One at a time.
_parse_lock = threading.Lock()
_lambda_description = lambda_sources.lambda_description


def _serialised_lambda_description(f):
    with _parse_lock:
        return _lambda_description(f)


lambda_sources.lambda_description = _serialised_lambda_description


@schemathesis.auth(refresh_interval=60, retry_on=[403])
class PenhasSession:
    def get(self, case, ctx):
        r = requests.post(f"{os.environ['PENHAS_FUZZ_URL']}/login", params={"app_version": "fuzz"},
                          data={"email": os.environ["PENHAS_FUZZ_EMAIL"], "senha": os.environ["PENHAS_FUZZ_PASSWORD"]},
                          timeout=10)
        r.raise_for_status()
        return r.json()["session"]

    def set(self, case, data, ctx):
        case.headers = {**(case.headers or {}), "X-Api-Key": data}


# Parameter → (environment variable of the seeded row's id, or a shipped file name). Every other drawn value is
# replaced, so half the cases still carry what the generator drew.
_KNOWN = {
    "cliente_id": lambda: os.environ["PENHAS_FUZZ_CLIENTE_ID"],
    "ponto_apoio_id": lambda: os.environ["PENHAS_FUZZ_CENTER_ID"],
    "name": lambda: "padrao.svg",
    "filename": lambda: "avatar/padrao.svg",
}


def _steer(values):
    if not values:
        return values
    for name, known in _KNOWN.items():
        # crc32, not hash(): str hashes change between processes, and a seed must replay the same cases.
        if name in values and zlib.crc32(str(values[name]).encode()) % 2 == 0:
            values[name] = known()
    return values


@schemathesis.hook
def map_query(ctx, query):
    return _steer(query)


@schemathesis.hook
def map_path_parameters(ctx, path_parameters):
    return _steer(path_parameters)
