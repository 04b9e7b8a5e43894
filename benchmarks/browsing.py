"""What a browser does with the workbench's pages, for the load test (no locust here, so tests can import it).

- `edit_links`: the edit URLs of the rows on a step page, built as static/js/app.js builds
  them (the surface's data-rows-url plus a row's data-row plus "edit/");
- `block_links`: the links that open the other blocks of a step that shows one block at a time;
- `form_values`: the values a browser submits for the first form of an HTML fragment;
- `edited`: those values with another priority where the row has one;
- `save_outcome`: what a row save answered: saved (the row), conflict (the form again with the
  colleague's values: the app's designed answer to a concurrent save) or invalid (the form again
  without them: the input was refused).
"""

import re
from html.parser import HTMLParser

ROWS_URL = re.compile(r'data-rows-url="([^"]+)"')
ROW = re.compile(r'data-row="([\w-]+/[\w-]+)"')
BLOCK_LINK = re.compile(r'href="\?(?:workshop=1&amp;)?open=(\d+)#')
STATUS_LINK = re.compile(r"/projects/\d+/reports/(\d+)/status/")
ROW_FORM = 'class="row-form'
CONFLICT_MARK = "conflict-value"  # only the conflict answer shows the colleague's saved values


def edit_links(html: str) -> list[str]:
    rows_url = ROWS_URL.search(html)
    if not rows_url:
        return []
    return [f"{rows_url.group(1)}{row}/edit/" for row in ROW.findall(html)]


def block_links(html: str) -> list[str]:
    """The query strings that open each closed block of a step page (?open=<block id>)."""
    return [f"?open={block}" for block in dict.fromkeys(BLOCK_LINK.findall(html))]


def save_outcome(html: str) -> str:
    if ROW_FORM not in html:
        return "saved"
    return "conflict" if CONFLICT_MARK in html else "invalid"


class FormValues(HTMLParser):
    """The values a browser would submit for the first form in an HTML fragment."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.action = None
        self.values: list[tuple[str, str]] = []
        self.choices: dict[str, list[str]] = {}
        self._select = None
        self._selected: list[str] = []
        self._multiple = False
        self._textarea = None
        self._text: list[str] = []
        self._done = False

    def handle_starttag(self, tag, attrs):
        if self._done:
            return
        attrs = dict(attrs)
        if tag == "form" and self.action is None:
            self.action = attrs.get("action")
        elif tag == "input" and attrs.get("name") and "disabled" not in attrs:
            kind = (attrs.get("type") or "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                self.values.append((attrs["name"], attrs.get("value") or ("on" if kind == "checkbox" else "")))
        elif tag == "select" and attrs.get("name"):
            self._select, self._selected, self._multiple = attrs["name"], [], "multiple" in attrs
            self.choices[self._select] = []
        elif tag == "option" and self._select:
            value = attrs.get("value", "")
            self.choices[self._select].append(value)
            if "selected" in attrs:
                self._selected.append(value)
        elif tag == "textarea" and attrs.get("name"):
            self._textarea, self._text = attrs["name"], []

    def handle_endtag(self, tag):
        if tag == "select" and self._select:
            choices = self.choices[self._select]
            if self._multiple:
                self.values += [(self._select, value) for value in self._selected]
            else:  # a single select submits its selected option, else its first
                value = self._selected[-1] if self._selected else (choices[0] if choices else "")
                self.values.append((self._select, value))
            self._select = None
        elif tag == "textarea" and self._textarea:
            text = "".join(self._text)
            # A browser drops the newline right after <textarea> (Django writes one there).
            self.values.append((self._textarea, text[1:] if text.startswith("\n") else text))
            self._textarea = None
        elif tag == "form":
            self._done = True

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)


def form_values(html: str) -> FormValues:
    parser = FormValues()
    parser.feed(html)
    parser.close()
    return parser


def edited(form: FormValues, rng) -> list[tuple[str, str]]:
    """The form's values with another priority where the row has one (else unchanged: still a save)."""
    choices = [value for value in form.choices.get("priority", []) if value]
    if not choices:
        return form.values
    new = rng.choice(choices)
    return [(name, new if name == "priority" else value) for name, value in form.values]
