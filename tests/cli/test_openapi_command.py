"""`penhas openapi`: the same document GET /openapi.json serves, written without a database or secrets."""
import json

from penhas_api.openapi import build_document
from tests.commands import penhas


def test_writes_the_served_document_without_touching_a_data_dir(app, tmp_path):
    out = tmp_path / "openapi.json"
    data_dir = tmp_path / "never-created"
    r = penhas("openapi", "--output", str(out), PENHAS_DATA_DIR=str(data_dir), DATABASE_URL=None, SECRET_KEY=None)
    assert r.returncode == 0, r.stderr
    assert "operations" in r.stdout
    assert json.loads(out.read_text()) == json.loads(json.dumps(build_document(app)))
    assert not data_dir.exists()


def test_prints_to_stdout_by_default(tmp_path):
    r = penhas("openapi", PENHAS_DATA_DIR=str(tmp_path / "none"))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["openapi"] == "3.1.0"
