"""Query budgets shared by the tests of pages that build a draft's live content.

Since snapshot schema 6 a draft's content (snapshots.build_snapshot) holds its SWOT and content
plan, read live like the rest: the SWOT's rules (analysis/swot.py: topics, resource balance,
benefits without option, requirements, presences, platforms) with the consultant's notes, and the
content plan's pillars, lines and figures (analysis/content_plan.py). A constant number of queries
whatever the project's size, counted exactly in tests/test_snapshot_speed.py.
"""

DRAFT_SWOT_AND_CONTENT_PLAN_QUERIES = 11

# The overview (wizard/steps/overview.py) shows more than the other steps: beside its gaps, matrix,
# canvas and resource balance, the SWOT's rules and notes and the content plan's balance. Its
# uncached render, pinned in every test that counts a step's queries.
OVERVIEW_QUERIES = 25
STEP_QUERIES = 20
# The comparison builds the draft's content with its SWOT and content plan beside the frame's queries.
COMPARE_QUERIES = STEP_QUERIES + DRAFT_SWOT_AND_CONTENT_PLAN_QUERIES
# make bench's query rows (benchmarks/run.py) hold each page to the budget its tests pin.
PAGE_BUDGETS = {"step overview": OVERVIEW_QUERIES, "version compare": COMPARE_QUERIES}
