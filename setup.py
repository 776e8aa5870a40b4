"""The package build's one step beyond setuptools: compile the translations.

Every ``src/tutela/locale/<language>/LC_MESSAGES/*.po`` becomes the ``.mo`` beside it before
the package's files are copied, so ``pip install .`` (a wheel) and ``pip install -e .`` (the
development install) both carry working catalogues. Babel, a pure-Python compiler named in
``build-system.requires``, does it: the build needs no GNU gettext on the machine. A fuzzy or
empty translation is left out of the ``.mo`` (the English text shows), as GNU msgfmt does.
"""

from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = Path(__file__).resolve().parent / "src" / "tutela" / "locale"


def compile_catalogues(locale: Path = LOCALE) -> list[Path]:
    """Write each ``.po`` file's ``.mo``; the ``.mo`` files written."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    written = []
    for po in sorted(locale.glob("*/LC_MESSAGES/*.po")):
        with po.open("rb") as source:
            catalogue = read_po(source, locale=po.parent.parent.name)
        mo = po.with_suffix(".mo")
        with mo.open("wb") as target:
            write_mo(target, catalogue, use_fuzzy=False)
        written.append(mo)
    return written


class BuildWithTranslations(build_py):
    """``build_py`` that compiles the catalogues first (an editable install runs it too)."""

    def run(self) -> None:
        compile_catalogues()
        super().run()


setup(cmdclass={"build_py": BuildWithTranslations})
