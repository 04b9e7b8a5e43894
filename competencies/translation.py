from modeltranslation.translator import TranslationOptions, register

from .models import BenefitType, BusinessModelBlock, CompetenceArea, Effect, GuidingQuestion, ResourceType, UsageFormat


@register(CompetenceArea)
class CompetenceAreaTranslation(TranslationOptions):
    fields = ("title", "summary", "why_it_matters", "competence_required")
    required_languages = ("de", "en")


@register(GuidingQuestion)
class GuidingQuestionTranslation(TranslationOptions):
    fields = ("text",)
    required_languages = ("de", "en")


@register([BusinessModelBlock, UsageFormat, Effect, BenefitType])
class CatalogueEntryTranslation(TranslationOptions):
    fields = ("title", "description")
    required_languages = {"de": ("title",), "en": ("title",)}


@register(ResourceType)
class ResourceTypeTranslation(TranslationOptions):
    fields = ("title", "description", "unit")
    required_languages = {"de": ("title", "unit"), "en": ("title", "unit")}
