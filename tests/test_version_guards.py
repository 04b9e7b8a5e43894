"""State guards on StrategyVersion, SMART checks on KPIs and the reusable QuerySet filters."""

import pytest
from django.contrib.auth.models import AnonymousUser

from strategies import models as m
from strategies.exceptions import DomainError

from .factories import BenefitFactory, KpiFactory, MembershipFactory, ProjectFactory, TopicFactory, VersionFactory

pytestmark = pytest.mark.django_db

SNAPSHOT = {"schema": 1}
ALL_STATUSES = list(m.VersionStatus)


def version_in(project, status, **kwargs):
    snapshot = None if status == m.VersionStatus.DRAFT else SNAPSHOT
    return VersionFactory(project=project, status=status, snapshot=snapshot, **kwargs)


def reloaded(version):
    return m.StrategyVersion.objects.get(pk=version.pk)


# --- edit / submit -------------------------------------------------------------------


def test_consultant_can_edit_and_submit_a_draft(project, consultant):
    version = version_in(project, m.VersionStatus.DRAFT)
    assert version.can_edit(consultant)
    assert version.can_submit(consultant)


@pytest.mark.parametrize("status", [s for s in ALL_STATUSES if s != m.VersionStatus.DRAFT])
def test_consultant_cannot_edit_or_submit_a_version_that_is_no_longer_a_draft(project, consultant, status):
    version = version_in(project, status)
    assert not version.can_edit(consultant)
    assert not version.can_submit(consultant)


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider"])
def test_only_a_consultant_can_edit_or_submit_a_draft(project, request, who):
    user = request.getfixturevalue(who)
    version = version_in(project, m.VersionStatus.DRAFT)
    assert not version.can_edit(user)
    assert not version.can_submit(user)


def test_anonymous_user_cannot_edit_a_draft(project):
    version = version_in(project, m.VersionStatus.DRAFT)
    assert not version.can_edit(AnonymousUser())


# --- approve / reject -------------------------------------------------------------


def test_manager_can_approve_and_reject_a_submitted_version(project, manager, consultant):
    version = version_in(project, m.VersionStatus.SUBMITTED, submitted_by=consultant)
    assert version.can_decide(manager)
    assert version.can_decide(manager)


@pytest.mark.parametrize("status", [s for s in ALL_STATUSES if s != m.VersionStatus.SUBMITTED])
def test_manager_cannot_decide_on_a_version_that_is_not_submitted(project, manager, status):
    version = version_in(project, status)
    assert not version.can_decide(manager)
    assert not version.can_decide(manager)


def test_manager_cannot_approve_a_version_they_submitted_themselves(project, manager):
    version = version_in(project, m.VersionStatus.SUBMITTED, submitted_by=manager)
    assert not version.can_decide(manager)
    assert not version.can_decide(manager)


def test_another_manager_can_approve_what_a_manager_submitted(project, manager):
    other_manager = MembershipFactory(project=project, role=m.Role.MANAGER).user
    version = version_in(project, m.VersionStatus.SUBMITTED, submitted_by=manager)
    assert version.can_decide(other_manager)


@pytest.mark.parametrize("who", ["consultant", "viewer", "outsider"])
@pytest.mark.parametrize("status", ALL_STATUSES)
def test_non_managers_can_never_approve_or_reject(project, request, who, status):
    user = request.getfixturevalue(who)
    version = version_in(project, status)
    assert not version.can_decide(user)
    assert not version.can_decide(user)


def test_anonymous_user_cannot_approve(project, consultant):
    version = version_in(project, m.VersionStatus.SUBMITTED, submitted_by=consultant)
    assert not version.can_decide(AnonymousUser())


# --- reopen ---------------------------------------------------------------------------


def test_consultant_can_reopen_a_rejected_version(project, consultant):
    assert version_in(project, m.VersionStatus.REJECTED).can_reopen(consultant)


@pytest.mark.parametrize("status", [s for s in ALL_STATUSES if s != m.VersionStatus.REJECTED])
def test_consultant_cannot_reopen_a_version_that_was_not_rejected(project, consultant, status):
    assert not version_in(project, status).can_reopen(consultant)


@pytest.mark.parametrize("who", ["manager", "viewer", "outsider"])
def test_only_a_consultant_can_reopen_a_rejected_version(project, request, who):
    user = request.getfixturevalue(who)
    assert not version_in(project, m.VersionStatus.REJECTED).can_reopen(user)


# --- the approved record is fixed ----------------------------------------------------


def test_saving_a_changed_approved_version_is_refused(project):
    version = reloaded(version_in(project, m.VersionStatus.APPROVED, name="Original"))
    version.name = "Changed"
    with pytest.raises(DomainError):
        version.save()
    assert reloaded(version).name == "Original"


