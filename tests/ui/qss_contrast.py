"""WCAG contrast of the colours a Qt stylesheet gives each kind of widget, worked out from the sheet itself.

A tiny cascade, enough for our sheets: rules are matched by type (with Qt's
class inheritance), object name, `[property="value"]`, pseudo-states and
descendant selectors, ranked by CSS specificity with later rules winning
ties, as Qt's style sheet engine does. Every kind of widget the sheet styles
(the right-most part of each selector) is placed on each surface it can sit
on (the page, a card, a notice, an overlay box; or the ancestors its own
selector names) in each state the sheet mentions for it, and its text and
border colours are measured against the background it really shows.

Contrast is WCAG 2.x: (L1 + 0.05) / (L2 + 0.05) over relative luminance.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

TEXT_MIN = 4.5
BORDER_MIN = 3.0

_PARENTS = {
    "QLabel": "QFrame", "QFrame": "QWidget", "QStackedWidget": "QFrame", "QScrollArea": "QAbstractScrollArea",
    "QAbstractScrollArea": "QFrame", "QPlainTextEdit": "QAbstractScrollArea", "QTableWidget": "QAbstractScrollArea",
    "QListWidget": "QAbstractScrollArea", "QPushButton": "QAbstractButton", "QCheckBox": "QAbstractButton",
    "QAbstractButton": "QWidget", "QLineEdit": "QWidget", "QComboBox": "QWidget", "QDateEdit": "QWidget",
    "QMainWindow": "QWidget", "QScrollBar": "QWidget", "QHeaderView": "QWidget",
}
CONTROLS = {"QPushButton", "QCheckBox", "QLineEdit", "QComboBox", "QPlainTextEdit", "QDateEdit"}


def is_a(kind: str, ancestor: str) -> bool:
    while kind:
        if kind == ancestor:
            return True
        kind = _PARENTS.get(kind, "QWidget" if kind != "QWidget" else "")
    return False


# -- colours -----------------------------------------------------------------
Rgba = tuple[float, float, float, float]


def parse_colour(text: str) -> Rgba | None:
    text = text.strip().lower()
    if text == "transparent":
        return (0.0, 0.0, 0.0, 0.0)
    if re.fullmatch(r"#[0-9a-f]{6}", text):
        return (int(text[1:3], 16), int(text[3:5], 16), int(text[5:7], 16), 255.0)
    if re.fullmatch(r"#[0-9a-f]{3}", text):
        return tuple(int(c * 2, 16) for c in text[1:]) + (255.0,)  # type: ignore[return-value]
    match = re.fullmatch(r"rgba?\(([^)]*)\)", text)
    if match:
        parts = [float(p) for p in match.group(1).split(",")]
        return (parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else 255.0)
    named = {"white": (255, 255, 255), "black": (0, 0, 0)}
    if text in named:
        return named[text] + (255.0,)  # type: ignore[return-value]
    return None


def over(top: Rgba, below: Rgba) -> Rgba:
    """`top` painted over an opaque `below`."""
    a = top[3] / 255.0
    return (top[0] * a + below[0] * (1 - a), top[1] * a + below[1] * (1 - a), top[2] * a + below[2] * (1 - a), 255.0)


def luminance(colour: Rgba) -> float:
    def channel(value: float) -> float:
        c = value / 255.0
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Rgba, b: Rgba) -> float:
    la, lb = luminance(a), luminance(b)
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


def hex_of(colour: Rgba) -> str:
    return "#%02x%02x%02x" % tuple(round(v) for v in colour[:3])


# -- selectors and rules -----------------------------------------------------
@dataclass(frozen=True)
class Compound:
    kind: str = "*"
    name: str = ""
    props: tuple[tuple[str, str], ...] = ()
    states: frozenset[str] = frozenset()
    sub: str = ""

    @classmethod
    def parse(cls, text: str) -> "Compound":
        match = re.match(r"^([A-Za-z*][\w]*)?", text)
        kind = match.group(1) if match and match.group(1) else "*"
        rest = text[match.end():] if match else text
        name_match = re.search(r"#([\w]+)", rest)
        props = tuple(re.findall(r'\[(\w+)="([^"]*)"\]', rest))
        sub_match = re.search(r"::([\w-]+)", rest)
        states = frozenset(re.findall(r"(?<!:):([\w-]+)", re.sub(r"::[\w-]+", "", rest)))
        return cls(kind, name_match.group(1) if name_match else "", props, states,
                   sub_match.group(1) if sub_match else "")

    def matches(self, element: "Element", *, ancestor: bool = False) -> bool:
        if self.kind != "*" and not is_a(element.kind, self.kind):
            return False
        if self.name and element.name != self.name:
            return False
        if any(dict(element.props).get(k) != v for k, v in self.props):
            return False
        if ancestor:
            return not self.states and not self.sub
        return self.states <= element.states and self.sub == element.sub

    def specificity(self) -> tuple[int, int, int]:
        return (1 if self.name else 0, len(self.props) + len(self.states), (self.kind != "*") + bool(self.sub))


@dataclass(frozen=True)
class Selector:
    parts: tuple[Compound, ...]

    def matches(self, element: "Element") -> bool:
        if not self.parts[-1].matches(element):
            return False
        chain = list(element.ancestors)
        for part in reversed(self.parts[:-1]):
            while chain and not part.matches(chain[-1], ancestor=True):
                chain.pop()
            if not chain:
                return False
            chain.pop()
        return True

    def specificity(self) -> tuple[int, int, int]:
        totals = [p.specificity() for p in self.parts]
        return (sum(t[0] for t in totals), sum(t[1] for t in totals), sum(t[2] for t in totals))


@dataclass(frozen=True)
class Rule:
    selector: Selector
    decls: dict[str, str]
    order: int


def parse_sheet(text: str) -> list[Rule]:
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    rules: list[Rule] = []
    for selectors, body in re.findall(r"([^{}]+)\{([^{}]*)\}", text):
        decls = {}
        for decl in body.split(";"):
            if ":" in decl:
                key, value = decl.split(":", 1)
                decls[key.strip().lower()] = value.strip()
        for selector in selectors.split(","):
            parts = tuple(Compound.parse(p) for p in selector.replace(">", " ").split())
            if parts:
                rules.append(Rule(Selector(parts), decls, len(rules)))
    return rules


# -- elements and what they show ----------------------------------------------
@dataclass(frozen=True)
class Element:
    kind: str
    name: str = ""
    props: tuple[tuple[str, str], ...] = ()
    states: frozenset[str] = frozenset()
    sub: str = ""
    ancestors: tuple["Element", ...] = ()

    def describe(self) -> str:
        props = "".join(f'[{k}="{v}"]' for k, v in self.props)
        states = "".join(f":{s}" for s in sorted(self.states))
        inside = " in " + " > ".join(a.describe() for a in self.ancestors) if self.ancestors else ""
        return f"{self.kind}{'#' + self.name if self.name else ''}{props}{'::' + self.sub if self.sub else ''}" \
               f"{states}{inside}"


@dataclass
class Style:
    values: dict[str, str] = field(default_factory=dict)

    def colour(self, key: str) -> Rgba | None:
        return parse_colour(self.values[key]) if key in self.values else None


def computed(rules: list[Rule], element: Element) -> Style:
    """The declarations that win for `element` (shorthands `border` and `background` expanded)."""
    matching = sorted((r for r in rules if r.selector.matches(element)),
                      key=lambda r: (r.selector.specificity(), r.order))
    style = Style()
    for rule in matching:
        for key, value in rule.decls.items():
            if key in ("background", "background-color"):
                style.values["background"] = value
            elif key == "border":
                if value.strip() in ("none", "0"):
                    style.values["border-width"] = "0"
                    continue
                colour = re.search(r"(#[0-9a-fA-F]{3,6}|rgba?\([^)]*\)|transparent|\bwhite\b|\bblack\b)", value)
                width = re.search(r"(\d+)px", value)
                if colour:
                    style.values["border-color"] = colour.group(1)
                if width:
                    style.values["border-width"] = width.group(1)
            elif key == "border-color":
                style.values["border-color"] = value
            else:
                style.values[key] = value
    return style


def background_of(rules: list[Rule], element: Element) -> Rgba:
    """The opaque colour behind `element`'s text: its own background over its ancestors'."""
    layers = [element, *reversed(element.ancestors)]
    stack = []
    for layer in layers:
        colour = computed(rules, layer).colour("background")
        if colour is not None and colour[3] > 0:
            stack.append(colour)
            if colour[3] >= 255:
                break
    result: Rgba = (255.0, 255.0, 255.0, 255.0)  # the window's own palette is white if nothing else paints
    for colour in reversed(stack):
        result = over(colour, result)
    return result


def surfaces(rules: list[Rule]) -> list[tuple[Element, ...]]:
    """The places a widget can sit: the page, and the page's framed boxes that paint their own background."""
    page = (Element("QMainWindow", "kioskRoot"), Element("QScrollArea"), Element("QWidget", "scrollBody"))
    places = [page]
    for rule in rules:
        last = rule.selector.parts[-1]
        fill = parse_colour(rule.decls.get("background", ""))
        if len(rule.selector.parts) == 1 and last.kind == "QFrame" and last.props and not last.states \
                and fill is not None and fill[3] >= 255:
            places.append(page + (Element("QFrame", props=last.props),))
    return places


