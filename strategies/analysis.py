"""Figures shared by the project page, the wizard and (later) versions and reports."""

from competencies.models import BusinessModelBlock

from .models import StrategyProject, Topic


def canvas(project: StrategyProject, topics=None) -> list[dict]:
    """The active canvas blocks in order, each with this project's topics, most focused first."""
    topics = topics if topics is not None else Topic.objects.filter(project=project)
    by_block: dict[int, list[Topic]] = {}
    for topic in topics.by_focus():
        by_block.setdefault(topic.block_id, []).append(topic)
    blocks = BusinessModelBlock.objects.active().order_by("order")
    return [{"block": block, "topics": by_block.get(block.pk, [])} for block in blocks]
