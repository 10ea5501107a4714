"""Griffe extension: render the reST-ish markup of bargainjax docstrings as Markdown.

The package's docstrings use ``:math:`...``` roles, ``.. math::`` blocks and cross-reference
roles (``:func:`name```).  mkdocstrings renders docstrings as Markdown, so before rendering this
extension rewrites them: inline math to ``\\( ... \\)`` and math blocks to ``\\[ ... \\]`` (both
typeset by ``pymdownx.arithmatex``), cross-reference roles to code spans.  The package files are
not changed.
"""

from __future__ import annotations

import re

import griffe

_INLINE_MATH = re.compile(r":math:`([^`]+)`")
_ROLE = re.compile(r":(?:class|func|meth|attr|data|mod|obj|exc|const|py:\w+):`~?([^`]+)`")
_BLOCK = re.compile(r"^(?P<indent>[ \t]*)\.\. math::[ \t]*(?P<first>.*)$")


def _blocks(text: str) -> str:
    lines = text.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _BLOCK.match(lines[i])
        if not m:
            out.append(lines[i])
            i += 1
            continue
        indent = m.group("indent")
        body = [m.group("first").strip()] if m.group("first").strip() else []
        i += 1
        # the block continues over lines indented deeper than the directive (or blank lines
        # followed by such lines)
        while i < len(lines):
            line = lines[i]
            if line.strip() == "":
                nxt = lines[i + 1] if i + 1 < len(lines) else ""
                if nxt.strip() and len(nxt) - len(nxt.lstrip()) > len(indent):
                    i += 1
                    continue
                break
            if len(line) - len(line.lstrip()) <= len(indent):
                break
            body.append(line.strip())
            i += 1
        if out and out[-1].strip():
            out.append("")
        out.append(f"{indent}\\[")
        out.extend(f"{indent}{b}" for b in body)
        out.append(f"{indent}\\]")
        out.append("")
    return "\n".join(out)


def rst_to_markdown(text: str) -> str:
    """The Markdown rendering of one docstring."""
    text = _blocks(text)
    text = _INLINE_MATH.sub(lambda m: "\\(" + m.group(1) + "\\)", text)
    text = _ROLE.sub(lambda m: "``" + m.group(1) + "``", text)
    return text


class RstMarkup(griffe.Extension):
    """Rewrite every loaded docstring once, before mkdocstrings parses its sections."""

    def on_object(self, *, obj, **kwargs) -> None:
        if obj.docstring is not None:
            obj.docstring.value = rst_to_markdown(obj.docstring.value)
