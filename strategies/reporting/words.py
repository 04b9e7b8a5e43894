"""Catalogue words of a version's content in the report's language.

A snapshot keeps the titles of catalogue entries (canvas blocks, usage formats, benefit
types, resource types and their units) and of choices (readiness stage, milestone status,
platform kind) in the language that was active when it was taken. Those words exist in
every language, so the report puts them into its own language: each stored word is looked
up among all the languages' words of its kind and replaced by the active language's word.
What the team wrote (topics, options, reasons, notes) is never touched, and a word that is
no catalogue word (an entry renamed or removed since) stays as it was stored.
"""

from __future__ import annotations

from django.conf import settings
from django.utils import translation

from competencies.models import BenefitType, BusinessModelBlock, ResourceType, UsageFormat

from ..models import MilestoneStatus, PlatformKind, ReadinessStage


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def catalogue_words(entries, field: str = "title") -> dict[str, str]:
    """Every language's word of each entry -> the entry's word in the active language."""
    words: dict[str, str] = {}
    for entry in entries:
        current = getattr(entry, field)
        for code in _languages():
            word = getattr(entry, f"{field}_{code}", None)
            if word:
                words.setdefault(word, current)
    return words


def choice_words(choices) -> dict[str, str]:
    """Every language's label of each choice -> its label in the active language."""
    words: dict[str, str] = {}
    for _value, label in choices.choices:
        current = str(label)
        for code in _languages():
            with translation.override(code):
                words.setdefault(str(label), current)
    return words


class Words:
    """The lookups one report needs (four queries, once)."""

    def __init__(self):
        self.block = catalogue_words(BusinessModelBlock.objects.all())
        self.usage_format = catalogue_words(UsageFormat.objects.all())
        self.benefit_type = catalogue_words(BenefitType.objects.all())
        resource_types = list(ResourceType.objects.all())
        self.resource_type = catalogue_words(resource_types)
        self.unit = catalogue_words(resource_types, "unit")
        self.readiness = choice_words(ReadinessStage)
        self.milestone = choice_words(MilestoneStatus)
        self.platform = choice_words(PlatformKind)


def _swap(item: dict, key: str, words: dict[str, str]) -> None:
    value = item.get(key)
    if isinstance(value, str) and value in words:
        item[key] = words[value]


def content_in_language(content: dict, words: Words | None = None) -> dict:
    """A copy of the version content with its catalogue and choice words in the active language."""
    words = words or Words()
    content = dict(content)

    def rows(key: str) -> list[dict]:
        copied = [dict(item) for item in content.get(key) or []]
        content[key] = copied
        return copied

    for option in rows("options"):
        _swap(option, "block", words.block)
        _swap(option, "usage_format", words.usage_format)
        option["requirements"] = [dict(r) for r in option.get("requirements") or []]
        for requirement in option["requirements"]:
            _swap(requirement, "resource_type", words.resource_type)
            _swap(requirement, "unit", words.unit)
    for key in ("topics", "all_topics"):
        for topic in rows(key):
            _swap(topic, "block", words.block)
    for benefit in rows("benefits"):
        _swap(benefit, "benefit_type", words.benefit_type)
        _swap(benefit, "usage_format", words.usage_format)
    for resource in rows("resources"):
        _swap(resource, "resource_type", words.resource_type)
        _swap(resource, "unit", words.unit)
    for milestone in rows("milestones"):
        _swap(milestone, "status", words.milestone)
    for platform in rows("platforms"):
        _swap(platform, "kind", words.platform)
        _swap(platform, "usage_format", words.usage_format)
    if isinstance(content.get("project"), dict):
        content["project"] = dict(content["project"])
        _swap(content["project"], "readiness_stage", words.readiness)
    if isinstance(content.get("swot"), dict):
        content["swot"] = {**content["swot"], "items": [dict(item) for item in content["swot"].get("items") or []]}
        for item in content["swot"]["items"]:
            if item.get("source_type") == "resource_type":
                _swap(item, "title", words.resource_type)
                _swap(item, "unit", words.unit)
    balance = content.get("resource_balance")
    if isinstance(balance, dict):
        content["resource_balance"] = {**balance, "rows": [dict(row) for row in balance.get("rows") or []]}
        for row in content["resource_balance"]["rows"]:
            _swap(row, "title", words.resource_type)
            _swap(row, "unit", words.unit)
    return content
