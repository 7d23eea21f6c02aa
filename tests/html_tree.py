"""An HTML page as a tree for tests, parsed by lxml: find elements by id, attribute or test id,
read their text with the text between children kept in order, and read a form's fields as a
browser sends them (lxml's ``form_values``)."""

from __future__ import annotations

import lxml.html
from lxml import etree


class Node:
    """An element with its attributes, its parent and its children in document order (text runs
    as strings between child elements): what the error-summary tests walk."""

    def __init__(self, element, parent: Node | None):
        self.element, self.parent = element, parent
        self.tag = element.tag if isinstance(element.tag, str) else "#comment"
        self.attrs = dict(element.attrib) if self.tag != "#comment" else {}
        self.children: list[Node | str] = [element.text] if element.text else []
        for child in element:
            if isinstance(child.tag, str):  # comments and processing instructions are not shown
                self.children.append(Node(child, self))
            if child.tail:
                self.children.append(child.tail)

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
        return self is ancestor or any(node is ancestor for node in self.ancestors())

    def ancestors(self):
        node = self.parent
        while node is not None:
            yield node
            node = node.parent


def parse(html: str | bytes) -> Node:
    document = lxml.html.document_fromstring(html)
    return Node(etree.ElementTree(document).getroot(), None)


def form_data(form: Node) -> dict[str, list[str]]:
    """What a browser would send for this form as it is shown (no submit button)."""
    data: dict[str, list[str]] = {}
    for name, value in form.element.form_values():
        data.setdefault(name, []).append(value)
    return data
