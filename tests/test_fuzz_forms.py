"""Fuzz of every form and htmx endpoint outside the row framework.

Checklist answers, step comments, members (add, role, remove), project create, strategy
versions (start, texts, options, submit, decide, reopen, successor), report requests and the
login form. The fields come from each form class (base_fields); the expectations are those of
tests/fuzzing.py: no 500, a wrong-shaped value refused beside its field, every refused form
showing a field message, markup escaped, and after the run every stored row obeys the rules.

The request budgets below, with the row fuzz, add up to at least 10,000 inputs; each test
proves it sent its share.
"""

import pytest
from django.contrib.auth.forms import AuthenticationForm
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from competencies.models import GuidingQuestion
from strategies.forms.projects import MemberAddForm, MemberRoleForm, ProjectCreateForm
from strategies.forms.versions import (
    DecisionForm,
    OptionChoiceForm,
    SuccessorForm,
    VersionStartForm,
    VersionTextsForm,
)
from strategies.forms.wizard import ChecklistAnswerForm, StepCommentForm
from strategies.models import (
    ActionOption,
    ChecklistAnswer,
    Membership,
    Report,
    Role,
    StrategyProject,
    StrategyVersion,
    VersionOption,
    VersionStatus,
)
from strategies.wizard.steps import STEPS

from . import test_fuzz_rows
from .factories import PASSWORD, MembershipFactory, ProjectFactory, UserFactory
from .fuzzing import (
    MARKUP,
    VALID,
    assert_error_beside,
    assert_stored_rows_obey_the_rules,
    counting_client,
    form_data,
    fuzz_settings,
    has_field_error,
    hostile_text,
    invalid_fields,
    pick,
    scaled,
    seed_material,
)
from .wizard_rows import HX

pytestmark = pytest.mark.django_db

# Examples per endpoint family, and the requests each example sends.
BUDGET = {
    "checklist": (500, 2),
    "comments": (150, 1),
    "members": (250, 3),
    "project_create": (300, 1),
    "version_start": (250, 1),
    "version_texts": (150, 1),
    "version_option": (300, 1),
    "version_lifecycle": (150, 2),
    "report": (400, 1),
    "login": (600, 1),
}
MINIMUM_INPUTS = 10_000


def examples(family: str) -> int:
    return scaled(BUDGET[family][0])


def planned(family: str) -> int:
    return examples(family) * BUDGET[family][1]


def test_the_fuzz_sends_at_least_ten_thousand_inputs_in_total():
    forms_total = sum(planned(family) for family in BUDGET)
    assert forms_total + test_fuzz_rows.planned_row_requests() >= MINIMUM_INPUTS


@pytest.fixture
def team(db):
    project = ProjectFactory()
    people = {}
    for username, role in (("fuzzer", Role.CONSULTANT), ("second", Role.CONSULTANT), ("boss", Role.MANAGER)):
        people[username] = UserFactory(username=username, consultant_group=role == Role.CONSULTANT)
        MembershipFactory(project=project, user=people[username], role=role)
    MembershipFactory(project=project, user=UserFactory(username="vera"), role=Role.VIEWER)
    seed_material(project)
    other = ProjectFactory()
    MembershipFactory(project=other, user=UserFactory(username="charlie", consultant_group=True), role=Role.CONSULTANT)
    seed_material(other)
    return project, people, other


def expect(response, values, *, accepted: bool, markers=(), named=lambda name: name) -> None:
    """Accepted only if nothing was of the wrong shape; refused with a message beside each wrong field.

    named: the field's name in the re-rendered page, when the page names it otherwise than the post.
    """
    bad = invalid_fields(values)
    if accepted:
        assert not bad, f"accepted {bad}: {values}"
        return
    body = response.content.decode()
    assert response.status_code == 200, response.status_code
    for name in bad:
        assert_error_beside(body, named(name))
    assert has_field_error(body) or any(marker in body for marker in markers), (
        f"refused without a message:\n{body[:3000]}"
    )


