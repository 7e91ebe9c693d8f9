"""The forms of a rendered page, read the way a browser would submit them.

For tests that walk every form: each form's method, the URLs it posts to (its action
and any button's ``formaction``) and the values it would send as it stands.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin


@dataclass
class PageForm:
    method: str
    actions: list[str]
    #: (name, value) pairs in document order, as a browser sends them.
    values: list[tuple[str, str]] = field(default_factory=list)

    def field_names(self) -> list[str]:
        """Names a person can type into or choose (the CSRF token is not one)."""
        return sorted({name for name, _ in self.values if name != "csrf_token"})

    def data_with(self, name: str, value: str) -> dict[str, list[str] | str]:
        """The form's values with every ``name`` replaced by ``value``."""
        data: dict[str, list[str] | str] = {}
        for key, current in self.values:
            data.setdefault(key, [])
            data[key].append(value if key == name else current)  # type: ignore[union-attr]
        data.setdefault(name, [value])
        return data


class _FormCollector(HTMLParser):
    def __init__(self, page_url: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms: list[PageForm] = []
        self._form: PageForm | None = None
        self._textarea: str | None = None
        self._text: list[str] = []
        self._select: tuple[str, bool] | None = None  # name, multiple
        self._options: list[tuple[str, bool]] = []  # value, selected
        self._option: tuple[str | None, bool] | None = None
        self._option_text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attr = {key: value if value is not None else "" for key, value in attrs}
        if tag == "form":
            action = urljoin(self.page_url, attr.get("action") or self.page_url)
            self._form = PageForm((attr.get("method") or "get").lower(), [action])
            self.forms.append(self._form)
        form = self._form
        if form is None:
            return
        name = attr.get("name")
        if tag == "button" and attr.get("formaction"):
            form.actions.append(urljoin(self.page_url, attr["formaction"]))
        elif tag == "input" and name:
            kind = attr.get("type", "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in attr:
                    form.values.append((name, attr.get("value", "on")))
            elif kind not in ("submit", "button", "reset", "image", "file"):
                form.values.append((name, attr.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea, self._text = name, []
        elif tag == "select" and name:
            self._select, self._options = (name, "multiple" in attr), []
        elif tag == "option" and self._select:
            self._option, self._option_text = (attr.get("value"), "selected" in attr), []

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)
        if self._option is not None:
            self._option_text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.values.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None
        elif tag == "option" and self._option is not None:
            value, selected = self._option
            self._options.append(
                (value if value is not None else "".join(self._option_text), selected)
            )
            self._option = None
        elif tag == "select" and self._select is not None and self._form is not None:
            name, multiple = self._select
            chosen = [value for value, selected in self._options if selected]
            if not chosen and not multiple and self._options:
                chosen = [self._options[0][0]]
            self._form.values.extend((name, value) for value in chosen)
            self._select = None


def page_forms(html: str, page_url: str) -> list[PageForm]:
    """Every form on the page, with the values it would submit unchanged."""
    collector = _FormCollector(page_url)
    collector.feed(html)
    collector.close()
    return collector.forms
