"""Material with exactly one gap of every kind, for the gap analysis and the overview's words for it."""

from strategies.models import CompetitorKind

from .factories import (
    BenefitFactory,
    CompetitorFactory,
    KpiFactory,
    OptionFactory,
    PresenceFactory,
    RequirementFactory,
    TopicFactory,
)


def one_gap_of_every_kind(project) -> dict:
    """A project with exactly one gap of every kind, and material without gaps beside it: kind -> item."""
    good = TopicFactory(project=project, title="Good", priority=4, social_media_affinity=4)
    good_option = OptionFactory(topic=good)
    RequirementFactory(option=good_option)  # the resources step has begun
    KpiFactory(benefit=good_option.benefit)  # SMART
    competitor = CompetitorFactory(project=project, name="Rival")
    PresenceFactory(competitor=competitor, topic=good)
    attention = CompetitorFactory(project=project, name="Cat videos", kind=CompetitorKind.ATTENTION)
    PresenceFactory(competitor=attention, topic=good)  # present on a topic: no gap

    bare = TopicFactory(project=project, title="Bare", priority=3, social_media_affinity=3)
    lonely_benefit = BenefitFactory(topic=good, title="Lonely")
    unequipped = OptionFactory(topic=good, title="Unequipped")
    unwatched = TopicFactory(project=project, title="Unwatched", priority=3, social_media_affinity=3)
    RequirementFactory(option=OptionFactory(topic=unwatched))
    awkward = TopicFactory(project=project, title="Awkward", priority=5, social_media_affinity=1)
    RequirementFactory(option=OptionFactory(topic=awkward))
    PresenceFactory(competitor=competitor, topic=awkward)
    outsider = CompetitorFactory(project=project, name="Streaming", kind=CompetitorKind.ATTENTION)
    vague = KpiFactory(benefit=good_option.benefit, metric="Reach", description="  ", owner="")
    return {
        "topic_without_benefit": bare,
        "benefit_without_option": lonely_benefit,
        "option_without_requirement": unequipped,
        "option_without_competitor_view": unwatched,
        "low_affinity_high_priority": awkward,
        "attention_outside_model": outsider,
        "kpi_not_smart": vague,
    }
