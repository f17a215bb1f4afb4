"""Reading rendered HTML as a browser does: the colour of each text against what is behind it
(WCAG 2's contrast ratio) and the size of every text that holds a link.

The markup is parsed by html5lib (the WHATWG parsing algorithm) and the inline styles by
tinycss2; colour and size cascade from parent to child as in a browser, and hidden parts
(`display:none`, such as a preheader) are not read. Only the CSS our mails use is understood:
anything else fails loudly rather than being skipped.
"""

from __future__ import annotations

from dataclasses import dataclass

import html5lib
import tinycss2
from tinycss2.color3 import parse_color

NOT_RENDERED = {"head", "title", "style", "script", "meta", "link"}


@dataclass(frozen=True)
class Style:
    """What a text inherits: its colour and background (RGB, 0..1), its size in px."""

    color: tuple[float, float, float] = (0.0, 0.0, 0.0)
    background: tuple[float, float, float] = (1.0, 1.0, 1.0)
    size: float = 16.0
    hidden: bool = False


@dataclass(frozen=True)
class Text:
    """One piece of visible text, the element holding it, and its computed style."""

    text: str
    tag: str
    style: Style


@dataclass(frozen=True)
class Link:
    """A link, with its own size and the size of the text around it."""

    href: str
    size: float
    surrounding_size: float


def luminance(rgb: tuple[float, float, float]) -> float:
    """WCAG 2 relative luminance of an sRGB colour."""
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(one: tuple[float, float, float], other: tuple[float, float, float]) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 to 21."""
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def read(markup: str) -> tuple[list[Text], list[Link]]:
    """The visible texts and the links of an HTML document, each with its computed style."""
    root = html5lib.parse(markup, namespaceHTMLElements=False)
    texts: list[Text] = []
    links: list[Link] = []
    _walk(root, Style(), Style(), texts, links)
    return texts, links


def _walk(element, style: Style, parent: Style, texts: list, links: list) -> None:
    tag = element.tag if isinstance(element.tag, str) else ""
    if tag in NOT_RENDERED:
        return
    style = _computed(element, style)
    if style.hidden:
        return
    if tag == "a":
        links.append(Link(element.get("href", ""), style.size, parent.size))
    if element.text and element.text.strip():
        texts.append(Text(element.text.strip(), tag, style))
    for child in element:
        _walk(child, style, style, texts, links)
        if child.tail and child.tail.strip():
            texts.append(Text(child.tail.strip(), tag, style))


def _computed(element, inherited: Style) -> Style:
    values = {"bgcolor": element.get("bgcolor")} if element.get("bgcolor") else {}
    for item in tinycss2.parse_blocks_contents(element.get("style", "")):
        if item.type == "declaration":
            values[item.lower_name] = item.value
        elif item.type == "error":
            raise AssertionError(f"unreadable style on <{element.tag}>: {item.message}")
    color, background, size = inherited.color, inherited.background, inherited.size
    hidden = inherited.hidden
    for name, value in values.items():
        if name == "color":
            color = _color(value, name)
        elif name in ("background", "background-color", "bgcolor"):
            background = _color(value, name)
        elif name == "font-size":
            size = _size(value, inherited.size)
        elif name == "display":
            hidden = hidden or tinycss2.serialize(value).strip() == "none"
    return Style(color, background, size, hidden)


def _color(value, name: str) -> tuple[float, float, float]:
    tokens = value if isinstance(value, list) else [value]
    for token in tokens:
        if getattr(token, "type", "") in ("whitespace", "comment"):
            continue
        found = parse_color(token)
        if found is not None and found != "currentColor":
            if found.alpha < 1:
                raise AssertionError(f"translucent {name}: the check assumes opaque colours")
            return (found.red, found.green, found.blue)
    raise AssertionError(f"no colour in {name}: {tinycss2.serialize(tokens)!r}")


def _size(value, inherited: float) -> float:
    [token] = [t for t in value if t.type not in ("whitespace", "comment")]
    if token.type == "dimension" and token.lower_unit == "px":
        return float(token.value)
    if token.type == "dimension" and token.lower_unit == "em":
        return float(token.value) * inherited
    if token.type == "percentage":
        return float(token.value) * inherited / 100
    raise AssertionError(f"font-size the check cannot read: {tinycss2.serialize(value)!r}")


def problems(markup: str, ratio: float = 4.5, link_size: float = 14.0) -> list[str]:
    """Every text below `ratio` against its background, every link or its text below `link_size`."""
    texts, links = read(markup)
    found = [
        f"{t.text[:40]!r} in <{t.tag}>: contrast {contrast(t.style.color, t.style.background):.2f}"
        for t in texts
        if contrast(t.style.color, t.style.background) < ratio
    ]
    found += [
        f"link {link.href[:50]!r}: {link.size:g} px in text of {link.surrounding_size:g} px"
        for link in links
        if min(link.size, link.surrounding_size) < link_size
    ]
    return found
