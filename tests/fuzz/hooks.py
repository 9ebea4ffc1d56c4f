"""Schemathesis hooks (SCHEMATHESIS_HOOKS=tests.fuzz.hooks): a real session for the fuzzed requests.

The token comes from POST /login with the woman the driver created; it is fetched again every minute and after a
403 (a fuzzed POST /logout ends every session of the account, which must not blind the rest of the run).
"""
import os

import requests
import schemathesis


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
