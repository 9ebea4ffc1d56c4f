"""`penhas openapi`: the API's OpenAPI 3.1 document, for client developers (the same one GET /openapi.json serves)."""
from pathlib import Path

import orjson
import typer

from penhas_cli.output import console


def openapi(
    output: Path = typer.Option(None, "--output", "-o", help="Write the document to this file instead of stdout.",
                                dir_okay=False, writable=True),
):
    """Write the API's OpenAPI 3.1 document (JSON), generated from the routes' own declarations.

    Needs no database or secrets: it describes the routes, it does not serve them.
    Feed it to a client generator, Swagger UI or schemathesis (docs/api.md).

    Example: penhas openapi --output openapi.json
    """
    from penhas_api.routes import routes_app
    from penhas_api.openapi import build_document

    document = build_document(routes_app())
    body = orjson.dumps(document, option=orjson.OPT_INDENT_2) + b"\n"
    if output is None:
        typer.echo(body.decode(), nl=False)
        return
    output.write_bytes(body)
    operations = sum(len(ops) for ops in document["paths"].values())
    console.print(f"wrote {output} ({len(document['paths'])} paths, {operations} operations)")
