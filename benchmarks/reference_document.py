"""The yardstick of the report benchmark: a plain, table-heavy document of about 60 A4 pages.

benchmarks/report.py renders it with WeasyPrint in the same run as the strategy report
and compares time per page, so the target (issue 13: the report at most half the
reference's time per page) holds on a fast and on a slow machine alike. It is
deliberately ordinary: one stylesheet of a few rules, headings, short paragraphs and
bordered tables with a repeated header row, in the report's font. Generated
deterministically, with no Django, so it is the same document on every machine.
"""

from html import escape

SECTIONS = 30  # two pages each: a heading, a paragraph and a table of ROWS rows
ROWS = 52
COLUMNS = ("Nr.", "Bezeichnung", "Bereich", "Menge", "Verantwortlich", "Termin")
AREAS = ("Vertrieb", "Personal", "Service", "Marketing", "Produktion", "Einkauf")
OWNERS = ("Anna Keller", "Ben Wolf", "Clara Hahn", "David Roth", "Eva Brandt")

STYLE = """
@page { size: A4; margin: 20mm 18mm; @bottom-right { content: counter(page); font-size: 8pt; } }
html { font-family: "DejaVu Sans", sans-serif; font-size: 9.5pt; line-height: 1.35; }
h2 { font-size: 12pt; margin: 0 0 4pt 0; break-before: page; }
p { margin: 0 0 6pt 0; }
table { width: 100%; border-collapse: collapse; }
th, td { border: 0.5pt solid #999; padding: 2pt 4pt; text-align: left; vertical-align: top; }
th { background: #eee; }
td.number { text-align: right; }
"""


def html() -> str:
    parts = [f"<!doctype html><html lang='de'><head><meta charset='utf-8'><style>{STYLE}</style></head><body>"]
    head = "".join(f"<th>{escape(column)}</th>" for column in COLUMNS)
    for s in range(SECTIONS):
        parts.append(f"<h2>Abschnitt {s + 1}: Maßnahmen im Bereich {AREAS[s % len(AREAS)]}</h2>")
        parts.append(
            "<p>Diese Tabelle listet die geplanten Maßnahmen des Abschnitts mit Menge, "
            "Verantwortlichen und Termin; sie dient als gewöhnliches Vergleichsdokument.</p>"
        )
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
        for r in range(ROWS):
            n = s * ROWS + r
            parts.append(
                f"<tr><td class='number'>{n + 1}</td><td>Maßnahme {n + 1} zur Reichweite</td>"
                f"<td>{AREAS[n % len(AREAS)]}</td><td class='number'>{(n * 37) % 1000},00</td>"
                f"<td>{OWNERS[n % len(OWNERS)]}</td><td>{1 + n % 28:02d}.{1 + n % 12:02d}.2027</td></tr>"
            )
        parts.append("</tbody></table>")
    parts.append("</body></html>")
    return "".join(parts)


def render() -> tuple[int, bytes]:
    """(pages, PDF bytes), laid out as the report is: render, then write."""
    from weasyprint import HTML

    document = HTML(string=html()).render()
    return len(document.pages), document.write_pdf()


if __name__ == "__main__":
    import time

    started = time.perf_counter()
    pages, pdf = render()
    print(f"{pages} pages, {len(pdf) / 1024:.0f} KiB, {time.perf_counter() - started:.2f} s")
