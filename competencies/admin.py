from django.contrib import admin
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .models import BenefitType, BusinessModelBlock, CompetenceArea, Effect, GuidingQuestion, ResourceType, UsageFormat


class GuidingQuestionInline(TranslationTabularInline):
    model = GuidingQuestion
    extra = 1
    fields = ("order", "text", "is_active")


@admin.register(CompetenceArea)
class CompetenceAreaAdmin(TranslationAdmin):
    list_display = ("order", "title", "key", "is_active")
    list_display_links = ("title",)
    list_editable = ("order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("key", "title_de", "title_en", "summary_de", "summary_en")
    ordering = ("order",)
    inlines = [GuidingQuestionInline]


@admin.register(GuidingQuestion)
class GuidingQuestionAdmin(TranslationAdmin):
    list_display = ("text", "area", "order", "is_active")
    list_filter = ("area", "is_active")
    search_fields = ("text_de", "text_en")
    ordering = ("area__order", "order")
    list_select_related = ("area",)


class CatalogueEntryAdmin(TranslationAdmin):
    list_display = ("order", "title", "key", "is_active")
    list_display_links = ("title",)
    list_editable = ("order", "is_active")
    list_filter = ("is_active",)
    search_fields = ("key", "title_de", "title_en", "description_de", "description_en")
    ordering = ("order",)


@admin.register(BusinessModelBlock)
class BusinessModelBlockAdmin(CatalogueEntryAdmin):
    list_display = ("order", "title", "key", "grid_column", "grid_row", "column_span", "row_span", "is_active")


admin.site.register(UsageFormat, CatalogueEntryAdmin)
admin.site.register(Effect, CatalogueEntryAdmin)
admin.site.register(BenefitType, CatalogueEntryAdmin)


@admin.register(ResourceType)
class ResourceTypeAdmin(CatalogueEntryAdmin):
    list_display = ("order", "title", "key", "kind", "unit", "is_active")
    list_filter = ("kind", "is_active")
