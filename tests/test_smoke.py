from tests.factories import KpiFactory, OptionFactory, PresenceFactory, RequirementFactory


def test_factories_build_a_connected_project(db):
    option = OptionFactory()
    presence = PresenceFactory(topic=option.topic, competitor__project=option.topic.project)
    requirement = RequirementFactory(option=option)
    kpi = KpiFactory(benefit=option.benefit)
    assert presence.competitor.project == option.topic.project
    assert requirement.option.benefit.topic == option.topic
    assert kpi.is_smart
