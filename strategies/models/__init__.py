"""The strategies domain, one module per part of the method."""

from .access import AccessAction, AccessChange
from .base import Rating, StaleLockVersion, WorkingMaterial
from .business_model import BusinessBenefit, Topic
from .checkins import Cadence, CheckInReminder, KpiCheckIn, KpiTracking
from .competition import Competitor, CompetitorKind, CompetitorPresence
from .content_plan import ContentPillar, ContentPlanLine
from .counters import CATALOGUE_SCOPE, ContentCounter
from .implementation import Kpi, Milestone, MilestoneStatus, Platform, PlatformKind
from .live import (
    DotVote,
    DotVoteDot,
    IdeaCard,
    IdeaOutcome,
    IdeaRound,
    IdeaRoundState,
    LiveParticipant,
    LiveSession,
    LiveTimer,
    VoteState,
    VoteTarget,
)
from .notifying import (
    Notification,
    NotificationKind,
    NotificationMode,
    NotificationPreference,
    ProjectWebhook,
    WebhookKind,
)
from .options import ActionOption
from .project import (
    ChecklistAnswer,
    Client,
    EffectRelevance,
    Membership,
    ReadinessStage,
    Role,
    StepComment,
    StrategyProject,
    UsageFormatRelevance,
)
from .reports import Report, ReportKind, ReportLanguage, ReportStatus
from .resources import Resource, ResourceRequirement
from .reviews import FindingStatus, MilestoneStatusChange, ReviewDecision, ReviewFinding, StrategyReview
from .scenarios import Scenario
from .share_links import ShareLink, ShareLinkAccess, ShareLinkAccessKind
from .swot import SwotNote, SwotQuadrant
from .versions import (
    ALLOWED_TRANSITIONS,
    Decision,
    StrategyVersion,
    VersionComment,
    VersionDecision,
    VersionOption,
    VersionStatus,
    VersionTransition,
)

__all__ = [
    "ContentPillar",
    "ContentPlanLine",
    "SwotNote",
    "SwotQuadrant",
    "Notification",
    "NotificationKind",
    "NotificationMode",
    "NotificationPreference",
    "ProjectWebhook",
    "WebhookKind",
    "DotVote",
    "DotVoteDot",
    "IdeaCard",
    "IdeaOutcome",
    "IdeaRound",
    "IdeaRoundState",
    "LiveParticipant",
    "LiveSession",
    "LiveTimer",
    "VoteState",
    "VoteTarget",
    "StrategyReview",
    "ReviewFinding",
    "ReviewDecision",
    "MilestoneStatusChange",
    "FindingStatus",
    "KpiTracking",
    "KpiCheckIn",
    "CheckInReminder",
    "Cadence",
    "AccessAction",
    "AccessChange",
    "ActionOption",
    "BusinessBenefit",
    "CATALOGUE_SCOPE",
    "ChecklistAnswer",
    "Client",
    "Competitor",
    "CompetitorKind",
    "CompetitorPresence",
    "ContentCounter",
    "Decision",
    "EffectRelevance",
    "Kpi",
    "Membership",
    "Milestone",
    "MilestoneStatus",
    "Platform",
    "PlatformKind",
    "Rating",
    "ReadinessStage",
    "Report",
    "ReportKind",
    "ReportLanguage",
    "ReportStatus",
    "Resource",
    "ResourceRequirement",
    "Role",
    "ShareLink",
    "ShareLinkAccess",
    "ShareLinkAccessKind",
    "Scenario",
    "StaleLockVersion",
    "StepComment",
    "StrategyProject",
    "StrategyVersion",
    "Topic",
    "UsageFormatRelevance",
    "VersionComment",
    "VersionDecision",
    "VersionTransition",
    "ALLOWED_TRANSITIONS",
    "VersionOption",
    "VersionStatus",
    "WorkingMaterial",
]
