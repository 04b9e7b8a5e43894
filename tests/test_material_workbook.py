"""The project's working material as an XLSX workbook: one sheet per area, read back with openpyxl."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from competencies.models import CompetenceArea, GuidingQuestion
from strategies.models import ChecklistAnswer

from .factories import (
    KpiFactory,
    MilestoneFactory,
    OptionFactory,
    PlatformFactory,
    PresenceFactory,
    RequirementFactory,
    ResourceFactory,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english_pages")]

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA = '=HYPERLINK("http://evil.example","click")'
MARKUP = "<b>Bold</b><script>alert(1)</script>"


def url(project):
    return reverse("project_material_xlsx", args=[project.pk])


def fill(project, n: int = 0):
    """A piece of material in every area, titled so each can be found on its sheet."""
    option = OptionFactory(
        topic__project=project, topic__title=f"Recruiting {n}", benefit__title=f"More applicants {n}"
    )
    option.title = f"Career blog {n}"
    option.save()
    PresenceFactory(competitor__project=project, competitor__name=f"Rival {n}", topic=option.topic)
    ResourceFactory(project=project, description=f"Editorial team {n}")
    RequirementFactory(option=option, notes=f"Two writers {n}")
    KpiFactory(benefit=option.benefit, metric=f"Applications per quarter {n}")
    MilestoneFactory(project=project, title=f"Blog live {n}")
    PlatformFactory(project=project, name=f"LinkedIn {n}")
    return option


def sheet_texts(workbook, name: str) -> set:
    return {cell for row in workbook[name].iter_rows(values_only=True) for cell in row if cell is not None}


def download(client_for, user, project):
    response = client_for(user).get(url(project))
    assert response.status_code == 200
    return response, load_workbook(io.BytesIO(response.content))


def test_every_area_has_its_sheet_with_its_material(client_for, project, viewer, version):
    fill(project)
    area = CompetenceArea.objects.active().get(key="business_model")
    question = GuidingQuestion.objects.filter(area=area, is_active=True).first()
    if question is not None:
        ChecklistAnswer.objects.create(project=project, question=question, done=True, notes="Asked the board")

    response, workbook = download(client_for, viewer, project)
    assert response["Content-Type"] == XLSX
    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="pbsm-material-') and disposition.endswith('.xlsx"')

    areas = list(CompetenceArea.objects.active().order_by("order", "id"))
    assert workbook.sheetnames == [area.title[:31] for area in areas]
    by_key = {area.key: area.title[:31] for area in areas}
    assert {"Recruiting 0", "More applicants 0"} <= sheet_texts(workbook, by_key["business_model"])
    assert {"Career blog 0"} <= sheet_texts(workbook, by_key["action_options"])
    assert {"Rival 0", "Recruiting 0"} <= sheet_texts(workbook, by_key["competition"])
    assert {"More applicants 0"} <= sheet_texts(workbook, by_key["business_benefit"])
    assert {"Editorial team 0", "Two writers 0"} <= sheet_texts(workbook, by_key["resources"])
    assert {"Applications per quarter 0", "Blog live 0", "LinkedIn 0"} <= sheet_texts(
        workbook, by_key["implementation"]
    )
    assert {"V1", "Blog first"} <= sheet_texts(workbook, by_key["method"])
    assert {"Recruiting 0"} <= sheet_texts(workbook, by_key["overview"])
    if question is not None:
        assert {question.text, "Asked the board", "yes"} <= sheet_texts(workbook, by_key["business_model"])


def test_markup_and_formulas_in_the_material_stay_text(client_for, project, consultant):
    option = fill(project)
    option.topic.title = FORMULA
    option.topic.save()
    option.title = MARKUP
    option.user_benefit = (
        "line\x0bwith a control character"  # a vertical tab: XML cannot hold it (PostgreSQL refuses NUL itself)
    )
    option.save()

    _response, workbook = download(client_for, consultant, project)
    sheet = workbook[CompetenceArea.objects.active().get(key="action_options").title[:31]]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    formula = [cell for cell in cells if cell.value == FORMULA]
    assert formula and all(cell.data_type == "s" for cell in formula)
    assert MARKUP in {cell.value for cell in cells}
    assert "linewith a control character" in {cell.value for cell in cells}


def test_outsiders_get_404_and_anonymous_visitors_the_login(client, client_for, project, outsider):
    assert client_for(outsider).get(url(project)).status_code == 404
    response = client.get(url(project))
    assert response.status_code == 302 and "login" in response["Location"]


def test_project_page_links_the_workbook(client_for, project, viewer):
    html = client_for(viewer).get(reverse("project_detail", args=[project.pk])).content.decode()
    assert f'href="{url(project)}"' in html


def test_queries_do_not_grow_with_the_material(client_for, project, consultant, django_assert_max_num_queries):
    fill(project, 0)
    c = client_for(consultant)
    with CaptureQueriesContext(connection) as small:
        assert c.get(url(project)).status_code == 200
    for n in range(1, 6):
        fill(project, n)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert c.get(url(project)).status_code == 200
    assert len(small.captured_queries) <= 40


def test_the_demo_project_workbook_holds_its_whole_material(client_for):
    from strategies.demo import seed_demo_data
    from strategies.models import Membership

    project = seed_demo_data(size="small").projects[0].project
    member = Membership.objects.filter(project=project).select_related("user").first().user
    _response, workbook = download(client_for, member, project)
    assert len(workbook.sheetnames) == CompetenceArea.objects.active().count()
    business_model = workbook[CompetenceArea.objects.active().get(key="business_model").title[:31]]
    assert set(project.topics.values_list("title", flat=True)) <= {
        cell for row in business_model.iter_rows(values_only=True) for cell in row
    }
