"""A small HTML tree for tests, on the standard library's parser (no dependency): find
elements by id, attribute or test id, read their text, and read a form's fields as a browser
would send them."""

from __future__ import annotations

from html.parser import HTMLParser

VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
    "track", "wbr",
}  # fmt: skip


class Node:
    def __init__(self, tag: str, attrs: dict, parent: Node | None):
        self.tag, self.attrs, self.parent = tag, attrs, parent
        self.children: list[Node | str] = []

    def __repr__(self) -> str:
        return f"<{self.tag} {self.attrs}>"

    @property
    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text for c in self.children)

    def iter(self):
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, predicate) -> list[Node]:
        return [node for node in self.iter() if predicate(node)]

    def by_id(self, element_id: str) -> list[Node]:
        return self.find_all(lambda n: n.attrs.get("id") == element_id)

    def by_attr(self, name: str, value: str | None = None) -> list[Node]:
        return self.find_all(
            lambda n: name in n.attrs and (value is None or n.attrs[name] == value)
        )

    def inside(self, ancestor: Node) -> bool:
        node = self
        while node is not None:
            if node is ancestor:
                return True
            node = node.parent
        return False

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


class _Builder(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {}, None)
        self.current = self.root

    def handle_starttag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(node)
        if tag not in VOID:
            self.current = node

    def handle_startendtag(self, tag, attrs):
        node = Node(tag, {k: (v if v is not None else "") for k, v in attrs}, self.current)
        self.current.children.append(node)

    def handle_endtag(self, tag):
        node = self.current
        while node is not self.root and node.tag != tag:
            node = node.parent
        if node is not self.root:
            self.current = node.parent

    def handle_data(self, data):
        self.current.children.append(data)


def parse(html: str | bytes) -> Node:
    builder = _Builder()
    builder.feed(html.decode() if isinstance(html, bytes) else html)
    builder.close()
    return builder.root


def form_data(form: Node) -> dict[str, list[str]]:
    """What a browser would send for this form as it is shown (no submit button)."""
    data: dict[str, list[str]] = {}
    for node in form.iter():
        name = node.attrs.get("name")
        if not name or "disabled" in node.attrs:
            continue
        if node.tag == "input":
            kind = node.attrs.get("type", "text")
            if kind in {"submit", "button", "file", "reset", "image"}:
                continue
            if kind in {"checkbox", "radio"}:
                if "checked" in node.attrs:
                    data.setdefault(name, []).append(node.attrs.get("value", "on"))
                continue
            data.setdefault(name, []).append(node.attrs.get("value", ""))
        elif node.tag == "textarea":
            data.setdefault(name, []).append(node.text.lstrip("\n"))
        elif node.tag == "select":
            options = node.find_all(lambda n: n.tag == "option")
            chosen = [o for o in options if "selected" in o.attrs]
            if not chosen and options and "multiple" not in node.attrs:
                chosen = options[:1]
            for option in chosen:
                data.setdefault(name, []).append(option.attrs.get("value", option.text))
    return data
