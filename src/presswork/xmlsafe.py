"""Untrusted XML (CSL styles, SVG images, the JATS check) parsed one way: no DTD loaded, no
entity resolved, no network, no huge trees (lxml's defaults would allow external entities)."""

from __future__ import annotations

from typing import Any


def parser(**options: Any) -> Any:
    """An lxml XMLParser with the safe settings; `options` adds others (remove_comments...)."""
    from lxml import etree

    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        dtd_validation=False,
        huge_tree=False,
        **options,
    )