def elements(rules: list[Rule]) -> list[Element]:
    """Every kind of widget the sheet styles, in each state it names, on each place it can sit."""
    found: dict[tuple[object, ...], Element] = {}
    places = surfaces(rules)
    for rule in rules:
        parts = rule.selector.parts
        last = parts[-1]
        if last.kind in ("QWidget", "QMainWindow", "QStackedWidget", "QScrollArea", "*") and not last.props:
            continue  # containers: the backgrounds, not things with text of their own
        if last.kind in ("QScrollBar",) or last.sub in ("add-line", "sub-line", "handle", "indicator"):
            continue
        if len(parts) > 1:
            contexts = [tuple(Element(p.kind if p.kind != "*" else "QWidget", p.name, p.props) for p in parts[:-1])]
        else:
            contexts = places
        for context in contexts:
            element = Element(last.kind, last.name, last.props, last.states, last.sub, context)
            found.setdefault((element.kind, element.name, element.props, element.states, element.sub,
                              element.ancestors), element)
            if last.states:  # the state's plain form too
                plain = Element(last.kind, last.name, last.props, frozenset(), last.sub, context)
                found.setdefault((plain.kind, plain.name, plain.props, plain.states, plain.sub, plain.ancestors),
                                 plain)
    # every element in every state the sheet names for its type, so a state rule that forgets the role's colour
    # (a disabled primary button) is seen
    states_by_kind: dict[str, set[frozenset[str]]] = {}
    for rule in rules:
        last = rule.selector.parts[-1]
        if last.states:
            states_by_kind.setdefault(last.kind, set()).add(last.states)
    for element in list(found.values()):
        for kind, state_sets in states_by_kind.items():
            if is_a(element.kind, kind) and not element.states:
                for states in state_sets:
                    extra = Element(element.kind, element.name, element.props, states, element.sub, element.ancestors)
                    found.setdefault((extra.kind, extra.name, extra.props, extra.states, extra.sub, extra.ancestors),
                                     extra)
    return list(found.values())


