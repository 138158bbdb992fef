"""TeX math: which formulas presswork can typeset (shared by lint and build), and SVG for PDF.

HTML and EPUB carry pandoc's MathML, which readers lay out; WeasyPrint does not, so the
print page gets each formula as an SVG drawn by ziamath (pure Python, its own STIX Two Math
font, glyphs as paths). A formula is supported when pandoc's TeX reader (texmath) turns it
into MathML and ziamath knows every element of that MathML; `problems` says which are not,
and both `presswork lint` (math/unsupported) and the PDF use that one definition.
"""

from __future__ import annotations

from presswork.math.svg import formulas_as_svg, render
from presswork.math.tex import problems

__all__ = ["formulas_as_svg", "problems", "render"]