def test_saving_an_approved_version_right_after_creating_it_is_refused(project):
    version = version_in(project, m.VersionStatus.APPROVED, name="Original")
    version.rationale = "Changed afterwards"
    with pytest.raises(DomainError):
        version.save()


def test_saving_a_version_that_was_approved_since_it_was_loaded_is_refused(project):
    version = reloaded(version_in(project, m.VersionStatus.SUBMITTED, name="Original"))
    approved_elsewhere = reloaded(version)
    approved_elsewhere.status = m.VersionStatus.APPROVED
    approved_elsewhere.save(update_fields=["status"])
    version.refresh_from_db()
    version.name = "Changed"
    with pytest.raises(DomainError):
        version.save()
    assert reloaded(version).name == "Original"


def test_refreshing_other_fields_keeps_the_stored_status(project):
    version = reloaded(version_in(project, m.VersionStatus.APPROVED, name="Original"))
    version.refresh_from_db(fields=["name"])
    version.name = "Changed"
    with pytest.raises(DomainError):
        version.save()


def test_reopening_an_approved_version_as_draft_is_refused(project):
    version = reloaded(version_in(project, m.VersionStatus.APPROVED))
    version.status = m.VersionStatus.DRAFT
    with pytest.raises(DomainError):
        version.save(update_fields=["status"])
    assert reloaded(version).status == m.VersionStatus.APPROVED


def test_approved_version_can_be_superseded_by_saving_only_its_status(project):
    version = reloaded(version_in(project, m.VersionStatus.APPROVED))
    version.status = m.VersionStatus.SUPERSEDED
    version.save(update_fields=["status"])
    assert reloaded(version).status == m.VersionStatus.SUPERSEDED


def test_superseding_together_with_other_changes_is_refused(project):
    version = reloaded(version_in(project, m.VersionStatus.APPROVED, name="Original"))
    version.status = m.VersionStatus.SUPERSEDED
    version.name = "Sneaky"
    with pytest.raises(DomainError):
        version.save(update_fields=["status", "name"])
    with pytest.raises(DomainError):
        version.save()
    assert reloaded(version).status == m.VersionStatus.APPROVED


def test_saving_a_superseded_version_is_refused(project):
    version = reloaded(version_in(project, m.VersionStatus.SUPERSEDED))
    version.rationale = "Changed"
    with pytest.raises(DomainError):
        version.save()


def test_draft_version_can_be_saved_after_loading(project):
    version = reloaded(version_in(project, m.VersionStatus.DRAFT, name="Original"))
    version.name = "Changed"
    version.save()
    assert reloaded(version).name == "Changed"


@pytest.mark.parametrize("status", [s for s in ALL_STATUSES if s != m.VersionStatus.DRAFT])
def test_deleting_a_version_that_is_not_a_draft_is_refused(project, status):
    version = reloaded(version_in(project, status))
    with pytest.raises(DomainError):
        version.delete()
    assert m.StrategyVersion.objects.filter(pk=version.pk).exists()


def test_deleting_a_draft_version_works(project):
    version = version_in(project, m.VersionStatus.DRAFT)
    version.delete()
    assert not m.StrategyVersion.objects.filter(pk=version.pk).exists()


# --- version QuerySet ---------------------------------------------------------------


def test_version_queryset_filters_by_status(project):
    versions = {status: version_in(project, status) for status in ALL_STATUSES}
    qs = m.StrategyVersion.objects
    assert list(qs.drafts()) == [versions[m.VersionStatus.DRAFT]]
    assert list(qs.submitted()) == [versions[m.VersionStatus.SUBMITTED]]
    assert list(qs.approved()) == [versions[m.VersionStatus.APPROVED]]
    frozen = {v for s, v in versions.items() if s != m.VersionStatus.DRAFT}
    assert set(qs.frozen()) == frozen
    assert versions[m.VersionStatus.DRAFT] not in qs.frozen()


# --- KPIs ---------------------------------------------------------------------------


def test_complete_kpi_is_smart():
    kpi = KpiFactory()
    assert kpi.smart_missing() == []
    assert kpi.is_smart


@pytest.mark.parametrize(
    ("field", "empty", "letter"),
    [
        ("description", "", "S"),
        ("description", "   ", "S"),
        ("metric", "", "M"),
        ("target", None, "M"),
        ("baseline", None, "A"),
        ("due_date", None, "T"),
        ("owner", "", "T"),
        ("owner", "  ", "T"),
    ],
)
def test_kpi_without_a_smart_field_names_the_missing_letter(field, empty, letter):
    kpi = KpiFactory()
    setattr(kpi, field, empty)
    assert kpi.smart_missing() == [letter]
    assert not kpi.is_smart