@dataclass(frozen=True)
class Finding:
    what: str
    element: str
    fg: str
    bg: str
    ratio: float
    needed: float

    def __str__(self) -> str:
        return f"{self.what} {self.fg} on {self.bg} = {self.ratio:.2f}:1 < {self.needed}:1 for {self.element}"


def measure(rules: list[Rule]) -> tuple[list[Finding], int]:
    """Every text and control border pair below its threshold, and how many pairs were measured."""
    failures: list[Finding] = []
    measured = 0
    for element in elements(rules):
        style = computed(rules, element)
        behind = background_of(rules, element)
        text = style.colour("color")
        if text is not None and text[3] > 0 and element.kind != "QFrame":  # a bare frame holds widgets, not text
            measured += 1
            ratio = contrast(over(text, behind), behind)
            if ratio < TEXT_MIN:
                failures.append(Finding("text", element.describe(), hex_of(text), hex_of(behind), ratio, TEXT_MIN))
        placeholder = style.colour("placeholder-text-color")
        if placeholder is not None:  # a field's example ("如 2026-01-31") is an instruction too
            measured += 1
            fill = style.colour("background")
            field_bg = over(fill, behind) if fill is not None else behind
            ratio = contrast(placeholder, field_bg)
            if ratio < TEXT_MIN:
                failures.append(Finding("placeholder", element.describe(), hex_of(placeholder), hex_of(field_bg),
                                        ratio, TEXT_MIN))
        selection = style.colour("selection-color"), style.colour("selection-background-color")
        if selection[0] is not None and selection[1] is not None:
            measured += 1
            ratio = contrast(selection[0], over(selection[1], behind))
            if ratio < TEXT_MIN:
                failures.append(Finding("selected text", element.describe(), hex_of(selection[0]),
                                        hex_of(selection[1]), ratio, TEXT_MIN))
        border = style.colour("border-color")
        width = style.values.get("border-width", "0")
        is_boxed = element.kind in CONTROLS or (element.kind == "QFrame" and dict(element.props).get("role") == "card")
        if is_boxed and border is not None and border[3] > 0 and width not in ("0", ""):
            surface = background_of(rules, Element("QWidget", ancestors=element.ancestors)) if element.ancestors \
                else (255.0, 255.0, 255.0, 255.0)
            own = style.colour("background")
            fill = over(own, surface) if own is not None else surface
            measured += 1
            ratio = max(contrast(over(border, surface), surface), contrast(fill, surface))
            if ratio < BORDER_MIN:
                failures.append(Finding("border", element.describe(), hex_of(border), hex_of(surface), ratio,
                                        BORDER_MIN))
    return failures, measured


def scroll_handles(rules: list[Rule]) -> list[Finding]:
    """A scroll bar's handle is the control a finger drags: 3:1 against its track."""
    failures = []
    for sub_kind in ("vertical", "horizontal"):
        track = computed(rules, Element("QScrollBar", states=frozenset({sub_kind}))).colour("background")
        handle = computed(rules, Element("QScrollBar", sub="handle", states=frozenset({sub_kind}))).colour("background")
        if track is None or handle is None:
            continue
        ratio = contrast(handle, track)
        if ratio < BORDER_MIN:
            failures.append(Finding("scroll handle", f"QScrollBar:{sub_kind}", hex_of(handle), hex_of(track), ratio,
                                    BORDER_MIN))
    return failures