def stored_as_sent(row, values, names=None) -> None:
    for name, value in values.items():
        if names is not None and name not in names:
            continue
        if value.shape == VALID and isinstance(value.value, str):
            assert getattr(row, name) == value.value.strip(), (name, value.value, getattr(row, name))


def finish(client, family: str, tally: dict) -> None:
    assert client.sent >= planned(family), (client.sent, planned(family))
    assert tally["accepted"] >= 1 and tally["refused"] >= 1, tally
    assert_stored_rows_obey_the_rules()


# --- checklist answers and step comments ---------------------------------------------------------


def _questions():
    pairs = []
    for question in GuidingQuestion.objects.active().filter(area__key__in=STEPS).select_related("area"):
        pairs.append((question.area.key, question.pk))
    return pairs


def test_checklist_answers_refuse_bad_notes_beside_the_field(team):
    project, people, other = team
    client = counting_client(people["fuzzer"])
    questions = _questions()
    assert questions
    tally = {"accepted": 0, "refused": 0}

    @fuzz_settings(examples("checklist"))
    @given(st.data())
    def example(data):
        draw = data.draw
        key, question_pk = pick(draw, questions)
        form_values = form_data(ChecklistAnswerForm(), draw)
        sent, values = form_values
        url = reverse("checklist_answer_save", args=[project.pk, key, question_pk])
        response = client.post(url, sent, **HX)
        accepted = "HX-Retarget" not in response
        expect(response, values, accepted=accepted)
        tally["accepted" if accepted else "refused"] += 1
        if accepted:
            answer = ChecklistAnswer.objects.get(project=project, question_id=question_pk)
            stored_as_sent(answer, values, {"notes"})
        # A question that does not exist, of another step, or a step that is none: 404, nothing saved.
        wrong_key = draw(st.sampled_from([key, "potential", "no-such-step", "method"]))
        wrong_pk = draw(st.sampled_from([0, 987654321, question_pk]))
        if (wrong_key, wrong_pk) in questions:
            wrong_pk = 987654321
        plain = draw(st.booleans())
        response = client.post(
            reverse("checklist_answer_save", args=[project.pk, wrong_key, wrong_pk]), sent, **(HX if plain else {})
        )
        assert response.status_code == 404

    example()
    finish(client, "checklist", tally)


def test_step_comments_refuse_bad_text_beside_the_field(team):
    project, people, other = team
    client = counting_client(people["boss"])
    keys = list(STEPS)
    tally = {"accepted": 0, "refused": 0}

    @fuzz_settings(examples("comments"))
    @given(st.data())
    def example(data):
        draw = data.draw
        sent, values = form_data(StepCommentForm(), draw)
        key = pick(draw, keys)
        response = client.post(reverse("step_comment_add", args=[project.pk, key]), sent)
        accepted = response.status_code == 302
        expect(response, values, accepted=accepted)
        tally["accepted" if accepted else "refused"] += 1

    example()
    finish(client, "comments", tally)


# --- members and projects --------------------------------------------------------------------------------


def _refusal(project, actor, membership_pk: int, role) -> str | None:
    """What the access guard says of the change (role None: a removal), read before it is sent."""
    membership = Membership.objects.select_related("user").get(pk=membership_pk)
    if role is not None and (not isinstance(role, str) or role not in Role.values):
        return "not a role"
    if role == membership.role:
        return None
    fresh = StrategyProject.objects.get(pk=project.pk)
    return fresh.access_change_refusal(actor=actor, user=membership.user, old_role=membership.role, new_role=role)


