"""Where the data files that ship with the code are: ``sql/`` (migrations) and ``fixtures/`` (seed data).

In a checkout (and an editable install) they sit at the project root next to the packages. A built install
(``pip install .``, a wheel) carries copies inside the package, under ``penhas_api/_shipped/`` (setup.py's
build step puts them there), so migrating works from any directory without the checkout.
"""
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parents[1]


def shipped_dir(name: str) -> Path:
    packaged = _PACKAGE / "_shipped" / name
    return packaged if packaged.is_dir() else _PACKAGE.parent / name
