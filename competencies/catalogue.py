"""Loading the default catalogue shipped in competencies/data/catalogue.json.

Used by the data migration (with historical models) and by the
`load_catalogue` command. Rows are matched by key; existing rows keep the
words an admin may have changed unless `overwrite` is asked for.
"""

import json
from pathlib import Path

CATALOGUE_FILE = Path(__file__).resolve().parent / "data" / "catalogue.json"

# JSON section -> model name
SECTIONS = {
    "blocks": "BusinessModelBlock",
    "usage_formats": "UsageFormat",
    "effects": "Effect",
    "benefit_types": "BenefitType",
    "resource_types": "ResourceType",
}


def read_catalogue(path: Path = CATALOGUE_FILE) -> dict:
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def _upsert(model, key: str, values: dict, overwrite: bool) -> tuple[object, bool]:
    obj = model.objects.filter(key=key).first()
    if obj is None:
        return model.objects.create(key=key, **values), True
    if overwrite:
        for field, value in values.items():
            setattr(obj, field, value)
        obj.save()
    return obj, False


def _with_default_language(values: dict) -> dict:
    """modeltranslation keeps the untranslated column in step with German;
    historical models in migrations do not, so fill it explicitly."""
    # Plain fields first: on live models modeltranslation routes a plain
    # field to the active language's column, which the explicit _de/_en
    # values that follow then set right.
    filled = {field[:-3]: value for field, value in values.items() if field.endswith("_de")}
    filled.update(values)
    return filled


def load_catalogue(get_model, data: dict | None = None, *, overwrite: bool = False) -> dict[str, int]:
    """Create (or with overwrite, update) every catalogue row; returns counts of rows created."""
    data = data if data is not None else read_catalogue()
    created: dict[str, int] = {}
    area_model = get_model("competencies", "CompetenceArea")
    question_model = get_model("competencies", "GuidingQuestion")
    for area_data in data["areas"]:
        values = {k: v for k, v in area_data.items() if k not in ("key", "questions")}
        area, was_created = _upsert(area_model, area_data["key"], _with_default_language(values), overwrite)
        created["areas"] = created.get("areas", 0) + was_created
        # Questions have no key: seed them only for a new area (or on overwrite
        # when the area has none), so an admin's edits are never duplicated.
        if was_created or (overwrite and not question_model.objects.filter(area=area).exists()):
            for question in area_data["questions"]:
                question_model.objects.create(area=area, **_with_default_language(question))
                created["questions"] = created.get("questions", 0) + 1
    for section, model_name in SECTIONS.items():
        model = get_model("competencies", model_name)
        for row in data[section]:
            values = {k: v for k, v in row.items() if k != "key"}
            _, was_created = _upsert(model, row["key"], _with_default_language(values), overwrite)
            created[section] = created.get(section, 0) + was_created
    return created