def test_member_forms_refuse_bad_input_and_keep_a_consultant(team, settings):
    settings.MEMBER_LOOKUPS_PER_HOUR = 10**6  # the fuzz looks up far more people than a member may in an hour
    project, people, other = team
    client = counting_client(people["fuzzer"])
    for n in range(30):
        UserFactory(username=f"candidate{n}", email=f"candidate{n}@example.com")
    identifiers = [f"candidate{n}" for n in range(30)] + [f"CANDIDATE{n}@example.com" for n in range(30)]
    actor = Membership.objects.get(project=project, user=people["fuzzer"])
    foreign = list(Membership.objects.filter(project=other).values_list("pk", flat=True))
    tally = {"accepted": 0, "refused": 0}

    @fuzz_settings(examples("members"))
    @given(st.data())
    def example(data):
        draw = data.draw
        sent, values = form_data(MemberAddForm(project=project, actor=people["fuzzer"]), draw)
        if draw(st.booleans()):
            sent["identifier"] = pick(draw, identifiers)  # a real user, perhaps already a member
            values["identifier"].shape = "odd"
        response = client.post(reverse("member_list", args=[project.pk]), sent)
        accepted = response.status_code == 302
        expect(response, values, accepted=accepted)
        tally["accepted" if accepted else "refused"] += 1

        # Roles and removals of others (the actor stays, to keep sending): wrong ids are 404.
        others = list(Membership.objects.filter(project=project).exclude(pk=actor.pk).values_list("pk", flat=True))
        target = pick(draw, [*others, *foreign, 0, 987654321])
        # A change the access guard refuses shows the page with its reason beside the select (200).
        role_data, _role_values = form_data(MemberRoleForm(), draw)
        expected = 404
        if target in others:
            expected = 200 if _refusal(project, people["fuzzer"], target, role_data.get("role", "")) else 302
        response = client.post(reverse("member_change_role", args=[project.pk, target]), role_data)
        assert response.status_code == expected
        if expected == 200:
            assert f'id="role-error-{target}"' in response.content.decode()
        target = pick(draw, [*others[:2], *foreign, 0])
        expected = 404
        if target in others:
            expected = 200 if _refusal(project, people["fuzzer"], target, None) else 302
        response = client.post(reverse("member_remove", args=[project.pk, target]))
        assert response.status_code == expected
        if expected == 200:
            assert f'id="remove-error-{target}"' in response.content.decode()

    example()
    assert Membership.objects.filter(project=project, role=Role.CONSULTANT).exists()
    finish(client, "members", tally)


def test_project_create_refuses_bad_input_beside_the_field(team):
    project, people, other = team
    client = counting_client(people["fuzzer"])
    tally = {"accepted": 0, "refused": 0}

    @fuzz_settings(examples("project_create"))
    @given(st.data())
    def example(data):
        sent, values = form_data(ProjectCreateForm(user=people["fuzzer"]), data.draw)
        before = StrategyProject.objects.count()
        response = client.post(reverse("project_create"), sent)
        accepted = response.status_code == 302
        expect(response, values, accepted=accepted)
        tally["accepted" if accepted else "refused"] += 1
        if accepted:
            created = StrategyProject.objects.select_related("client").latest("pk")
            assert StrategyProject.objects.count() == before + 1
            stored_as_sent(created, values, {"title", "description"})
            assert created.memberships.get().user == people["fuzzer"]

    example()
    finish(client, "project_create", tally)


# --- strategy versions ---------------------------------------------------------------------------------------


def _draft(project, user, name="Draft"):
    from strategies.services.versions import strategy_version_create

    return strategy_version_create(project=project, user=user, name=f"{name} {StrategyVersion.objects.count()}")


def test_version_start_refuses_bad_input_beside_the_field(team):
    project, people, other = team
    client = counting_client(people["fuzzer"])
    tally = {"accepted": 0, "refused": 0}

    @fuzz_settings(examples("version_start"))
    @given(st.data())
    def example(data):
        sent, values = form_data(VersionStartForm(project=project), data.draw)
        response = client.post(reverse("version_start", args=[project.pk]), sent, **HX)
        accepted = "HX-Retarget" in response
        expect(response, values, accepted=accepted)
        tally["accepted" if accepted else "refused"] += 1
        if accepted:
            stored_as_sent(StrategyVersion.objects.filter(project=project).latest("pk"), values)

    example()
    finish(client, "version_start", tally)


