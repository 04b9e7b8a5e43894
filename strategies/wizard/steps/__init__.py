"""One module per competence area: which data the step shows and which rows it edits.

The catalogue supplies the words and the order; this registry maps each area
key to its step module. Each module defines STEP (template and loader) and
registers its editable row kinds (see `wizard/rows.py`) when imported.
"""

from . import (
    action_options,
    business_benefit,
    business_model,
    competition,
    implementation,
    method,
    overview,
    potential,
    resources,
)
from .base import Step

MODULES = [
    potential,
    business_model,
    action_options,
    competition,
    business_benefit,
    overview,
    method,
    resources,
    implementation,
]

STEPS: dict[str, Step] = {module.STEP.key: module.STEP for module in MODULES}
