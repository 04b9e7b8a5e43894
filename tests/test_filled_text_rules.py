"""Rules stated twice, in the model and as a query condition, agree: a text of blanks is empty to both.

The SMART rule: Kpi.smart_missing() and SMART_KPI (the progress bar, the overview's gaps, the report).
A worked-out benefit: BusinessBenefit.is_worked_out and WORKED_OUT_BENEFIT (the progress bar, step 5).
"""

import datetime
import sys
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from strategies.models import BusinessBenefit, Kpi
from strategies.models.text import WHITESPACE
from strategies.wizard.progress import project_counts

from .factories import BenefitFactory, KpiFactory, TopicFactory

pytestmark = pytest.mark.django_db


def test_the_database_strips_exactly_what_python_strips():
    assert set(WHITESPACE) == {c for c in map(chr, range(sys.maxunicode + 1)) if c.isspace()}


# Blanks of every kind, letters and a zero-width space (not a blank to Python): texts that are
# empty, blank, or filled with blanks around them. No NUL: no database column holds one.
texts = st.text(alphabet=st.sampled_from([*WHITESPACE, "a", "Ä", "\u200b"]), max_size=4)
numbers = st.none() | st.just(Decimal("12.5"))
dates = st.none() | st.just(datetime.date(2027, 6, 30))
kpis = st.fixed_dictionaries(
    {"description": texts, "metric": texts, "owner": texts, "target": numbers, "baseline": numbers, "due_date": dates}
)


PROPERTY = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@PROPERTY
@given(fields=st.lists(kpis, min_size=1, max_size=6))
def test_the_model_and_the_query_agree_on_every_kpi(fields):
    benefit = BenefitFactory()
    try:
        created = [KpiFactory(benefit=benefit, **f) for f in fields]
        # As stored: the database's text is what both sides read.
        stored = list(Kpi.objects.filter(benefit=benefit))
        smart_by_model = {kpi.pk for kpi in stored if kpi.is_smart}
        smart_by_query = set(Kpi.objects.filter(benefit=benefit).smart().values_list("pk", flat=True))
        not_smart_by_query = set(Kpi.objects.filter(benefit=benefit).not_smart().values_list("pk", flat=True))
        assert smart_by_query == smart_by_model
        assert not_smart_by_query == {kpi.pk for kpi in created} - smart_by_model
    finally:
        benefit.topic.project.delete()


@pytest.mark.parametrize("field", ["description", "metric", "owner"])
@pytest.mark.parametrize("blank", [" ", "   ", "\t\n", "\u00a0"])
def test_a_text_of_blanks_is_missing_for_the_progress_bar_too(project, field, blank):
    benefit = BenefitFactory(topic=TopicFactory(project=project))
    kpi = KpiFactory(benefit=benefit, **{field: blank})
    assert not kpi.is_smart
    # The progress bar once counted a description of spaces as specific.
    assert project_counts(project)["benefits_with_smart_kpi"] == 0
    setattr(kpi, field, f"{blank}filled{blank}")
    kpi.save()
    assert kpi.is_smart and project_counts(project)["benefits_with_smart_kpi"] == 1


benefits = st.fixed_dictionaries({"causal_chain": texts, "receiving_process": texts, "with_format": st.booleans()})


@PROPERTY
@given(fields=st.lists(benefits, min_size=1, max_size=6))
def test_the_model_and_the_query_agree_on_every_worked_out_benefit(fields):
    topic = TopicFactory()
    try:
        for f in fields:
            with_format = f.pop("with_format")
            BenefitFactory(topic=topic, **f, **({} if with_format else {"usage_format": None}))
        stored = BusinessBenefit.objects.filter(topic=topic)
        by_model = {benefit.pk for benefit in stored if benefit.is_worked_out}
        assert set(stored.worked_out().values_list("pk", flat=True)) == by_model
    finally:
        topic.project.delete()


@pytest.mark.parametrize("field", ["causal_chain", "receiving_process"])
def test_a_benefit_worked_out_in_blanks_is_open_for_the_progress_bar_too(project, field):
    benefit = BenefitFactory(topic=TopicFactory(project=project), causal_chain="a → b", receiving_process="Sales")
    assert project_counts(project)["benefits_worked_out"] == 1
    setattr(benefit, field, " \t ")
    benefit.save()
    # The progress bar once counted blanks as a causal chain where the benefit's badge said "open".
    assert not benefit.is_worked_out and project_counts(project)["benefits_worked_out"] == 0