def test_version_texts_refuse_bad_input_beside_the_field(team):
    project, people, other = team
    client = counting_client(people["fuzzer"])
    version = _draft(project, people["fuzzer"])
    tally = {"accepted": 0, "refused": 0}

    @fuzz_settings(examples("version_texts"))
    @given(st.data())
    def example(data):
        sent, values = form_data(VersionTextsForm(project=project, version=version), data.draw)
        response = client.post(reverse("version_update", args=[project.pk, version.pk]), sent)
        accepted = response.status_code == 302
        expect(response, values, accepted=accepted)
        tally["accepted" if accepted else "refused"] += 1
        if accepted:
            stored_as_sent(StrategyVersion.objects.get(pk=version.pk), values)

    example()
    finish(client, "version_texts", tally)


def test_version_options_refuse_bad_choices_beside_the_field(team):
    project, people, other = team
    client = counting_client(people["fuzzer"])
    version = _draft(project, people["fuzzer"])
    mine = list(ActionOption.objects.filter(topic__project=project).values_list("pk", flat=True))
    theirs = list(ActionOption.objects.filter(topic__project=other).values_list("pk", flat=True))
    tally = {"accepted": 0, "refused": 0}

    @fuzz_settings(examples("version_option"))
    @given(st.data())
    def example(data):
        draw = data.draw
        sent, values = form_data(OptionChoiceForm(), draw)
        option_pk = pick(draw, [*mine, *mine, *theirs, 987654321])
        htmx = draw(st.booleans())
        url = reverse("version_option", args=[project.pk, version.pk, option_pk])
        response = client.post(url, sent, **(HX if htmx else {}))
        if option_pk not in mine:
            assert response.status_code == 404
            return
        body = response.content.decode()
        accepted = response.status_code == 302 or (htmx and "invalid-feedback" not in body)
        # The page's rows sit in one form, their fields named per option (choice-<id>, reason-<id>).
        per_option = {"choice", "reason"}
        expect(response, values, accepted=accepted, named=lambda n: f"{n}-{option_pk}" if n in per_option else n)
        tally["accepted" if accepted else "refused"] += 1
        if accepted:
            choice = VersionOption.objects.get(version=version, option_id=option_pk)
            assert choice.included == (sent["choice"] == "in")
            assert choice.rationale == sent.get("reason", "").strip()

    example()
    finish(client, "version_option", tally)


def test_version_lifecycle_refuses_bad_decisions_and_wrong_versions(team):
    """Submit, decide, reopen and successor on any version (of this project or not), with generated input."""
    project, people, other = team
    consultant, manager = counting_client(people["fuzzer"]), counting_client(people["boss"])
    from strategies.services.versions import version_option_choose

    first = _draft(project, people["fuzzer"])
    for option in ActionOption.objects.filter(topic__project=project):
        # A selection to submit; successors and reopened drafts take it over.
        version_option_choose(version=first, user=people["fuzzer"], option=option, included=True)
    foreign = [_draft(other, other.memberships.get().user).pk]
    tally = {"accepted": 0, "refused": 0}

    @fuzz_settings(examples("version_lifecycle"))
    @given(st.data())
    def example(data):
        draw = data.draw
        versions = list(StrategyVersion.objects.filter(project=project).values_list("pk", flat=True))
        version_pk = pick(draw, [*versions, *versions, *foreign, 987654321])
        ours = version_pk in versions
        for _step in range(2):
            action = draw(st.sampled_from(["submit", "decide", "reopen", "successor", "start"]))
            if action == "start":
                response = consultant.post(reverse("version_start", args=[project.pk]), {"name": draw(hostile_text)})
                assert response.status_code in (200, 302)
                continue
            url = reverse(f"version_{action}", args=[project.pk, version_pk])
            stored = StrategyVersion.objects.filter(pk=version_pk).values_list("status", "submitted_by").first()
            # The decision form is on the page only while the manager may decide; else the page says why not.
            form_shown = action == "successor" or (
                action == "decide" and stored == (VersionStatus.SUBMITTED, people["fuzzer"].pk)
            )
            if action == "decide":
                sent, values = form_data(DecisionForm(), draw)
                response = manager.post(url, sent)
            elif action == "successor":
                sent, values = form_data(SuccessorForm(project=project), draw)
                response = consultant.post(url, sent)
            else:
                sent, values = {}, {}
                response = consultant.post(url, {"status": "approved", "name": MARKUP})
            if not ours:
                assert response.status_code == 404
                continue
            if response.status_code == 302:
                tally["accepted"] += 1
                assert not invalid_fields(values), (action, values)
                continue
            # Refused: the page again with the field messages, or the service's reason as a message.
            assert response.status_code == 200
            body = response.content.decode()
            if form_shown:
                for name in invalid_fields(values):
                    assert_error_beside(body, name)
            assert has_field_error(body) or "alert-danger" in body, body[:3000]
            tally["refused"] += 1

    example()
    assert consultant.sent + manager.sent >= planned("version_lifecycle")
    assert tally["accepted"] >= 1 and tally["refused"] >= 1, tally
    assert StrategyVersion.objects.filter(project=project, status=VersionStatus.APPROVED).count() <= 1
    assert_stored_rows_obey_the_rules()


