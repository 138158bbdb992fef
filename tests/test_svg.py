"""SVG images are recognised by parsing them, whatever comes before the root element."""

from __future__ import annotations

import pytest

from presswork.sanitize import image_type

DOCTYPE = (
    b'<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
    b'"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">\n'
)
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"><rect/></svg>'

CASES = {
    "bare": (SVG, True),
    "no namespace": (b"<svg/>", True),
    "declaration, comment and DOCTYPE first (Inkscape, Illustrator)": (
        b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8" standalone="no"?>\n'
        b"<!-- Created with a drawing program -->\n" + DOCTYPE + SVG,
        True,
    ),
    "internal entities, as Illustrator declares them, are not expanded": (
        b'<!DOCTYPE svg [<!ENTITY ns_svg "http://www.w3.org/2000/svg">'
        b'<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        b"<svg><text>&b;</text></svg>",
        True,
    ),
    "UTF-16": ('<?xml version="1.0" encoding="UTF-16"?><svg/>'.encode("utf-16"), True),
    "a long comment before the root": (b"<!--" + b"x" * 200_000 + b"-->" + SVG, True),
    "an HTML page holding an svg": (b"<html><body>" + SVG + b"</body></html>", False),
    "text that mentions <svg later": (b"Notes on drawing: <svg/> is the root.", False),
    "a comment, then another root": (b"<?xml version='1.0'?><!-- x --><doc><svg/></doc>", False),
    "broken XML": (b"<svg><g></svg>", False),
    "empty": (b"", False),
}


@pytest.mark.parametrize("name", list(CASES))
def test_svg_by_parsing(name: str) -> None:
    data, expected = CASES[name]
    assert (image_type(data) == "image/svg+xml") is expected
