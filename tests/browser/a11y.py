"""axe-core in the browser tests: run the WCAG 2.1 A/AA rules on the page and fail on serious or critical findings.

axe-core is vendored under tests/browser/vendor/ (see its README) and injected
from the file, so no test needs the internet. It is a test tool only: the
application never serves it.
"""

from pathlib import Path

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FAILING_IMPACTS = ("serious", "critical")


def accessible_context(browser, live_server, **options):
    """A browser context for axe runs.

    bypass_csp=True: add_script_tag(path=...) injects axe as an inline
    <script>, which the application's Content-Security-Policy
    (script-src 'self') rightly blocks. Only this test tool is let past the
    policy; the pages' own scripts run exactly as they do for users.
    """
    return browser.new_context(base_url=live_server.url, locale="de-DE", bypass_csp=True, **options)


def axe_violations(page, impacts=FAILING_IMPACTS) -> list[dict]:
    """The WCAG 2.1 A/AA violations axe finds on the page as it is now, limited to the given impacts."""
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate(
        """async (tags) => {
            const options = {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']};
            const results = await axe.run(document, options);
            return results.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
                nodes: v.nodes.map(n => ({target: n.target.map(String).join(' '), summary: n.failureSummary})),
            }));
        }""",
        WCAG_TAGS,
    )
    return [violation for violation in results if violation["impact"] in impacts]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    {node['target']}")
            summary = (node["summary"] or "").replace("\n", " ")
            if summary:
                lines.append(f"      {summary[:300]}")
        if len(violation["nodes"]) > 10:
            lines.append(f"    ... and {len(violation['nodes']) - 10} more")
    return "\n".join(lines)


def accessibility_problems(page, context_name: str) -> str:
    """The serious and critical WCAG 2.1 A/AA violations on the page, as readable text ("" when there are none)."""
    # Wait for htmx to finish loading and settling anything it swaps in (e.g. the reports section).
    page.wait_for_load_state()
    page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling, .htmx-added')"
    )
    violations = axe_violations(page)
    if not violations:
        return ""
    return f"{context_name} ({page.url}): accessibility violations\n{describe(violations)}"


def assert_accessible(page, context_name: str) -> None:
    """Fail with a readable list (rule id, impact, target selectors, help) of serious or critical violations."""
    problems = accessibility_problems(page, context_name)
    assert not problems, problems
