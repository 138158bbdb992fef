"""Is this file an SVG image? Decided by parsing it as XML, never by searching for "<svg".

An SVG may begin with an XML declaration, comments, processing instructions or a DOCTYPE
(Inkscape and Illustrator write all of these); what makes it an SVG is that its root element
is `svg`. The parser resolves no entity, loads no DTD and touches no network, so a hostile
file can neither expand entities nor make us read another file.
"""

from __future__ import annotations

from lxml import etree

_ROOTS = ("svg", "{http://www.w3.org/2000/svg}svg")
_CHUNK = 1 << 16


def is_svg(data: bytes) -> bool:
    """Whether `data` is a well-formed XML document whose root element is <svg>."""
    parser = etree.XMLPullParser(
        events=("start",),
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
    )
    root: str | None = None
    try:
        for at in range(0, len(data), _CHUNK):
            parser.feed(data[at : at + _CHUNK])
            if root is None:
                for _, element in parser.read_events():
                    root = str(element.tag)
                    break
            if root is not None and root not in _ROOTS:
                return False  # another kind of XML (an HTML page holding an <svg>, say)
        parser.close()
    except etree.XMLSyntaxError:
        return False
    if root is None:
        for _, element in parser.read_events():
            root = str(element.tag)
            break
    return root in _ROOTS
