"""The OpenAPI fuzzer run by .ci/run: schemathesis against a real `penhas serve` on the embedded default."""