def test_kpi_lists_all_missing_letters_in_smart_order():
    kpi = KpiFactory(description="", target=None, baseline=None, owner="")
    assert kpi.smart_missing() == ["S", "M", "A", "T"]


def test_kpi_with_a_target_of_zero_is_measurable():
    kpi = KpiFactory(target=0, baseline=0)
    assert kpi.smart_missing() == []


# --- Topic QuerySet -------------------------------------------------------------------


def test_topics_by_focus_come_by_priority_then_affinity(project):
    def topic(title, priority, affinity):
        return TopicFactory(project=project, title=title, priority=priority, social_media_affinity=affinity)

    # Titles run against the expected order, so only priority and affinity can sort them.
    low = topic("A low", 2, 5)
    mid_low_affinity = topic("B mid, low affinity", 4, 2)
    top = topic("Z top", 5, 1)
    mid_high_affinity = topic("Y mid, high affinity", 4, 5)
    tie_b = topic("N tie", 3, 3)
    tie_a = topic("M tie", 3, 3)
    assert list(project.topics.by_focus()) == [top, mid_high_affinity, mid_low_affinity, tie_a, tie_b, low]


def test_low_affinity_high_priority_finds_the_warning_signs(project):
    def topic(priority, affinity):
        return TopicFactory(project=project, priority=priority, social_media_affinity=affinity)

    warnings = {topic(4, 2), topic(5, 1)}
    topic(3, 1)  # not high priority
    topic(4, 3)  # affinity not low
    topic(5, 5)
    assert set(project.topics.low_affinity_high_priority()) == warnings


def test_without_benefit_lists_topics_that_have_none(project):
    bare = TopicFactory(project=project)
    BenefitFactory(topic=TopicFactory(project=project))
    two_benefits = TopicFactory(project=project)
    BenefitFactory(topic=two_benefits)
    BenefitFactory(topic=two_benefits)
    assert list(project.topics.without_benefit()) == [bare]


# --- project QuerySet and role_of -------------------------------------------------------


def test_for_user_returns_only_projects_the_user_is_a_member_of(project, consultant, outsider):
    MembershipFactory(user=consultant, role=m.Role.VIEWER)  # a second project of alice
    ProjectFactory()  # nobody's
    mine = set(m.StrategyProject.objects.for_user(consultant))
    assert project in mine
    assert len(mine) == 2
    assert project not in m.StrategyProject.objects.for_user(outsider)
    assert m.StrategyProject.objects.for_user(outsider).count() == 1


def test_for_user_returns_nothing_for_an_anonymous_user(project, consultant):
    assert not m.StrategyProject.objects.for_user(AnonymousUser()).exists()


def test_with_role_of_annotates_the_users_role(project, manager, outsider):
    other = m.StrategyProject.objects.for_user(outsider).get()
    rows = {p.pk: p.user_role for p in m.StrategyProject.objects.with_role_of(manager)}
    assert rows[project.pk] == m.Role.MANAGER
    assert rows[other.pk] is None


def test_with_latest_version_annotates_the_highest_numbered_version(project):
    VersionFactory(project=project, number=3, name="Third")
    version_in(project, m.VersionStatus.APPROVED, number=1, name="First")
    version_in(project, m.VersionStatus.REJECTED, number=2, name="Second")
    empty = ProjectFactory()
    rows = {p.pk: p for p in m.StrategyProject.objects.with_latest_version()}
    assert rows[project.pk].latest_version_status == m.VersionStatus.DRAFT
    assert rows[project.pk].latest_version_name == "Third"
    assert rows[empty.pk].latest_version_status is None


def test_role_of_is_cached_on_the_project(project, consultant, manager, django_assert_num_queries):
    fresh = m.StrategyProject.objects.get(pk=project.pk)
    with django_assert_num_queries(1):
        assert fresh.role_of(consultant) == m.Role.CONSULTANT
    with django_assert_num_queries(0):
        assert fresh.role_of(consultant) == m.Role.CONSULTANT
    with django_assert_num_queries(1):
        assert fresh.role_of(manager) == m.Role.MANAGER


def test_role_of_caches_a_missing_membership_too(project, outsider, django_assert_num_queries):
    fresh = m.StrategyProject.objects.get(pk=project.pk)
    with django_assert_num_queries(1):
        assert fresh.role_of(outsider) is None
    with django_assert_num_queries(0):
        assert fresh.role_of(outsider) is None


def test_role_of_an_anonymous_user_is_none_without_a_query(project, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert project.role_of(AnonymousUser()) is None