# --- reports and login -------------------------------------------------------------------------------------------


def test_report_requests_refuse_unknown_languages_with_a_message(team, settings):
    project, people, other = team
    settings.REPORT_REQUESTS_PER_HOUR = 10**6  # the hourly limit has tests of its own (test_report_limits.py)
    client = counting_client(people["boss"])
    version = _draft(project, people["fuzzer"])
    foreign = _draft(other, other.memberships.get().user)
    tally = {"accepted": 0, "refused": 0}

    @fuzz_settings(examples("report"))
    @given(st.data())
    def example(data):
        draw = data.draw
        language = draw(st.sampled_from(["de", "en", "DE", "fr", "", " en", "en\x00", MARKUP]) | hostile_text)
        target = draw(st.sampled_from([version.pk, version.pk, foreign.pk, 987654321]))
        before = Report.objects.count()
        # While one is queued or rendering, asking again for it shows that one (nothing new).
        valid = language in ("de", "en")
        pending = valid and Report.objects.unfinished().filter(version=version, language=language).exists()
        response = client.post(reverse("report_create", args=[project.pk, target]), {"language": language}, **HX)
        if target != version.pk:
            assert response.status_code == 404
            return
        assert response.status_code == 200
        created = Report.objects.count() - before
        assert created == (1 if valid and not pending else 0), (language, created)
        if pending:
            return
        if not created:
            assert 'class="alert alert-danger"' in response.content.decode()
        tally["accepted" if created else "refused"] += 1

    example()
    finish(client, "report", tally)


def test_login_form_refuses_bad_input_with_a_message(team, settings):
    project, people, other = team
    # Throttling (django-axes, when installed) would lock the fuzzer out: the form is fuzzed, not the lockout.
    settings.AXES_ENABLED = False
    from .fuzzing import CountingClient

    client = CountingClient()
    tally = {"accepted": 0, "refused": 0}

    @fuzz_settings(examples("login"))
    @given(st.data())
    def example(data):
        draw = data.draw
        sent, values = form_data(AuthenticationForm(), draw)
        if len(sent.get("username", "")) > 150:
            # Django's login form does not check the length: a long name is just an unknown user.
            values["username"].shape = "odd"
        real = draw(st.booleans())
        if real:
            sent.update(username=pick(draw, ["fuzzer", "boss", "vera"]), password=PASSWORD)
            values["username"].shape = values["password"].shape = VALID
        response = client.post(
            reverse("login"), {**sent, "next": draw(st.sampled_from(["/", "//evil.example", MARKUP]))}
        )
        accepted = response.status_code == 302
        if accepted:
            assert real, sent
            assert not response["Location"].startswith("//evil")
            client.logout()
            tally["accepted"] += 1
            return
        # A wrong password is said above the form (it names neither field, on purpose).
        expect(response, values, accepted=False, markers=('class="alert alert-block alert-danger"', "alert-danger"))
        tally["refused"] += 1

    example()
    finish(client, "login", tally)
