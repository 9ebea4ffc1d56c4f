"""Metadata is in setup.cfg. The build step also copies ``sql/`` and ``fixtures/`` into the package
(``penhas_api/_shipped/``), so a built install can migrate and seed without the checkout (core/shipped.py)."""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

SHIPPED = ("sql", "fixtures")


class BuildWithData(build_py):
    def run(self):
        super().run()
        root = Path(__file__).resolve().parent
        for name in SHIPPED:
            target = Path(self.build_lib) / "penhas_api" / "_shipped" / name
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(root / name, target)


setup(cmdclass={"build_py": BuildWithData})
