"""Figures shared by the project page, the wizard and (later) versions and reports."""

from competencies.models import BusinessModelBlock

from .models import StrategyProject, Topic


def canvas(project: StrategyProject, topics=None, by_focus: bool = True) -> list[dict]:
    """The active canvas blocks in order, each with this project's topics.

    Topics come most focused first, or (by_focus=False) in the order the team arranged them.
    """
    topics = topics if topics is not None else Topic.objects.filter(project=project)
    by_block: dict[int, list[Topic]] = {}
    for topic in topics.by_focus() if by_focus else topics.order_by("order", "id"):
        by_block.setdefault(topic.block_id, []).append(topic)
    blocks = BusinessModelBlock.objects.active().order_by("order")
    return [{"block": block, "topics": by_block.get(block.pk, [])} for block in blocks]
