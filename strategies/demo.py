"""Demo data: the demo users, a filled demo project and (optionally) a large benchmark project.

Used by `manage.py seed_demo`. The rules:

- Users are always ensured: created when missing, made active, and their
  password reset to the demo password, so the logins the command prints work.
  Existing names and e-mail addresses are left as they are.
- A demo project is recognised by its natural key (client name + project
  title). If it exists, its content is left alone, whatever a user changed in
  it; only the demo users' memberships are ensured (missing ones are added,
  existing roles are not touched), so a recreated demo user sees the project again.
- Everything runs in one transaction: a failed seed leaves nothing behind.
- Strategy management (issue 14): the demo's V1 was approved DEMO_APPROVED_DAYS_AGO days before
  the seed, and what happened since (check-ins, milestone moves, two reviews, the "adjust" that
  started V2) is recorded through the services on the days it happened, so the cockpit shows
  every light and `send_checkin_reminders` has something to send. The generated benchmark
  projects get three years of weekly check-ins, written in bulk (seed_generated_checkins).

The demo project's content is kept in plain Python structures below so it can
be read and edited like a workshop protocol. All user-visible texts are German,
the product's primary language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from unittest import mock

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from competencies.models import (
    BenefitType,
    BusinessModelBlock,
    Effect,
    GuidingQuestion,
    ResourceType,
    UsageFormat,
)

from .analysis.kpi_status import Reading, State, clean_number, path_value, status
from .content_changes import content_changed
from .models import (
    ActionOption,
    BusinessBenefit,
    Cadence,
    ChecklistAnswer,
    Client,
    Competitor,
    CompetitorKind,
    CompetitorPresence,
    ContentPillar,
    ContentPlanLine,
    Decision,
    EffectRelevance,
    FindingStatus,
    Kpi,
    KpiCheckIn,
    KpiTracking,
    Membership,
    Milestone,
    MilestoneStatus,
    Platform,
    PlatformKind,
    ReadinessStage,
    Resource,
    ResourceRequirement,
    ReviewDecision,
    Role,
    StrategyProject,
    StrategyVersion,
    SwotNote,
    Topic,
    UsageFormatRelevance,
    VersionOption,
)
from .models.checkins import next_period_start, period_start
from .services.approval import strategy_version_decide, strategy_version_submit
from .services.checkins import approved_on, kpi_checkin_record, kpi_tracking_update
from .services.milestones import milestone_status_change
from .services.reviews import strategy_review_record
from .services.versions import actor_name, strategy_version_create, strategy_version_update
from .snapshots import snapshot_kpis, version_content
from .strategy_standing import plan_of

DEFAULT_PASSWORD = "pbsm-demo-2026"
DEMO_URL = "http://127.0.0.1:8000/"
CONSULTANTS_GROUP = "consultants"
SIZES = ("small", "large", "xl")


class DemoDataError(Exception):
    """The demo data cannot be built, e.g. because the default catalogue is missing."""


def demo_password() -> str:
    """The password of all demo users: settings.DEMO_PASSWORD, or the default when it is empty."""
    return getattr(settings, "DEMO_PASSWORD", "") or DEFAULT_PASSWORD


# ---------------------------------------------------------------------------
# Users
# ---------------------------------------------------------------------------

# role: the membership role in the demo projects (None: no membership).
DEMO_USERS = [
    {
        "username": "admin",
        "first_name": "Stefan",
        "last_name": "Braun",
        "email": "stefan.braun@example.com",
        "label": "administrator (staff, superuser)",
        "staff": True,
        "role": None,
    },
    {
        "username": "berater",
        "first_name": "Thomas",
        "last_name": "Hoffmann",
        "email": "thomas.hoffmann@example.com",
        "label": "consultant",
        "staff": False,
        "role": Role.CONSULTANT,
    },
    {
        "username": "beraterin2",
        "first_name": "Julia",
        "last_name": "Schneider",
        "email": "julia.schneider@example.com",
        "label": "consultant",
        "staff": False,
        "role": Role.CONSULTANT,
    },
    {
        "username": "manager",
        "first_name": "Martin",
        "last_name": "Brenner",
        "email": "martin.brenner@example.com",
        "label": "manager (managing director of the client)",
        "staff": False,
        "role": Role.MANAGER,
    },
    {
        "username": "viewer",
        "first_name": "Katrin",
        "last_name": "Vogel",
        "email": "katrin.vogel@example.com",
        "label": "viewer",
        "staff": False,
        "role": Role.VIEWER,
    },
]


@dataclass
class DemoLogin:
    username: str
    full_name: str
    role: str
    password: str


@dataclass
class ProjectOutcome:
    project: StrategyProject
    created: bool
    counts: dict[str, int] = field(default_factory=dict)


@dataclass
class SeedResult:
    logins: list[DemoLogin]
    projects: list[ProjectOutcome]
    url: str = DEMO_URL


def ensure_demo_users(*, password: str) -> dict:
    """Create missing demo users and reset every demo user's password; returns users by username."""
    user_model = get_user_model()
    try:
        consultants = Group.objects.get(name=CONSULTANTS_GROUP)
    except Group.DoesNotExist as exc:
        raise DemoDataError(f'Group "{CONSULTANTS_GROUP}" is missing; run "manage.py migrate" first.') from exc
    users = {}
    for spec in DEMO_USERS:
        user, _ = user_model.objects.get_or_create(
            username=spec["username"],
            defaults={"first_name": spec["first_name"], "last_name": spec["last_name"], "email": spec["email"]},
        )
        user.is_active = True
        if spec["staff"]:
            user.is_staff = True
            user.is_superuser = True
        user.set_password(password)
        user.save()
        if spec["role"] == Role.CONSULTANT:
            user.groups.add(consultants)
        users[spec["username"]] = user
    return users


def _seed_client(spec: dict, title: str) -> Client:
    """The client that holds the seeded project, or a new one.

    Client names are not unique (each consultancy keeps its own record of a client), so a
    name alone may match several; the one with the seeded project is the seed's.
    """
    seeded = StrategyProject.objects.filter(client__name=spec["name"], title=title).order_by("pk").first()
    if seeded is not None:
        return seeded.client
    return Client.objects.create(name=spec["name"], industry=spec["industry"], description=spec["description"])


def ensure_memberships(*, project: StrategyProject, users: dict) -> None:
    for spec in DEMO_USERS:
        if spec["role"]:
            Membership.objects.get_or_create(
                project=project, user=users[spec["username"]], defaults={"role": spec["role"]}
            )


# ---------------------------------------------------------------------------
# The demo project: Brenner Präzisionstechnik GmbH
# ---------------------------------------------------------------------------

DEMO_CLIENT = {
    "name": "Brenner Präzisionstechnik GmbH",
    "industry": "Maschinenbau – Präzisionsdreh- und Frästeile",
    "description": (
        "Familienunternehmen in dritter Generation mit rund 250 Mitarbeitenden in Albstadt (Zollernalbkreis, "
        "Baden-Württemberg). Fertigt einbaufertige Dreh- und Frästeile, Getriebekomponenten und kleine "
        "Baugruppen für Maschinenbau, Medizintechnik und Fahrzeugzulieferer; Exportanteil rund 35 %."
    ),
}

DEMO_PROJECT = {
    "title": "Social-Media-Strategie 2027",
    "description": (
        "Social Media soll vier Unternehmensziele unterstützen: Fachkräfte und Auszubildende gewinnen, Anfragen "
        "von Konstrukteuren und Einkäufern erzeugen, den technischen Kundenservice entlasten und den Ruf als "
        "verlässlicher Präzisionsfertiger stärken. Bisher gibt es eine unregelmäßig gepflegte LinkedIn-Seite und "
        "einen Instagram-Account, den die Auszubildenden in Eigenregie betreiben."
    ),
    "readiness_stage": ReadinessStage.BOLT_ON,
    "potential_notes": (
        "Social Media läuft heute nebenher: Die Marketing-Referentin pflegt LinkedIn, wenn Zeit bleibt, Ergebnisse "
        "werden nicht gemessen. Ziel für 2027 ist die nächste Stufe – Social Media planvoll betreiben und fest an "
        "Personalgewinnung und Vertrieb anbinden. Den größten Beitrag erwartet die Geschäftsführung bei der "
        "Fachkräftegewinnung, danach bei Anfragen aus dem Maschinenbau."
    ),
    "netiquette": (
        "Auf Instagram duzen wir, auf LinkedIn siezen wir. Kritik ist willkommen, solange sie sachlich bleibt. "
        "Beleidigungen, Diskriminierung, Werbung Dritter und personenbezogene Daten entfernen wir mit einem kurzen "
        "Hinweis. Zu Preisen, Kundenprojekten und Reklamationen äußern wir uns nicht öffentlich, sondern bieten "
        "den direkten Kontakt an."
    ),
    "monitoring": (
        "Werktags sichtet das Marketing Kommentare und Nachrichten auf LinkedIn, Instagram und kununu "
        "(Vertretung: Personalabteilung). Wöchentlich läuft eine Suche nach Firmennamen und Produktbezeichnungen "
        "im Monitoring-Tool; monatlich geht ein Kennzahlenbericht an die Geschäftsführung."
    ),
    "escalation_path": (
        "Stufe 1: Das Marketing beantwortet Fragen und einfache Kritik selbst. "
        "Stufe 2: Fachliche Themen gehen an Anwendungstechnik, Kundenservice oder Personalabteilung; die Antwort "
        "veröffentlicht das Marketing. "
        "Stufe 3: Bei Reklamationen mit Öffentlichkeitswirkung, rechtlichen Fragen oder einem Empörungssturm "
        "entscheidet die Geschäftsführung mit Marketing und bei Bedarf der Rechtsberatung; die erste öffentliche "
        "Reaktion erfolgt innerhalb von vier Stunden."
    ),
    "response_time_hours": 24,
    "review_cadence": (
        "Monatlicher Kennzahlen-Check, quartalsweises Strategie-Review mit der Geschäftsführung, "
        "Nachfolgestrategie ab Oktober 2027"
    ),
}

EFFECT_RELEVANCE = {
    "information": (
        5,
        "Konstrukteure und Bewerber informieren sich gründlich, bevor sie Kontakt aufnehmen; fachliche Inhalte "
        "sind der wichtigste Hebel.",
    ),
    "dialogue": (
        3,
        "Dialog vor allem im Kundenservice und mit Bewerbern; öffentliche Gespräche über Kundenprojekte sind heikel.",
    ),
    "networking": (
        4,
        "Die Vernetzung von Außendienst, Anwendungstechnik und Hochschulpartnern auf LinkedIn erhöht die "
        "Reichweite in einem kleinen Fachpublikum.",
    ),
}

USAGE_FORMAT_RELEVANCE = {
    "audience": (4, "Karriere-Inhalte und Einblicke in die Fertigung für ein breites Publikum in der Region."),
    "network": (5, "Kern der Strategie: die persönlichen Netzwerke von Vertrieb, Geschäftsführung und Fachleuten."),
    "community": (
        2,
        "Eine Service-Community für Bestandskunden ist denkbar, braucht aber Betreuungskompetenz, die heute fehlt.",
    ),
}

# (area key, question order in the default catalogue, done, notes)
CHECKLIST = [
    ("potential", 1, True, "Information und Vernetzung sind zentral, Dialog vor allem im Service."),
    ("potential", 2, True, "Network für Vertrieb, Audience für Recruiting; Community erst in einem zweiten Schritt."),
    ("potential", 3, True, "Heute Bolt-on; Ziel 2027: Social Media planvoll optimieren."),
    ("potential", 4, True, "LinkedIn-Seite (ca. 1.900 Follower), Azubi-Instagram (ca. 600 Follower), keine Messung."),
    ("potential", 5, False, "Workshop mit Vertrieb und Personal am 14.10. – Service-Abteilung fehlte noch."),
    ("business_model", 1, True, "Maschinenbau (ca. 60 % Umsatz), Medizintechnik wachsend, Rahmenaufträge als Kern."),
    ("business_model", 2, True, "16 Themen über alle neun Bausteine gesammelt."),
    ("business_model", 3, True, "Mit der Geschäftsführung am 21.10. abgestimmt."),
    ("business_model", 7, False, "Medizintechnik und Rahmenaufträge: hohe Priorität, geringe Affinität – offen."),
    ("action_options", 1, True, "20 Optionen aus zwei Kreativrunden."),
]

# Topics in workshop order. Keys (benefits "key", options "key") are only
# references inside this module; they are not stored.
TOPICS = [
    {
        "key": "maschinenbau",
        "block": "customer_segments",
        "title": "Maschinen- und Anlagenbauer im DACH-Raum",
        "description": (
            "Größtes Kundensegment mit rund 60 % des Umsatzes; Ansprechpartner sind Konstrukteure, "
            "Entwicklungsleiter und Einkäufer."
        ),
        "priority": 5,
        "affinity": 4,
        "benefits": [
            {
                "key": "anfragen_konstrukteure",
                "type": "lead_generation",
                "title": "Anfragen von Konstrukteuren",
                "priority": 5,
                "format": "network",
                "methods": "Fachbeiträge, Webinare, Direktnachrichten des Außendiensts",
                "preconditions": (
                    "Die Anwendungstechnik liefert zwei Fachthemen pro Monat; Anfragen werden im CRM mit ihrer "
                    "Quelle erfasst."
                ),
                "causal_chain": "Follower → Interessent → Anfrage mit Zeichnung → Angebot → Auftrag",
                "receiving_process": "Vertrieb Innendienst (Angebotserstellung)",
            },
        ],
        "options": [
            {
                "key": "linkedin_fachbeitraege",
                "title": "LinkedIn-Fachbeiträge für Konstrukteure",
                "benefit": "anfragen_konstrukteure",
                "user_benefit": "Konkrete Tipps, wie Bauteile fertigungsgerecht und günstiger konstruiert werden",
                "motivation": "Fachlich auf dem neuesten Stand bleiben und teure Konstruktionsfehler vermeiden",
                "participation": "Lesen, kommentieren, Fragen stellen, Konstruktionsleitfaden herunterladen",
                "format": "network",
                "services": (
                    "Zwei Fachbeiträge pro Monat, Antworten auf Fachfragen innerhalb eines Arbeitstags, "
                    "Freigabe durch die Anwendungstechnik"
                ),
                "effort": 3,
                "needs": [("staff_time", 4, 0)],
            },
            {
                "key": "webinar_konstruktion",
                "title": "Webinarreihe „Zerspanungsgerecht konstruieren“",
                "benefit": "anfragen_konstrukteure",
                "user_benefit": "Eine Stunde Praxiswissen mit der Gelegenheit, eigene Zeichnungen zu besprechen",
                "motivation": "Weiterbildung ohne Reiseaufwand und ein direkter Draht zu Fertigungsexperten",
                "participation": "Anmelden, Fragen im Chat stellen, eigene Beispielteile einsenden",
                "format": "audience",
                "services": (
                    "Vier Termine pro Jahr, Aufzeichnung auf YouTube und dem Karriereblog, Nachfassen durch den "
                    "Innendienst binnen einer Woche"
                ),
                "effort": 4,
                "needs": [("staff_time", 3, 0), ("external_agency", 6, 4), ("budget", 3000, 0)],
            },
        ],
    },
    {
        "key": "medizintechnik",
        "block": "customer_segments",
        "title": "Hersteller von Medizintechnik",
        "description": (
            "Wachstumssegment mit hohen Anforderungen an Dokumentation, Sauberkeit und Rückverfolgbarkeit. "
            "Entscheidungen fallen in Qualitäts- und Einkaufsabteilungen, die in sozialen Netzwerken kaum "
            "aktiv sind."
        ),
        # High priority, low affinity: the warning sign the method asks to discuss.
        "priority": 4,
        "affinity": 2,
        "benefits": [
            {
                "key": "vertrauen_medtech",
                "type": "reputation_trust",
                "title": "Vertrauen in die validierte Fertigung",
                "priority": 4,
                "format": "audience",
                "methods": "Fallstudien, Zertifikatsübersicht, Einblicke in den Reinraum",
                "preconditions": (
                    "Freigabe der Kunden für namentliche Fallstudien; Prüfung aller Aussagen durch das "
                    "Qualitätsmanagement"
                ),
                "causal_chain": (
                    "Fallstudie gelesen → Vertrauen in die Qualität → Aufnahme in die Lieferantenliste → "
                    "Musterauftrag → Serienauftrag"
                ),
                "receiving_process": "Key-Account-Management Medizintechnik",
            },
            {
                # Deliberately without an action option: a gap the overview shows.
                "key": "listening_medtech",
                "type": "market_insight",
                "title": "Frühe Hinweise auf neue Anforderungen der Medizintechnik",
                "priority": 3,
                "format": "network",
                "methods": "Beobachtung von Verbänden, Fachgruppen und Messeberichten",
                "preconditions": "Monitoring-Tool mit passenden Suchbegriffen und einer zuständigen Person",
                "causal_chain": (
                    "Beobachtete Diskussion → Erkenntnis über neue Normen → frühzeitige Anpassung des Angebots → "
                    "Vorsprung bei Ausschreibungen"
                ),
                "receiving_process": "Qualitätsmanagement und Produktmanagement",
            },
        ],
        "options": [
            {
                "key": "fallstudien_medtech",
                "title": "Fallstudien zur validierten Fertigung",
                "benefit": "vertrauen_medtech",
                "user_benefit": (
                    "Nachvollziehbare Beispiele, wie Validierung und Rückverfolgbarkeit in der Praxis umgesetzt werden"
                ),
                "motivation": "Das Risiko bei der Lieferantenauswahl senken",
                "participation": "Lesen, vollständige Fallstudie anfordern, Werksbesuch vereinbaren",
                "format": "audience",
                "services": (
                    "Zwei Fallstudien pro Jahr mit rechtlicher und regulatorischer Prüfung vor Veröffentlichung"
                ),
                "effort": 3,
                "needs": [("legal_compliance", 3, 0), ("staff_time", 2, 0)],
            },
        ],
    },
    {
        "key": "kleinserie",
        "block": "value_propositions",
        "title": "Präzisionsteile in Kleinserie ab Losgröße 1",
        "description": (
            "Einbaufertige Dreh- und Frästeile mit kurzen Lieferzeiten, auch als Einzelteil für Prototypen und "
            "Ersatzbedarf."
        ),
        "priority": 5,
        "affinity": 3,
        "benefits": [
            {
                "key": "neukunden_kleinserie",
                "type": "customer_acquisition",
                "title": "Neukunden für Prototypen und Kleinserien",
                "priority": 4,
                "format": "audience",
                "methods": "Beispielteile, Lieferzeitversprechen, Anfrage mit Zeichnungs-Upload",
                "preconditions": "Angebote für Kleinserien innerhalb von 48 Stunden; Anfrageformular auf der Website",
                "causal_chain": (
                    "Beitrag gesehen → Beispielteil passt zum eigenen Bedarf → Anfrage → Prototypauftrag → "
                    "Serienauftrag"
                ),
                "receiving_process": "Vertrieb Innendienst",
            },
            {
                "key": "wahrnehmung_spezialist",
                "type": "attitude_change",
                "title": "Wahrnehmung als Spezialist für anspruchsvolle Kleinserien",
                "priority": 3,
                "format": "audience",
                "methods": "Videos aus der Fertigung, Vorher-nachher-Vergleiche",
                "preconditions": "Gezeigte Teile sind eigene Musterteile oder vom Kunden freigegeben",
                "causal_chain": "Video gesehen → Kompetenz erkannt → Empfehlung oder Merkliste → Anfrage bei Bedarf",
                "receiving_process": "Marketing und Vertrieb Innendienst",
            },
        ],
        "options": [
            {
                "key": "teil_der_woche",
                "title": "Serie „Teil der Woche“",
                "benefit": "neukunden_kleinserie",
                "user_benefit": (
                    "Anregungen, welche Geometrien und Werkstoffe in Kleinserie wirtschaftlich machbar sind"
                ),
                "motivation": "Eine Lösung für eigene Sonderteile finden",
                "participation": "Liken, teilen, ähnliche Teile anfragen",
                "format": "audience",
                "services": "Ein Beitrag pro Woche mit Foto und Kennzahlen, Angebot innerhalb von 48 Stunden",
                "effort": 2,
                "needs": [("staff_time", 2, 0)],
            },
            {
                "key": "video_rohling",
                "title": "Videoserie „Vom Rohling zum Präzisionsteil“",
                "benefit": "wahrnehmung_spezialist",
                "user_benefit": "Ein unterhaltsamer und lehrreicher Blick auf moderne Zerspanung",
                "motivation": "Faszination Technik und Fachwissen",
                "participation": "Ansehen, teilen, Fragen zur Fertigung stellen",
                "format": "audience",
                "services": "Sechs professionell produzierte Kurzvideos pro Jahr mit bezahlter Verbreitung",
                "effort": 4,
                "needs": [("external_agency", 10, 6), ("paid_media", 5000, 0)],
            },
        ],
    },
    {
        "key": "konstruktionsberatung",
        "block": "value_propositions",
        "title": "Konstruktionsberatung für fertigungsgerechte Bauteile",
        "description": (
            "Anwendungstechniker prüfen Zeichnungen der Kunden und schlagen Vereinfachungen vor, die Kosten und "
            "Lieferzeit senken."
        ),
        "priority": 4,
        "affinity": 4,
        "benefits": [
            {
                "key": "fruehe_einbindung",
                "type": "lead_generation",
                "title": "Frühe Einbindung in Entwicklungsprojekte",
                "priority": 4,
                "format": "network",
                "methods": "Online-Sprechstunde, persönliche Vernetzung der Anwendungstechniker",
                "preconditions": (
                    "Die Anwendungstechniker haben vollständige LinkedIn-Profile und zwei Stunden pro Woche Zeit"
                ),
                "causal_chain": (
                    "Kontakt in der Sprechstunde → Zeichnungsprüfung → Bauteil wird auf Brenner ausgelegt → "
                    "Serienauftrag"
                ),
                "receiving_process": "Anwendungstechnik und Vertrieb Innendienst",
            },
        ],
        "options": [
            {
                "key": "sprechstunde_konstrukteure",
                "title": "Monatliche Online-Sprechstunde für Konstrukteure",
                "benefit": "fruehe_einbindung",
                "user_benefit": "Kostenlose Einschätzung eigener Zeichnungen durch erfahrene Fertigungsexperten",
                "motivation": "Kosten und Lieferzeit eigener Bauteile senken",
                "participation": "Termin buchen, Zeichnung einsenden, im Anschluss Fragen stellen",
                "format": "network",
                "services": "Ein Termin pro Monat, Rückmeldung zu eingereichten Zeichnungen binnen drei Tagen",
                "effort": 3,
                "needs": [("staff_time", 2, 0)],
            },
        ],
    },
    {
        "key": "qualitaetspruefung",
        "block": "key_activities",
        "title": "Fertigung und Qualitätsprüfung",
        "description": (
            "Drehen, Fräsen, Schleifen und Messen im Dreischichtbetrieb; Prüfung mit Koordinatenmesstechnik und "
            "lückenloser Dokumentation."
        ),
        "priority": 4,
        "affinity": 3,
        "benefits": [
            {
                "key": "vertrauen_qualitaet",
                "type": "reputation_trust",
                "title": "Vertrauen in gleichbleibende Qualität",
                "priority": 3,
                "format": "audience",
                "methods": "Kurzvideos aus der Messtechnik, Kennzahlen zur Liefertreue",
                "preconditions": "Zustimmung der gezeigten Mitarbeitenden; keine Kundenteile ohne Freigabe",
                "causal_chain": (
                    "Einblick gesehen → Qualität als verlässlich bewertet → geringere Hürde bei der "
                    "Lieferantenfreigabe → Erstauftrag"
                ),
                "receiving_process": "Qualitätsmanagement und Vertrieb",
            },
        ],
        "options": [
            {
                "key": "messtechnik_videos",
                "title": "Kurzvideos „Blick in die Messtechnik“",
                "benefit": "vertrauen_qualitaet",
                "user_benefit": "Verstehen, wie Präzision im Mikrometerbereich geprüft wird",
                "motivation": "Neugier auf Technik und Absicherung der eigenen Lieferantenwahl",
                "participation": "Ansehen, kommentieren, Fragen an die Qualitätssicherung stellen",
                "format": "audience",
                "services": "Ein Kurzvideo pro Monat, im Haus mit dem Smartphone produziert",
                "effort": 2,
                "needs": [("content_production", 3, 0), ("staff_time", 1, 0)],
            },
        ],
    },
    {
        "key": "ausbildung",
        "block": "key_activities",
        "title": "Ausbildung im eigenen Ausbildungszentrum",
        "description": (
            "Jedes Jahr zwölf bis vierzehn Ausbildungsplätze für Zerspanungsmechaniker, Industriemechaniker und "
            "Mechatroniker sowie zwei duale Studienplätze."
        ),
        "priority": 4,
        "affinity": 5,
        "benefits": [
            {
                "key": "ausbildungsplaetze",
                "type": "employer_branding",
                "title": "Alle Ausbildungsplätze besetzen",
                "priority": 5,
                "format": "community",
                "methods": "Azubis berichten selbst; Fragen von Schülern und Eltern werden direkt beantwortet",
                "preconditions": (
                    "Azubi-Redaktionsteam mit fester Arbeitszeit; Einwilligung der Erziehungsberechtigten bei "
                    "Minderjährigen"
                ),
                "causal_chain": (
                    "Beitrag gesehen → Praktikum angefragt → Praktikum absolviert → Bewerbung → Ausbildungsvertrag"
                ),
                "receiving_process": "Personalabteilung (Ausbildungsleitung)",
            },
        ],
        "options": [
            {
                "key": "azubi_kanal",
                "title": "Instagram-Kanal „Brenner Azubis“",
                "benefit": "ausbildungsplaetze",
                "user_benefit": "Ehrlicher Einblick in Ausbildung und Berufsschule aus erster Hand",
                "motivation": "Orientierung bei der Berufswahl und Kontakt zu Gleichaltrigen",
                "participation": "Folgen, per Direktnachricht fragen, Praktikumsplatz anfragen",
                "format": "community",
                "services": "Zwei Beiträge und mehrere Storys pro Woche, Antworten auf Nachrichten am selben Tag",
                "effort": 3,
                "needs": [("staff_time", 3, 0), ("training", 2, 2)],
            },
        ],
    },
    {
        "key": "fachkraefte",
        "block": "key_resources",
        "title": "Qualifizierte Fachkräfte in der Zerspanung",
        "description": (
            "Erfahrene Zerspanungsmechaniker, CNC-Programmierer und Qualitätsprüfer sind der Engpass: Elf Stellen "
            "sind offen, manche seit über einem halben Jahr."
        ),
        "priority": 5,
        "affinity": 5,
        "benefits": [
            {
                "key": "bewerbungen_fachkraefte",
                "type": "employer_branding",
                "title": "Mehr Bewerbungen auf offene Fachkräftestellen",
                "priority": 5,
                "format": "audience",
                "methods": "Mitarbeitende erzählen, Arbeitgeberbewertungen beantworten, Stellen als Kampagne",
                "preconditions": (
                    "Bewerbung ohne Anschreiben in fünf Minuten; Rückmeldung an Bewerber innerhalb von drei "
                    "Arbeitstagen"
                ),
                "causal_chain": (
                    "Follower → Interesse an einer Stelle → Kurzbewerbung → Vorstellungsgespräch → Einstellung"
                ),
                "receiving_process": "Personalabteilung (Recruiting)",
            },
            {
                "key": "arbeitgeberimage",
                "type": "attitude_change",
                "title": "Besseres Ansehen als Arbeitgeber in der Region",
                "priority": 4,
                "format": "network",
                "methods": "Antworten auf Bewertungsportalen, Berichte über Weiterbildung und Schichtmodelle",
                "preconditions": "Die Personalleitung übernimmt die Antworten auf kununu persönlich",
                "causal_chain": "Bewertung gelesen → Arbeitgeber positiv eingeschätzt → Bewerbung statt stiller Absage",
                "receiving_process": "Personalabteilung",
            },
        ],
        "options": [
            {
                "key": "markenbotschafter",
                "title": "Mitarbeitende als Markenbotschafter",
                "benefit": "bewerbungen_fachkraefte",
                "user_benefit": "Echte Geschichten von Kolleginnen und Kollegen statt Werbesprache",
                "motivation": "Wissen, wie es sich bei Brenner wirklich arbeitet",
                "participation": "Lesen, den Botschaftern Fragen stellen, Stellen an Bekannte weiterleiten",
                "format": "audience",
                "services": "Acht geschulte Botschafter mit je einem Beitrag pro Monat, begleitet vom Marketing",
                "effort": 4,
                "needs": [("staff_time", 3, 0), ("training", 3, 4)],
            },
            {
                "key": "karriereblog",
                "title": "Karriereblog mit Einblicken in den Arbeitsalltag",
                "benefit": "bewerbungen_fachkraefte",
                "user_benefit": "Schichtmodelle, Gehaltsrahmen und Weiterbildung an einem Ort",
                "motivation": "Gut informiert entscheiden, ob sich ein Wechsel lohnt",
                "participation": "Lesen, Kurzbewerbung absenden, Rückruf anfordern",
                "format": "audience",
                "services": "Zwei Artikel pro Monat, Kurzbewerbungsformular, Verlinkung aus allen Kanälen",
                "effort": 3,
                "needs": [("staff_time", 3, 0), ("budget", 2500, 0)],
            },
            {
                "key": "kununu_antworten",
                "title": "Arbeitgeberbewertungen auf kununu beantworten",
                "benefit": "arbeitgeberimage",
                "user_benefit": "Sehen, dass Kritik ernst genommen wird und sich etwas ändert",
                "motivation": "Eine verlässliche Einschätzung des künftigen Arbeitgebers",
                "participation": "Bewertungen lesen und selbst abgeben",
                "format": "network",
                "services": "Antwort auf jede Bewertung innerhalb von 48 Stunden, sachlich und persönlich",
                "effort": 2,
                "needs": [("staff_time", 1, 0)],
            },
        ],
    },
    {
        "key": "maschinenpark",
        "block": "key_resources",
        "title": "Moderner Maschinenpark mit 5-Achs-Bearbeitung",
        "description": (
            "Über 80 CNC-Maschinen, darunter automatisierte 5-Achs-Bearbeitungszentren mit Palettenspeicher für "
            "mannarme Schichten."
        ),
        "priority": 3,
        "affinity": 3,
        "benefits": [
            {
                "key": "moderne_arbeitsplaetze",
                "type": "employer_branding",
                "title": "Moderne Arbeitsplätze als Argument für Bewerber",
                "priority": 3,
                "format": "audience",
                "methods": "Virtueller Rundgang, Vorstellung neuer Maschinen",
                "preconditions": "Freigabe durch die Fertigungsleitung; keine vertraulichen Kundenteile im Bild",
                "causal_chain": "Rundgang angesehen → Arbeitsplatz als attraktiv bewertet → Bewerbung",
                "receiving_process": "Personalabteilung (Recruiting)",
            },
        ],
        "options": [
            {
                "key": "rundgang_360",
                "title": "360-Grad-Rundgang durch die Fertigung",
                "benefit": "moderne_arbeitsplaetze",
                "user_benefit": "Die Fertigung erkunden, ohne vor Ort sein zu müssen",
                "motivation": "Den künftigen Arbeitsplatz vorab kennenlernen",
                "participation": "Rundgang ansehen, Fragen an die Fertigungsleitung senden",
                "format": "audience",
                "services": (
                    "Einmalige Produktion mit jährlicher Aktualisierung, eingebunden in Karriereblog und "
                    "Stellenanzeigen"
                ),
                "effort": 3,
                "needs": [("external_agency", 4, 6), ("budget", 6000, 0)],
            },
        ],
    },
    {
        "key": "kundenservice",
        "block": "customer_relationships",
        "title": "Technischer Kundenservice und Ersatzteile",
        "description": (
            "Der Innendienst beantwortet täglich viele gleichartige Fragen zu Lieferzeiten, Ersatzteilen, "
            "Werkstoffzeugnissen und Montage."
        ),
        "priority": 4,
        "affinity": 3,
        "benefits": [
            {
                "key": "entlastung_service",
                "type": "service_relief",
                "title": "Weniger Standardanfragen im Innendienst",
                "priority": 4,
                "format": "community",
                "methods": "Öffentliche Antworten, Videoanleitungen, Kundenforum",
                "preconditions": (
                    "Wissensbasis mit den 50 häufigsten Fragen; Servicetechniker beantworten Fragen im Forum"
                ),
                "causal_chain": (
                    "Frage öffentlich beantwortet → viele Kunden lesen mit → weniger Anrufe → mehr Zeit für Angebote"
                ),
                "receiving_process": "Kundenservice (Innendienst)",
            },
            {
                "key": "bindung_bestandskunden",
                "type": "customer_retention",
                "title": "Engere Bindung der Bestandskunden",
                "priority": 3,
                "format": "community",
                "methods": "Geschlossene Community mit Servicewissen und Vorabinformationen zu Lieferzeiten",
                "preconditions": "Community-Management mit festen Reaktionszeiten; Anbindung an das Kundenportal",
                "causal_chain": ("Mitglied der Community → schnellere Hilfe → höhere Zufriedenheit → Folgeaufträge"),
                "receiving_process": "Key-Account-Management",
            },
        ],
        "options": [
            {
                "key": "faq_videos",
                "title": "Öffentliche FAQ und Videoanleitungen zu Ersatzteilen",
                "benefit": "entlastung_service",
                "user_benefit": "Sofort eine Antwort auf häufige Fragen, rund um die Uhr",
                "motivation": "Zeit sparen und Stillstand der eigenen Maschinen vermeiden",
                "participation": "Ansehen, Fragen kommentieren, Anleitung bewerten",
                "format": "audience",
                "services": "Zwanzig Anleitungen zum Start, danach zwei neue pro Monat",
                "effort": 3,
                "needs": [("staff_time", 2, 0)],
            },
            {
                "key": "service_community",
                "title": "Service-Community für Bestandskunden",
                "benefit": "bindung_bestandskunden",
                "user_benefit": "Direkter Draht zu Servicetechnikern und Austausch mit anderen Anwendern",
                "motivation": "Schneller Hilfe bekommen und von den Erfahrungen anderer profitieren",
                "participation": "Fragen stellen, Lösungen teilen, Verbesserungen vorschlagen",
                "format": "community",
                "services": (
                    "Moderation an Werktagen, Antwort innerhalb von vier Stunden, Community-Plattform mit "
                    "Anmeldung über das Kundenportal"
                ),
                "effort": 5,
                # Community management is the resource gap of the demo: needed 4, available 2.
                "needs": [
                    ("community_management", 4, 26),
                    ("staff_time", 5, 12),
                    ("budget", 12000, 8),
                    ("tools_licences", 1, 4),
                ],
            },
        ],
    },
    {
        "key": "anwendertreffen",
        "block": "customer_relationships",
        "title": "Anwendertreffen und Schulungen",
        "description": (
            "Einmal im Jahr treffen sich Einkäufer und Konstrukteure der wichtigsten Kunden zu Fachvorträgen und "
            "einer Werksführung."
        ),
        "priority": 3,
        "affinity": 4,
        "benefits": [
            {
                "key": "ideen_anwender",
                "type": "co_creation",
                "title": "Verbesserungsideen aus der Anwendergemeinschaft",
                "priority": 3,
                "format": "community",
                "methods": "Ideenforum, Abstimmungen, Vorstellung umgesetzter Vorschläge beim Anwendertreffen",
                "preconditions": "Das Produktmanagement sichtet Vorschläge monatlich und gibt Rückmeldung",
                "causal_chain": (
                    "Idee eingereicht → bewertet und umgesetzt → Kunde sieht seine Wirkung → stärkere Bindung "
                    "und Folgeaufträge"
                ),
                "receiving_process": "Produktmanagement und Anwendungstechnik",
            },
        ],
        "options": [
            {
                "key": "ideenforum",
                "title": "Ideenforum der Anwender",
                "benefit": "ideen_anwender",
                "user_benefit": "Einfluss auf Lösungen, die man selbst täglich nutzt",
                "motivation": "Anerkennung und bessere Produkte",
                "participation": "Ideen einreichen, kommentieren, abstimmen",
                "format": "community",
                "services": (
                    "Rückmeldung zu jeder Idee innerhalb von vier Wochen; Ergebnisse werden beim Anwendertreffen "
                    "vorgestellt"
                ),
                "effort": 4,
                "needs": [("community_management", 3, 26), ("staff_time", 2, 12), ("budget", 4000, 0)],
            },
        ],
    },
    {
        "key": "fachmessen",
        "block": "channels",
        "title": "Fachmessen (EMO, AMB, Medtec)",
        "description": (
            "Wichtigste Quelle für Neukontakte; der Messeauftritt bindet jedes Jahr einen großen Teil des "
            "Marketingbudgets."
        ),
        "priority": 4,
        "affinity": 4,
        "benefits": [
            {
                "key": "messekontakte",
                "type": "lead_generation",
                "title": "Mehr vereinbarte Gespräche am Messestand",
                "priority": 4,
                "format": "network",
                "methods": "Ankündigungen, persönliche Einladungen per Direktnachricht, Nachbereitung",
                "preconditions": (
                    "Terminbuchung über einen Online-Kalender; Messekontakte stehen binnen einer Woche im CRM"
                ),
                "causal_chain": "Einladung gesehen → Termin gebucht → Gespräch am Stand → Angebot → Auftrag",
                "receiving_process": "Vertrieb Außendienst",
            },
        ],
        "options": [
            {
                "key": "messe_countdown",
                "title": "Messe-Countdown mit Terminbuchung auf LinkedIn",
                "benefit": "messekontakte",
                "user_benefit": "Ein fester Gesprächstermin ohne Wartezeit und eine Vorschau auf die Exponate",
                "motivation": "Die knappe Messezeit gut nutzen",
                "participation": "Termin buchen, Beitrag teilen, Kolleginnen und Kollegen mitbringen",
                "format": "network",
                "services": (
                    "Vier Wochen Vorlauf mit wöchentlichen Beiträgen, persönliche Einladungen durch den Außendienst"
                ),
                "effort": 2,
                "needs": [("staff_time", 1, 0), ("paid_media", 2000, 0)],
            },
        ],
    },
    {
        "key": "aussendienst",
        "block": "channels",
        "title": "Außendienst und Handelsvertretungen",
        "description": (
            "Sechs Außendienstmitarbeitende in Deutschland, Österreich und der Schweiz sowie Handelsvertretungen "
            "in Frankreich und Italien."
        ),
        "priority": 4,
        "affinity": 3,
        "benefits": [
            {
                "key": "social_selling",
                "type": "sales_support",
                "title": "Kontaktpflege und Terminanbahnung über LinkedIn",
                "priority": 4,
                "format": "network",
                "methods": "Social Selling, gemeinsame Inhalte, Vernetzung vor und nach Kundenbesuchen",
                "preconditions": "Schulung und Lizenzen für den Außendienst; die Vertriebsleitung geht voran",
                "causal_chain": (
                    "Vernetzung → Beitrag kommentiert → Gesprächsanlass → Besuchstermin → Angebot → Auftrag"
                ),
                "receiving_process": "Vertrieb Außendienst",
            },
        ],
        "options": [
            {
                "key": "social_selling_programm",
                "title": "Social-Selling-Programm für den Außendienst",
                "benefit": "social_selling",
                "user_benefit": "Relevante Fachinformationen von einem bekannten Ansprechpartner",
                "motivation": "Persönlicher Kontakt zu Fachleuten, die bei Problemen weiterhelfen",
                "participation": "Vernetzen, Nachrichten beantworten, Termine vereinbaren",
                "format": "network",
                "services": (
                    "Schulung aller Außendienstmitarbeitenden, wöchentlicher Inhaltsvorschlag, Lizenzen für "
                    "LinkedIn Sales Navigator"
                ),
                "effort": 3,
                "needs": [("training", 4, 4), ("tools_licences", 2, 2), ("staff_time", 2, 0)],
            },
        ],
    },
    {
        "key": "hochschulen",
        "block": "key_partners",
        "title": "Hochschulen und Forschungspartner",
        "description": (
            "Gemeinsame Projekte mit Hochschulen der Region zu Leichtbau und zur Zerspanung schwer bearbeitbarer "
            "Werkstoffe; Abschlussarbeiten im Haus."
        ),
        "priority": 2,
        "affinity": 4,
        "benefits": [
            {
                "key": "forschung_sichtbar",
                "type": "partner_network",
                "title": "Sichtbare Forschungskooperationen",
                "priority": 2,
                "format": "network",
                "methods": "Gemeinsame Beiträge, gegenseitige Verlinkung",
                "preconditions": "Inhalte werden mit den Hochschulen abgestimmt",
                "causal_chain": (
                    "Gemeinsamer Beitrag → Reichweite im Netzwerk der Hochschule → Anfragen für Abschlussarbeiten "
                    "und Projekte"
                ),
                "receiving_process": "Technische Leitung",
            },
        ],
        "options": [
            {
                "key": "hochschulbeitraege",
                "title": "Forschungsprojekte mit Hochschulpartnern vorstellen",
                "benefit": "forschung_sichtbar",
                "user_benefit": "Einblick in aktuelle Forschung mit Bezug zur Praxis",
                "motivation": "Fachliche Neugier, Suche nach Praktikums- und Abschlussarbeitsplätzen",
                "participation": "Lesen, teilen, Abschlussarbeit anfragen",
                "format": "network",
                "services": "Ein gemeinsamer Beitrag pro Quartal",
                "effort": 2,
                "needs": [("staff_time", 1, 0)],
            },
        ],
    },
    {
        # Deliberately without benefits: a visible gap on the overview.
        "key": "lieferanten",
        "block": "key_partners",
        "title": "Lieferanten für Stahl, Härterei und Beschichtung",
        "description": (
            "Langjährige Partner aus der Region; ihre Lieferfähigkeit und Preise bestimmen die eigenen Lieferzeiten."
        ),
        "priority": 3,
        "affinity": 1,
        "benefits": [],
        "options": [],
    },
    {
        "key": "recruitingkosten",
        "block": "cost_structure",
        "title": "Recruitingkosten und Personalvermittler",
        "description": (
            "Für schwer besetzbare Stellen zahlt das Unternehmen Personalvermittlern bis zu einem Viertel des "
            "Jahresgehalts."
        ),
        "priority": 4,
        "affinity": 3,
        "benefits": [
            {
                "key": "weniger_vermittler",
                "type": "cost_reduction",
                "title": "Weniger Ausgaben für Personalvermittler",
                "priority": 4,
                "format": "audience",
                "methods": "Stellenkampagnen mit regionaler Zielgruppe, Empfehlungen durch Mitarbeitende",
                "preconditions": "Die Bewerberquelle wird im Bewerbermanagement erfasst und ausgewertet",
                "causal_chain": (
                    "Kampagne gesehen → Bewerbung über eigenen Kanal → Einstellung ohne Vermittler → "
                    "eingesparte Provision"
                ),
                "receiving_process": "Personalabteilung und Controlling",
            },
        ],
        "options": [
            {
                "key": "stellenkampagnen",
                "title": "Stellenanzeigen als Kampagnen auf LinkedIn und Instagram",
                "benefit": "weniger_vermittler",
                "user_benefit": "Passende Stellen in der Nähe, ohne aktiv suchen zu müssen",
                "motivation": "Sich beruflich verbessern bei kurzem Arbeitsweg",
                "participation": "Anzeige ansehen, Kurzbewerbung absenden, Stelle weiterempfehlen",
                "format": "audience",
                "services": (
                    "Laufende Kampagnen für alle offenen Stellen mit regionaler Eingrenzung, Auswertung je Stelle"
                ),
                "effort": 2,
                "needs": [("paid_media", 8000, 0), ("staff_time", 1, 0)],
            },
        ],
    },
    {
        "key": "rahmenauftraege",
        "block": "revenue_streams",
        "title": "Rahmenaufträge mit Bestandskunden",
        "description": (
            "Rund 70 % des Umsatzes stammen aus Rahmenaufträgen mit Abrufen über mehrere Jahre; die Verhandlungen "
            "führen Einkauf und Geschäftsführung persönlich."
        ),
        # High priority, low affinity: another warning sign.
        "priority": 4,
        "affinity": 2,
        "benefits": [
            {
                "key": "zusatzauftraege",
                "type": "customer_value",
                "title": "Zusatzaufträge von Bestandskunden",
                "priority": 3,
                "format": "network",
                "methods": "Vorstellung weiterer Leistungen wie Baugruppenmontage und Oberflächenbehandlung",
                "preconditions": "Die Key-Account-Manager teilen die Inhalte gezielt mit ihren Kontakten",
                "causal_chain": (
                    "Bestandskunde sieht neue Leistung → Nachfrage beim Key-Account → Erweiterung des Rahmenauftrags"
                ),
                "receiving_process": "Key-Account-Management",
            },
        ],
        "options": [
            {
                "key": "leistungsportfolio",
                "title": "Leistungsporträts für Bestandskunden auf LinkedIn",
                "benefit": "zusatzauftraege",
                "user_benefit": "Wissen, welche weiteren Arbeitsschritte aus einer Hand möglich sind",
                "motivation": "Weniger Lieferanten koordinieren müssen",
                "participation": "Lesen, beim Key-Account-Manager nachfragen",
                "format": "network",
                "services": "Ein Leistungsporträt pro Monat, gezielt weitergegeben durch die Key-Account-Manager",
                "effort": 2,
                "needs": [("staff_time", 1, 0)],
            },
        ],
    },
]

# Competitors with their presence per topic: (topic key, strength, standard set, expected reaction).
COMPETITORS = [
    {
        "name": "Kessler Drehteile GmbH",
        "kind": CompetitorKind.PERFORMANCE,
        "description": (
            "Direkter Wettbewerber aus dem Schwarzwald mit ähnlichem Teilespektrum; seit zwei Jahren sehr aktiv "
            "auf LinkedIn."
        ),
        "presences": [
            (
                "maschinenbau",
                4,
                "Wöchentliche Fachbeiträge, schnelle Antworten auf Kommentare, Konstruktionsleitfaden zum Download",
                "Startet vermutlich eigene Webinare, sobald unsere Reihe Resonanz zeigt",
            ),
            (
                "kleinserie",
                4,
                "Wirbt mit einem Angebot innerhalb von 24 Stunden",
                "Könnte mit Preisaktionen für Prototypen antworten",
            ),
            (
                "fachmessen",
                3,
                "Aufwendige Messevideos und Standführungen im Livestream",
                "Baut die Messekommunikation weiter aus",
            ),
            (
                "fachkraefte",
                3,
                "Stellenanzeigen mit Gehaltsangabe",
                "Spricht unsere Fachkräfte gezielt über LinkedIn an",
            ),
        ],
    },
    {
        "name": "Maurer Mikrotechnik AG",
        "kind": CompetitorKind.PERFORMANCE,
        "description": (
            "Spezialist für Kleinstteile mit starkem Standbein in der Medizintechnik; kommuniziert zurückhaltend, "
            "aber sehr professionell."
        ),
        "presences": [
            (
                "medizintechnik",
                4,
                "Fallstudien mit bekannten Medizintechnikherstellern, vollständige Zertifikatsübersicht online",
                "Antwortet wahrscheinlich mit eigenen Fallstudien und betont die längere Erfahrung im Segment",
            ),
            (
                "konstruktionsberatung",
                2,
                "Bietet Beratung an, macht sie aber kaum sichtbar",
                "Kaum Reaktion erwartet",
            ),
            (
                "qualitaetspruefung",
                3,
                "Zeigt Reinraum und Messtechnik in hochwertigen Bildern",
                "Eher eine langfristige Imagekampagne als eine schnelle Reaktion",
            ),
        ],
    },
    {
        "name": "Feinwerk Hohenzollern GmbH",
        "kind": CompetitorKind.PERFORMANCE,
        "description": (
            "Nachbarunternehmen ähnlicher Größe; konkurriert vor allem um dieselben Fachkräfte und Auszubildenden."
        ),
        "presences": [
            (
                "fachkraefte",
                5,
                "Bekannter Instagram-Auftritt mit Mitarbeitenden, 4,3 Sterne auf kununu, Wechselprämie",
                "Erhöht die Wechselprämie und spricht unsere Mitarbeitenden direkt an",
            ),
            (
                "ausbildung",
                4,
                "Azubi-Videos im Hochformat, Ausbildungstag im eigenen Haus",
                "Bietet Praktikumsplätze früher im Schuljahr an",
            ),
            (
                "recruitingkosten",
                3,
                "Empfehlungsprogramm mit Prämie für Mitarbeitende",
                "Kaum Reaktion erwartet",
            ),
        ],
    },
    {
        "name": "YouTube-Kanal „Zerspanung kompakt“",
        "kind": CompetitorKind.ATTENTION,
        "description": (
            "Erfolgreicher Kanal eines Industriemeisters mit Tipps für Konstrukteure und Maschinenbediener; "
            "konkurriert um die Zeit derselben Fachleute."
        ),
        "presences": [
            (
                "maschinenbau",
                3,
                "Unterhaltsame Praxisvideos im Wochentakt",
                "Offen für Kooperationen – ein gemeinsames Video ist denkbar",
            ),
            (
                "konstruktionsberatung",
                4,
                "Beantwortet Konstruktionsfragen seiner Zuschauer öffentlich",
                "Könnte unsere Sprechstunde aufgreifen und kommentieren",
            ),
            ("kleinserie", 2, "Zeigt gelegentlich besondere Bauteile", "Keine Reaktion erwartet"),
        ],
    },
    {
        "name": "Berufsorientierungsportale und Azubi-Creator",
        "kind": CompetitorKind.ATTENTION,
        "description": (
            "Portale und Creator, die Jugendlichen Ausbildungsberufe vorstellen und deren Aufmerksamkeit bündeln."
        ),
        "presences": [
            (
                "ausbildung",
                4,
                "Kurze, schnelle Videos im Hochformat mit sehr hoher Reichweite bei Schülern",
                "Keine Reaktion; bezahlte Kooperation möglich",
            ),
            (
                "fachkraefte",
                2,
                "Auf Ausbildung ausgerichtet, kaum auf erfahrene Fachkräfte",
                "Keine Reaktion erwartet",
            ),
        ],
    },
    {
        "name": "Fachmedien der Zerspanungsbranche",
        "kind": CompetitorKind.ATTENTION,
        "description": (
            "Fachzeitschriften und ihre Kanäle, die Branchennachrichten für Konstrukteure und Einkäufer aufbereiten."
        ),
        "presences": [
            (
                "fachmessen",
                4,
                "Ausführliche Messeberichterstattung mit Videos und Live-Beiträgen",
                "Teilt Beiträge von Ausstellern, wenn sie Nachrichtenwert haben",
            ),
            ("maschinenbau", 3, "Täglich neue Fachnachrichten", "Keine Reaktion erwartet"),
            ("medizintechnik", 2, "Gelegentliche Sonderthemen zur Medizintechnik", "Keine Reaktion erwartet"),
        ],
    },
]

# What the client has: (resource type key, amount, quality, description).
RESOURCES = [
    ("budget", 45000, 3, "Social-Media-Budget 2027, von der Geschäftsführung freigegeben"),
    ("staff_time", 40, 3, "Marketing-Referentin in Vollzeit, Zuarbeit aus Personalabteilung und Vertrieb"),
    ("paid_media", 15000, 3, "Mittel für Anzeigen aus dem bisherigen Printbudget umgeschichtet"),
    ("tools_licences", 3, 3, "Planungstool mit drei Arbeitsplätzen"),
    ("external_agency", 20, 4, "Rahmenvertrag mit einer Videoagentur aus Stuttgart"),
    ("training", 10, 3, "Weiterbildungsbudget der Personalabteilung"),
    ("strategy_competence", 2, 2, "Erfahrung aus einem früheren Website-Projekt, sonst extern"),
    ("content_production", 3, 3, "Marketing schreibt gut, Fotos und Videos bisher mit dem Smartphone"),
    ("community_management", 2, 2, "Keine Erfahrung mit Moderation; Azubis betreuen Instagram nebenher"),
    ("analytics_monitoring", 2, 2, "Nur Plattformstatistiken, keine Auswertung nach Zielen"),
    ("platform_knowhow", 2, 3, "Grundkenntnisse zu LinkedIn und Instagram"),
    ("legal_compliance", 3, 4, "Externer Datenschutzbeauftragter, Qualitätsmanagement kennt das Medizinprodukterecht"),
]

# KPIs per benefit key; one deliberately lacks its baseline (not SMART yet).
KPIS = [
    {
        "benefit": "anfragen_konstrukteure",
        "description": "Qualifizierte Anfragen mit Zeichnung, die nachweislich über LinkedIn oder die Webinare kamen",
        "metric": "Anfragen pro Quartal",
        "baseline": 3,
        "target": 15,
        "unit": "Anfragen",
        "owner": "Leitung Vertrieb Innendienst",
        "due_date": dt.date(2027, 12, 31),
    },
    {
        "benefit": "bewerbungen_fachkraefte",
        "description": "Bewerbungen auf Fachkräftestellen über Social Media und den Karriereblog",
        "metric": "Bewerbungen pro Halbjahr",
        "baseline": 8,
        "target": 30,
        "unit": "Bewerbungen",
        "owner": "Leitung Personal (Katrin Vogel)",
        "due_date": dt.date(2027, 6, 30),
    },
    {
        "benefit": "arbeitgeberimage",
        "description": "Durchschnittliche Arbeitgeberbewertung auf kununu",
        "metric": "Durchschnittliche Bewertung",
        "baseline": Decimal("3.6"),
        "target": Decimal("4.1"),
        "unit": "Sterne (1–5)",
        "owner": "Leitung Personal (Katrin Vogel)",
        "due_date": dt.date(2027, 12, 31),
    },
    {
        "benefit": "ausbildungsplaetze",
        "description": "Besetzte Ausbildungs- und Studienplätze zum Ausbildungsbeginn",
        "metric": "Besetzte Plätze",
        "baseline": 9,
        "target": 14,
        "unit": "Plätze",
        "owner": "Ausbildungsleitung",
        "due_date": dt.date(2027, 9, 1),
    },
    {
        "benefit": "entlastung_service",
        "description": "Telefonische und schriftliche Standardanfragen zu Ersatzteilen und Lieferzeiten",
        "metric": "Standardanfragen pro Monat",
        "baseline": 420,
        "target": 300,
        "unit": "Anfragen",
        "owner": "Leitung Kundenservice",
        "due_date": dt.date(2027, 12, 31),
    },
    {
        "benefit": "messekontakte",
        "description": "Vorab über LinkedIn vereinbarte Gesprächstermine auf der EMO 2027",
        "metric": "Vereinbarte Termine",
        "baseline": 12,
        "target": 35,
        "unit": "Termine",
        "owner": "Leitung Vertrieb Außendienst",
        "due_date": dt.date(2027, 9, 30),
    },
    {
        "benefit": "social_selling",
        "description": "Besuchstermine des Außendiensts, die aus LinkedIn-Kontakten entstanden sind",
        "metric": "Termine pro Quartal",
        "baseline": 2,
        "target": 10,
        "unit": "Termine",
        "owner": "Leitung Vertrieb Außendienst",
        "due_date": dt.date(2027, 12, 31),
    },
    {
        "benefit": "weniger_vermittler",
        "description": "Provisionen an Personalvermittler",
        "metric": "Ausgaben pro Jahr",
        "baseline": 60000,
        "target": 35000,
        "unit": "EUR",
        "owner": "Kaufmännische Leitung",
        "due_date": dt.date(2027, 12, 31),
    },
    {
        "benefit": "vertrauen_medtech",
        "description": "Anfragen von Medizintechnikherstellern, die sich auf eine Fallstudie beziehen",
        "metric": "Anfragen pro Jahr",
        "baseline": None,  # nobody counts these today: the KPI is not SMART yet
        "target": 6,
        "unit": "Anfragen",
        "owner": "Key-Account-Management Medizintechnik",
        "due_date": dt.date(2027, 12, 31),
    },
]

MILESTONES = [
    ("Strategie V1 von der Geschäftsführung freigegeben", "Martin Brenner", dt.date(2026, 11, 9), "done", ""),
    (
        "Redaktionsplan und Freigabeprozess eingeführt",
        "Marketing (Sarah Kuhn)",
        dt.date(2026, 10, 30),  # overdue: the approval process still stalls (DEMO_MILESTONE_MOVES)
        "in_progress",
        "Wöchentliche Redaktionsrunde mit Vertrieb, Personal und Anwendungstechnik.",
    ),
    (
        "Karriereblog mit Kurzbewerbung online",
        "Marketing (Sarah Kuhn)",
        dt.date(2027, 1, 31),
        "planned",
        "",
    ),
    (
        "Schulung der Markenbotschafter und des Außendiensts",
        "Leitung Personal (Katrin Vogel)",
        dt.date(2027, 2, 28),
        "planned",
        "",
    ),
    ("Erstes Webinar „Zerspanungsgerecht konstruieren“", "Anwendungstechnik", dt.date(2027, 3, 18), "planned", ""),
    ("Zwischenbilanz nach dem ersten Quartal", "Martin Brenner", dt.date(2027, 4, 15), "planned", ""),
    (
        "Teilzeitstelle Community-Management besetzt",
        "Leitung Personal (Katrin Vogel)",
        dt.date(2027, 5, 31),
        "blocked",
        "Stelle ist noch nicht genehmigt; Voraussetzung für die Service-Community in Version 2.",
    ),
    ("Messe-Countdown zur EMO 2027 gestartet", "Vertrieb Außendienst", dt.date(2027, 8, 16), "planned", ""),
    (
        "Strategie-Review und Start der Nachfolgestrategie",
        "Martin Brenner",
        dt.date(2027, 10, 29),
        "planned",
        "",
    ),
]

PLATFORMS = [
    {
        "name": "LinkedIn",
        "kind": PlatformKind.EXTERNAL,
        "format": "network",
        "purpose": "Fachbeiträge für Konstrukteure und Einkäufer, Social Selling des Außendiensts, Stellenanzeigen",
        "risks": "Geringe organische Reichweite der Unternehmensseite; Abhängigkeit von Änderungen des Algorithmus",
        "mitigation": (
            "Beiträge über die persönlichen Profile von Außendienst und Geschäftsführung verstärken; Kontakte "
            "regelmäßig ins CRM übernehmen"
        ),
    },
    {
        "name": "Instagram",
        "kind": PlatformKind.EXTERNAL,
        "format": "audience",
        "purpose": "Ausbildung und Arbeitsalltag für Schüler und junge Fachkräfte zeigen",
        "risks": (
            "Junge Zielgruppe erwartet schnelle, echte Inhalte; Persönlichkeitsrechte der gezeigten Mitarbeitenden"
        ),
        "mitigation": "Schriftliche Einwilligungen; Azubi-Redaktionsteam mit klaren Regeln und fester Ansprechperson",
    },
    {
        "name": "kununu",
        "kind": PlatformKind.EXTERNAL,
        "format": "network",
        "purpose": "Arbeitgeberbewertungen lesen und beantworten",
        "risks": "Negative Bewertungen ehemaliger Mitarbeitender, öffentlich ausgetragene Konflikte",
        "mitigation": "Antwort innerhalb von 48 Stunden durch die Personalleitung, sachlich und ohne Rechtfertigung",
    },
    {
        "name": "YouTube",
        "kind": PlatformKind.EXTERNAL,
        "format": "audience",
        "purpose": "Webinar-Aufzeichnungen, Videoanleitungen zu Ersatzteilen, Rundgang durch die Fertigung",
        "risks": "Kommentare unter Anleitungen werden zu Reklamationskanälen",
        "mitigation": "Kommentare werktags sichten; Reklamationen an den Kundenservice weiterleiten",
    },
    {
        "name": "Karriereblog (karriere.brenner-praezision.example)",
        "kind": PlatformKind.OWN,
        "format": "audience",
        "purpose": "Zentrale Anlaufstelle für Bewerber mit Kurzbewerbung und allen Informationen zur Arbeit",
        "risks": "Veraltete Inhalte und verwaiste Stellen schrecken Bewerber ab",
        "mitigation": "Monatliche Prüfung aller Stellen und Artikel durch Marketing und Personalabteilung",
    },
    {
        "name": "Brenner Service-Forum",
        "kind": PlatformKind.OWN,
        "format": "community",
        "purpose": "Geschlossene Community für Bestandskunden mit Servicewissen und Ideenforum (Version 2)",
        "risks": "Unbeantwortete Fragen schaden mehr als ein fehlendes Forum; Datenschutz bei Kundendaten",
        "mitigation": ("Start erst mit besetztem Community-Management; Datenschutzprüfung der Plattform vor dem Start"),
    },
]

# How the team ranked the action options (1-5) after the dot-vote of the first workshop; the
# others were left unranked. By option key.
OPTION_PRIORITIES = {
    "linkedin_fachbeitraege": 5,
    "karriereblog": 5,
    "markenbotschafter": 4,
    "azubi_kanal": 4,
    "webinar_konstruktion": 3,
    "messe_countdown": 3,
    "social_selling_programm": 3,
    "kununu_antworten": 2,
    "rundgang_360": 2,
    "service_community": 1,
}

# The content plan of the implementation step: pillars (tied to a topic and a benefit, by key)
# and what each publishes per platform. TikTok is planned but not among the chosen platforms:
# the plan's check points that out. Posts per month x hours per post stays within the staff time.
CONTENT_PLAN = [
    {
        "title": "Konstruktionswissen aus der Fertigung",
        "topic": "maschinenbau",
        "benefit": "anfragen_konstrukteure",
        "lines": [
            {
                "platform": "LinkedIn",
                "format": "Fachbeitrag mit Zeichnungsbeispiel",
                "frequency_per_month": 4,
                "owner": "Anwendungstechnik mit Marketing",
                "hours_per_post": "3",
                "usage_shares": {"network": 70, "audience": 30},
            },
            {
                "platform": "YouTube",
                "format": "Webinar-Aufzeichnung",
                "frequency_per_month": 1,
                "owner": "Marketing",
                "hours_per_post": "6",
                "usage_shares": {"audience": 100},
            },
        ],
    },
    {
        "title": "Arbeiten bei Brenner",
        "topic": "fachkraefte",
        "benefit": "bewerbungen_fachkraefte",
        "lines": [
            {
                "platform": "Karriereblog (karriere.brenner-praezision.example)",
                "format": "Porträt aus der Werkstatt",
                "frequency_per_month": 2,
                "owner": "Personalabteilung",
                "hours_per_post": "5",
                "usage_shares": {"audience": 100},
            },
            {
                "platform": "kununu",
                "format": "Antwort auf Bewertungen",
                "frequency_per_month": 4,
                "owner": "Personalleitung",
                "hours_per_post": "0.5",
                "usage_shares": {"community": 100},
            },
        ],
    },
    {
        "title": "Ausbildung erleben",
        "topic": "ausbildung",
        "benefit": "ausbildungsplaetze",
        "lines": [
            {
                "platform": "Instagram",
                "format": "Story und Reel der Azubis",
                "frequency_per_month": 8,
                "owner": "Azubi-Team mit Marketing",
                "hours_per_post": "1.5",
                "usage_shares": {"audience": 60, "community": 40},
            },
            {
                "platform": "TikTok",
                "format": "Kurzvideo aus der Lehrwerkstatt",
                "frequency_per_month": 4,
                "owner": "Azubi-Team",
                "hours_per_post": "2",
                "usage_shares": {"audience": 100},
            },
        ],
    },
    {
        "title": "Messen und Vertrieb",
        "topic": "fachmessen",
        "benefit": "messekontakte",
        "lines": [
            {
                "platform": "LinkedIn",
                "format": "Messe-Countdown und Terminangebot",
                "frequency_per_month": 2,
                "owner": "Außendienst",
                "hours_per_post": "1",
                "usage_shares": {"network": 100},
            },
        ],
    },
]

# The consultant's own points beside the SWOT drawn from the material.
SWOT_NOTES = [
    ("strength", "Familienunternehmen mit 40 Jahren Erfahrung in der Präzisionszerspanung"),
    ("weakness", "Freigaben dauern: Fachbeiträge gehen durch Anwendungstechnik und Geschäftsführung"),
    ("threat", "Der Fachkräftemangel in der Region verschärft sich; große Konzerne werben ebenfalls"),
]

VERSION_1 = {
    "number": 1,
    "name": "Fokus Recruiting & Vertrieb",
    "rationale": (
        "Fehlende Fachkräfte sind 2027 der größte Engpass des Unternehmens, gefolgt von zu wenigen Neuanfragen "
        "aus dem Maschinenbau. Version 1 bündelt die Mittel auf diese beiden Ziele und kommt mit den vorhandenen "
        "Kompetenzen und Budgets aus, ohne neue Stellen vorauszusetzen."
    ),
    "assumptions": (
        "Die Personalabteilung beantwortet Bewerbungen innerhalb von drei Arbeitstagen. Der Außendienst nutzt "
        "LinkedIn nach der Schulung mindestens zweimal pro Woche. Das Marketingbudget 2027 bleibt auf dem Niveau "
        "von 2026."
    ),
    "prerequisites": (
        "Kurzbewerbung ohne Anschreiben auf der Website; Erfassung der Anfragequelle im CRM; Einwilligungen aller "
        "Mitarbeitenden, die in Beiträgen erscheinen."
    ),
    "included": {
        "linkedin_fachbeitraege": "Kern der Interessentengewinnung im wichtigsten Kundensegment",
        "webinar_konstruktion": "Vertieft den Kontakt zu Konstrukteuren, die bereits folgen",
        "fallstudien_medtech": "Wenig Aufwand, wichtiges Signal an das Wachstumssegment",
        "teil_der_woche": "Günstig umzusetzen und direkt mit Anfragen verknüpft",
        "sprechstunde_konstrukteure": "Nutzt die Stärke der Anwendungstechnik",
        "azubi_kanal": "2026 sind drei Ausbildungsplätze unbesetzt geblieben",
        "markenbotschafter": "Stärkster Hebel bei erfahrenen Fachkräften",
        "karriereblog": "Zentrale Anlaufstelle für alle Recruiting-Kanäle",
        "kununu_antworten": "Bewertungen beeinflussen Bewerber unmittelbar",
        "rundgang_360": "Ergänzt Karriereblog und Stellenanzeigen",
        "messe_countdown": "Die EMO 2027 ist der wichtigste Messeauftritt des Jahres",
        "social_selling_programm": "Macht den Außendienst zum Verstärker aller Vertriebsinhalte",
        "stellenkampagnen": "Senkt unmittelbar die Vermittlerkosten",
    },
    "excluded": {
        "video_rohling": "Die Agenturkapazität wird 2027 für Webinare und Rundgang gebraucht",
        "messtechnik_videos": "Später, wenn die Redaktion eingespielt ist",
        "faq_videos": "Gehört zur Service-Erweiterung in Version 2",
        "service_community": "Community-Management fehlt; der Aufbau dauert rund ein halbes Jahr",
        "ideenforum": "Setzt die Service-Community voraus",
        "hochschulbeitraege": "Geringe Priorität des Themas",
        "leistungsportfolio": "Geringe Affinität der Rahmenaufträge; nach der Zwischenbilanz erneut prüfen",
    },
    "submitted_at": dt.datetime(2026, 11, 2, 9, 30, tzinfo=dt.UTC),
    "decided_at": dt.datetime(2026, 11, 9, 15, 0, tzinfo=dt.UTC),
    "decision_comment": (
        "Freigegeben. Recruiting und Neukunden haben 2027 Vorrang. Die Service-Community prüfen wir nach der "
        "Zwischenbilanz im April erneut."
    ),
}

VERSION_2 = {
    "number": 2,
    "name": "Erweiterung Service-Community",
    "rationale": (
        "Version 2 übernimmt alle Optionen der freigegebenen Version und ergänzt den Kundenservice: öffentliche "
        "Anleitungen, eine Service-Community für Bestandskunden und ein Ideenforum. Das entlastet den Innendienst "
        "und stärkt die Bindung der Bestandskunden."
    ),
    "assumptions": (
        "Eine Teilzeitkraft für Community-Management kann bis Mitte 2027 eingestellt oder intern qualifiziert "
        "werden. Bestandskunden sind bereit, Fragen in einer geschlossenen Community zu stellen."
    ),
    "prerequisites": (
        "Genehmigung der Teilzeitstelle; Auswahl und Datenschutzprüfung der Community-Plattform; Wissensbasis mit "
        "den häufigsten Servicefragen."
    ),
    "included": {
        **VERSION_1["included"],
        "faq_videos": "Schnelle Entlastung des Innendiensts bei kurzer Vorlaufzeit",
        "service_community": "Kern der Erweiterung; die Lücke im Community-Management braucht 26 Wochen Vorlauf",
        "ideenforum": "Nutzt die Community für Verbesserungsvorschläge",
        "messtechnik_videos": "Liefert regelmäßig Inhalte für die Community",
    },
    "excluded": {
        "video_rohling": "Weiterhin zurückgestellt: Agenturkapazität ist ausgeschöpft",
        "hochschulbeitraege": "Geringe Priorität des Themas",
        "leistungsportfolio": "Erst nach der Zwischenbilanz im April entscheiden",
    },
}


# ---------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------


def _catalogue(model) -> dict:
    return {row.key: row for row in model.objects.all()}


def _lookup(rows: dict, key: str, what: str):
    try:
        return rows[key]
    except KeyError as exc:
        raise DemoDataError(
            f'The catalogue has no {what} "{key}"; run "manage.py load_catalogue" to restore the defaults.'
        ) from exc


def _choose(version: StrategyVersion, choices: dict[int, tuple[bool, str]]) -> None:
    """Write a draft's choices in one go (the demo has hundreds; the service does one at a time)."""
    VersionOption.objects.filter(version=version).delete()
    VersionOption.objects.bulk_create(
        VersionOption(version=version, option_id=option_id, included=included, rationale=rationale)
        for option_id, (included, rationale) in choices.items()
    )
    content_changed(project_id=version.project_id)  # bulk_create sends no signals (cached pages)


VERSION_TEXTS = ("name", "rationale", "assumptions", "prerequisites")


@contextmanager
def _as_of(day: dt.date, hour: int = 10) -> Iterator[None]:
    """Everything inside happens on `day` (timezone.now() as every service and auto_now field reads
    it): the demo's history is recorded through the real services, on the days it happened."""
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def _approve_first_version(
    *, project: StrategyProject, spec: dict, choices: dict, consultant, manager, days_ago: int = 0
) -> StrategyVersion:
    """V1 drafted and submitted a week before its approval, `days_ago` days ago, through the real workflow."""
    approval_day = timezone.localdate() - dt.timedelta(days=days_ago)
    with _as_of(approval_day - dt.timedelta(days=7)):
        v1 = strategy_version_create(project=project, user=consultant, **{key: spec[key] for key in VERSION_TEXTS})
        _choose(v1, choices)
        v1 = strategy_version_submit(version=v1, user=consultant, notify=False)
    with _as_of(approval_day, hour=15):
        return strategy_version_decide(
            version=v1, user=manager, decision=Decision.APPROVE, comment=spec["decision_comment"]
        )


def _create_versions(
    *,
    project: StrategyProject,
    approved: dict,
    draft: dict,
    approved_choices: dict[int, tuple[bool, str]],
    draft_choices: dict[int, tuple[bool, str]],
    consultant,
    second_consultant,
    manager,
    approved_days_ago: int = 0,
) -> StrategyVersion:
    """V1 drafted, submitted and approved through the real workflow, and V2, its draft successor; returns V1."""
    v1 = _approve_first_version(
        project=project,
        spec=approved,
        choices=approved_choices,
        consultant=consultant,
        manager=manager,
        days_ago=approved_days_ago,
    )
    v2 = strategy_version_create(
        project=project, user=second_consultant, based_on=v1, **{key: draft[key] for key in VERSION_TEXTS}
    )
    _choose(v2, draft_choices)
    return v1


def _project_counts(project: StrategyProject) -> dict[str, int]:
    return {
        "topics": Topic.objects.filter(project=project).count(),
        "benefits": BusinessBenefit.objects.filter(topic__project=project).count(),
        "options": ActionOption.objects.filter(topic__project=project).count(),
        "competitors": Competitor.objects.filter(project=project).count(),
        "resources": Resource.objects.filter(project=project).count(),
        "KPIs": Kpi.objects.filter(benefit__topic__project=project).count(),
        "versions": StrategyVersion.objects.filter(project=project).count(),
    }


def _rate_potential(project: StrategyProject, effects: dict, formats: dict) -> None:
    effect_rows = _catalogue(Effect)
    format_rows = _catalogue(UsageFormat)
    for key, (relevance, notes) in effects.items():
        EffectRelevance.objects.create(
            project=project, effect=_lookup(effect_rows, key, "effect"), relevance=relevance, notes=notes
        )
    for key, (relevance, notes) in formats.items():
        UsageFormatRelevance.objects.create(
            project=project,
            usage_format=_lookup(format_rows, key, "usage format"),
            relevance=relevance,
            notes=notes,
        )


def _answer_checklist(project: StrategyProject, answers: list, user) -> None:
    for area_key, order, done, notes in answers:
        question = GuidingQuestion.objects.filter(area__key=area_key, order=order).first()
        if question is None:  # an admin removed or renumbered it: skip rather than fail
            continue
        ChecklistAnswer.objects.create(project=project, question=question, done=done, notes=notes, updated_by=user)


# ---------------------------------------------------------------------------
# Demo project
# ---------------------------------------------------------------------------


def seed_demo_project(*, users: dict) -> ProjectOutcome:
    """Create the Brenner demo project unless it exists; returns the project and whether it was created."""
    client = _seed_client(DEMO_CLIENT, DEMO_PROJECT["title"])
    existing = StrategyProject.objects.filter(client=client, title=DEMO_PROJECT["title"]).first()
    if existing is not None:
        ensure_memberships(project=existing, users=users)
        return ProjectOutcome(project=existing, created=False, counts=_project_counts(existing))

    consultant, manager = users["berater"], users["manager"]
    project = StrategyProject.objects.create(client=client, created_by=consultant, **DEMO_PROJECT)
    ensure_memberships(project=project, users=users)
    _rate_potential(project, EFFECT_RELEVANCE, USAGE_FORMAT_RELEVANCE)
    _answer_checklist(project, CHECKLIST, consultant)

    blocks = _catalogue(BusinessModelBlock)
    benefit_types = _catalogue(BenefitType)
    formats = _catalogue(UsageFormat)
    resource_types = _catalogue(ResourceType)

    topics, benefits, options = {}, {}, {}
    order_in_block: dict[str, int] = {}
    for spec in TOPICS:
        order_in_block[spec["block"]] = order_in_block.get(spec["block"], 0) + 1
        topic = Topic.objects.create(
            project=project,
            block=_lookup(blocks, spec["block"], "business model block"),
            title=spec["title"],
            description=spec["description"],
            priority=spec["priority"],
            social_media_affinity=spec["affinity"],
            order=order_in_block[spec["block"]],
        )
        topics[spec["key"]] = topic
        for position, b in enumerate(spec["benefits"], start=1):
            benefits[b["key"]] = BusinessBenefit.objects.create(
                topic=topic,
                benefit_type=_lookup(benefit_types, b["type"], "benefit type"),
                title=b["title"],
                priority=b["priority"],
                usage_format=_lookup(formats, b["format"], "usage format"),
                methods=b["methods"],
                preconditions=b["preconditions"],
                causal_chain=b["causal_chain"],
                receiving_process=b["receiving_process"],
                order=position,
            )
        for position, o in enumerate(spec["options"], start=1):
            option = ActionOption.objects.create(
                topic=topic,
                title=o["title"],
                benefit=benefits[o["benefit"]],
                user_benefit=o["user_benefit"],
                motivation=o["motivation"],
                participation=o["participation"],
                usage_format=_lookup(formats, o["format"], "usage format"),
                services_needed=o["services"],
                effort=o["effort"],
                priority=OPTION_PRIORITIES.get(o["key"]),
                order=position,
            )
            options[o["key"]] = option
            for type_key, amount, lead_time in o["needs"]:
                ResourceRequirement.objects.create(
                    option=option,
                    resource_type=_lookup(resource_types, type_key, "resource type"),
                    amount=amount,
                    lead_time_weeks=lead_time,
                )

    for spec in COMPETITORS:
        competitor = Competitor.objects.create(
            project=project, name=spec["name"], kind=spec["kind"], description=spec["description"]
        )
        for topic_key, strength, standard_set, reaction in spec["presences"]:
            CompetitorPresence.objects.create(
                competitor=competitor,
                topic=topics[topic_key],
                strength=strength,
                standard_set=standard_set,
                expected_reaction=reaction,
            )

    for type_key, amount, quality, description in RESOURCES:
        Resource.objects.create(
            project=project,
            resource_type=_lookup(resource_types, type_key, "resource type"),
            amount=amount,
            quality=quality,
            description=description,
        )

    kpi_keys = {}  # benefit key -> the KPI's key (its id), as the approved snapshot names it
    for spec in KPIS:
        kpi = Kpi.objects.create(benefit=benefits[spec["benefit"]], **{k: v for k, v in spec.items() if k != "benefit"})
        kpi_keys[spec["benefit"]] = kpi.pk

    # Every milestone starts planned: the approved version froze them so, and each reaches the
    # status it has today through its recorded moves after the approval (DEMO_MILESTONE_MOVES).
    milestones = {}
    for position, (title, owner, due_date, _status, description) in enumerate(MILESTONES, start=1):
        milestones[title] = Milestone.objects.create(
            project=project,
            title=title,
            owner=owner,
            due_date=due_date,
            status=MilestoneStatus.PLANNED,
            description=description,
            order=position,
        )

    for spec in PLATFORMS:
        Platform.objects.create(
            project=project,
            name=spec["name"],
            kind=spec["kind"],
            usage_format=_lookup(formats, spec["format"], "usage format"),
            purpose=spec["purpose"],
            risks=spec["risks"],
            mitigation=spec["mitigation"],
        )

    if OPTION_PRIORITIES.keys() - options.keys():
        raise DemoDataError(f"The demo ranks unknown options: {OPTION_PRIORITIES.keys() - options.keys()}.")
    _plan_content(project, topics, benefits)
    for position, (quadrant, text) in enumerate(SWOT_NOTES, start=1):
        SwotNote.objects.create(project=project, quadrant=quadrant, text=text, order=position)

    version = _approve_first_version(
        project=project,
        spec=VERSION_1,
        choices=_version_choices(VERSION_1, options),
        consultant=consultant,
        manager=manager,
        days_ago=DEMO_APPROVED_DAYS_AGO,
    )
    # V2 is the successor the "adjust" review started; the team has since worked it out.
    successor = seed_demo_management(
        project=project, version=version, users=users, kpi_keys=kpi_keys, milestones=milestones
    )
    second_consultant = users["beraterin2"]
    strategy_version_update(version=successor, user=second_consultant, **{key: VERSION_2[key] for key in VERSION_TEXTS})
    _choose(successor, _version_choices(VERSION_2, options))
    return ProjectOutcome(project=project, created=True, counts=_project_counts(project))


def _plan_content(project: StrategyProject, topics: dict, benefits: dict) -> None:
    unknown = {p["topic"] for p in CONTENT_PLAN} - topics.keys() | {
        p["benefit"] for p in CONTENT_PLAN
    } - benefits.keys()
    if unknown:
        raise DemoDataError(f"The demo content plan names unknown topics or benefits: {unknown}.")
    for position, spec in enumerate(CONTENT_PLAN, start=1):
        pillar = ContentPillar.objects.create(
            project=project,
            title=spec["title"],
            topic=topics[spec["topic"]],
            benefit=benefits[spec["benefit"]],
            order=position,
        )
        for line in spec["lines"]:
            ContentPlanLine.objects.create(pillar=pillar, **{**line, "hours_per_post": Decimal(line["hours_per_post"])})


def _version_choices(version: dict, options: dict) -> dict[int, tuple[bool, str]]:
    """Option id -> (included, rationale); every demo option must be decided in every version."""
    decided = {
        **{k: (False, r) for k, r in version["excluded"].items()},
        **{k: (True, r) for k, r in version["included"].items()},
    }
    missing = set(options) - set(decided)
    unknown = set(decided) - set(options)
    if missing or unknown:
        raise DemoDataError(f"Version {version['number']} of the demo data: undecided {missing}, unknown {unknown}.")
    return {options[key].pk: choice for key, choice in decided.items()}


# ---------------------------------------------------------------------------
# Strategy management after approval (issue 14)
# ---------------------------------------------------------------------------

# V1 of the demo was approved this many days ago: nine months of check-ins, two reviews and
# milestone moves lie between then and today (the dates follow today, so the demo stays current).
DEMO_APPROVED_DAYS_AGO = 280
# The generated benchmark projects: three years (and a week) of weekly check-ins.
GENERATED_APPROVED_DAYS_AGO = 3 * 365 + 7

# Where each KPI's latest check-in puts it, as a share of the whole way from baseline to target
# (plus: ahead of the planned path; minus: behind it). The default tolerance is 10 % of the way.
STATE_OFFSETS = {
    State.ON_TRACK: Decimal("0.05"),
    State.AT_RISK: Decimal("-0.05"),
    State.OFF_TRACK: Decimal("-0.30"),
}

# How each KPI of the demo (by its benefit's key) is followed and where it stands today.
# owner: a demo username (a project member, who records the check-ins and is reminded);
# owner_name: someone outside the product (the consultants are reminded). due: the check-in of
# the current period is still missing, so `send_checkin_reminders` has something to send.
DEMO_TRACKING = {
    "anfragen_konstrukteure": {"cadence": Cadence.MONTHLY, "state": State.ON_TRACK, "due": False},
    "bewerbungen_fachkraefte": {"cadence": Cadence.MONTHLY, "owner": "viewer", "state": State.AT_RISK, "due": True},
    "arbeitgeberimage": {"cadence": Cadence.QUARTERLY, "owner": "viewer", "state": State.ON_TRACK, "due": False},
    "ausbildungsplaetze": {"cadence": Cadence.QUARTERLY, "state": State.OFF_TRACK, "due": False},
    "messekontakte": {"cadence": Cadence.MONTHLY, "state": State.AT_RISK, "due": False},
    "social_selling": {"cadence": Cadence.WEEKLY, "owner": "manager", "state": State.OFF_TRACK, "due": True},
    # A falling target (60,000 EUR down to 35,000 EUR), below its path: on track.
    "weniger_vermittler": {
        "cadence": Cadence.QUARTERLY,
        "owner_name": "Kaufmännische Leitung",
        "state": State.ON_TRACK,
        "due": False,
    },
    # No baseline: counted, but not judged.
    "vertrauen_medtech": {"cadence": Cadence.QUARTERLY, "state": State.NOT_JUDGED, "due": True},
}

# (milestone title, days after the approval, new status, note): how the milestones moved.
DEMO_MILESTONE_MOVES = [
    ("Strategie V1 von der Geschäftsführung freigegeben", 0, MilestoneStatus.DONE, "Freigabe durch Martin Brenner."),
    (
        "Redaktionsplan und Freigabeprozess eingeführt",
        21,
        MilestoneStatus.IN_PROGRESS,
        "Redaktionsrunde läuft; der Freigabeprozess mit der Anwendungstechnik hakt noch.",
    ),
    (
        "Teilzeitstelle Community-Management besetzt",
        60,
        MilestoneStatus.IN_PROGRESS,
        "Stellenprofil mit der Personalabteilung abgestimmt.",
    ),
    (
        "Teilzeitstelle Community-Management besetzt",
        120,
        MilestoneStatus.BLOCKED,
        "Stelle ist noch nicht genehmigt; Voraussetzung für die Service-Community in Version 2.",
    ),
]

DEMO_REVIEW_PARTICIPANTS = (
    "Martin Brenner (Geschäftsführung), Katrin Vogel (Personal), Sarah Kuhn (Marketing), Thomas Hoffmann, "
    "Julia Schneider (Beratung)"
)

# Two reviews, days after the approval: the quarterly check "continue", then "adjust", which
# starts V2 (the service community) as the successor draft.
DEMO_REVIEWS = [
    {
        "days_after_approval": 91,
        "user": "manager",
        "decision": ReviewDecision.CONTINUE,
        "rationale": (
            "Recruiting und Neukunden liegen im Plan; der Kundenservice wird bis zum nächsten Review beobachtet."
        ),
        "next_review_in_days": 91,
        "findings": [
            ("kpi", "anfragen_konstrukteure", FindingStatus.ON_TRACK, "Die Fachbeiträge bringen erste Anfragen."),
            ("kpi", "social_selling", FindingStatus.AT_RISK, "Der Außendienst teilt erst wenige Beiträge."),
            (
                "milestone",
                "Redaktionsplan und Freigabeprozess eingeführt",
                FindingStatus.IN_PROGRESS,
                "Freigaben dauern zu lange.",
            ),
        ],
    },
    {
        "days_after_approval": 182,
        "user": "beraterin2",
        "decision": ReviewDecision.ADJUST,
        "rationale": (
            "Social Selling und das Ausbildungsmarketing bleiben hinter dem Plan, weil der Innendienst mit "
            "Standardanfragen ausgelastet ist und nicht nachfasst. Die Strategie wird um FAQ-Videos und eine "
            "Service-Community erweitert, damit Bestandskunden ihre Fragen selbst klären."
        ),
        "next_review_in_days": 118,
        "findings": [
            ("kpi", "social_selling", FindingStatus.OFF_TRACK, "Kaum Besuchstermine aus LinkedIn-Kontakten."),
            ("kpi", "ausbildungsplaetze", FindingStatus.OFF_TRACK, "Zu wenige Bewerbungen auf Ausbildungsplätze."),
            (
                "milestone",
                "Teilzeitstelle Community-Management besetzt",
                FindingStatus.BLOCKED,
                "Genehmigung der Stelle ist Voraussetzung für Version 2.",
            ),
        ],
    },
]


def _checkin_days(cadence: str, *, start: dt.date, today: dt.date, due: bool) -> list[dt.date]:
    """One check-in day per period from the approval on: a few days into each period (the approval
    day in the first), the current period left out while the KPI's check-in is `due`."""
    days = []
    period = period_start(cadence, start)
    current = period_start(cadence, today)
    while period <= current:
        if period == current and due:
            break
        days.append(min(max(period + dt.timedelta(days=3), start), today))
        period = next_period_start(cadence, period)
    return days


def _checkin_values(kpi: dict, days: list[dt.date], *, start: dt.date, state: State) -> list[Decimal]:
    """Values along the KPI's planned path that end in `state`: the earlier ones wobble a little
    around the same offset, the last sits exactly on it (checked with the status rule itself).
    Without a baseline (not judged), a small count that grows."""
    plan = plan_of(kpi, start=start)
    baseline, target = clean_number(plan.baseline), clean_number(plan.target)
    if state == State.NOT_JUDGED or baseline is None or target is None or plan.due is None:
        return [Decimal(n + 1 - n // 3) for n in range(len(days))]
    way = target - baseline
    # As precise as the plan's own figures (3.6 -> 4.1 stars: one place; counts: whole numbers).
    places = max(0, *(-number.normalize().as_tuple().exponent for number in (baseline, target)))
    values = []
    for n, day in enumerate(days):
        last = n == len(days) - 1
        wobble = Decimal(0) if last else Decimal((n * 3) % 5 - 2) / 100
        exact = path_value(baseline, target, plan.start, plan.due, day) + way * (STATE_OFFSETS[state] + wobble)
        value = exact.quantize(Decimal(1).scaleb(-places))
        if last and status(plan, [Reading(day, value)], day).state != state:
            value = exact.quantize(Decimal("0.01"))  # rounding to whole units crossed a line
        values.append(value)
    return values


def seed_demo_management(
    *, project: StrategyProject, version: StrategyVersion, users: dict, kpi_keys: dict, milestones: dict
) -> StrategyVersion:
    """The approved demo strategy at work, recorded through the services on the days it happened:
    how each KPI is followed, nine months of check-ins, the milestones' moves and two reviews.

    Returns the successor draft the "adjust" review started.
    """
    consultant = users["berater"]
    start, today = approved_on(version), timezone.localdate()
    approved = snapshot_kpis(version_content(version))
    with _as_of(start, hour=16):
        for benefit_key, spec in DEMO_TRACKING.items():
            owner = users[spec["owner"]] if "owner" in spec else None
            settings_given = {"cadence": spec["cadence"]}
            if owner is not None:
                settings_given["owner"] = owner
            if "owner_name" in spec:
                settings_given["owner_name"] = spec["owner_name"]
            kpi_tracking_update(project=project, kpi_key=kpi_keys[benefit_key], user=consultant, **settings_given)

    for benefit_key, spec in DEMO_TRACKING.items():
        key = kpi_keys[benefit_key]
        recorder = users[spec["owner"]] if "owner" in spec else consultant
        days = _checkin_days(spec["cadence"], start=start, today=today, due=spec["due"])
        values = _checkin_values(approved[key], days, start=start, state=spec["state"])
        for day, value in zip(days, values, strict=True):
            with _as_of(day, hour=9):
                kpi_checkin_record(project=project, kpi_key=key, user=recorder, date=day, value=value)

    for title, days_after, new_status, note in DEMO_MILESTONE_MOVES:
        with _as_of(start + dt.timedelta(days=days_after), hour=17):
            milestone_status_change(
                milestone=milestones[title], user=consultant, status=new_status, date=timezone.localdate(), note=note
            )

    successor = None
    for spec in DEMO_REVIEWS:
        day = start + dt.timedelta(days=spec["days_after_approval"])
        findings = [
            {"kpi_key": kpi_keys[subject], "status": seen, "text": text}
            if kind == "kpi"
            else {"milestone_key": milestones[subject].pk, "status": seen, "text": text}
            for kind, subject, seen, text in spec["findings"]
        ]
        with _as_of(day, hour=11):
            review = strategy_review_record(
                project=project,
                user=users[spec["user"]],
                date=day,
                participants=DEMO_REVIEW_PARTICIPANTS,
                findings=findings,
                decision=spec["decision"],
                rationale=spec["rationale"],
                next_review_on=day + dt.timedelta(days=spec["next_review_in_days"]),
            )
        successor = review.successor or successor
    return successor


def seed_generated_checkins(*, project: StrategyProject, version: StrategyVersion, user) -> int:
    """Weekly check-ins on every KPI of the approved version, from its approval until today.

    Written with bulk_create for speed (tens of thousands of rows; the service checks nothing here
    that the generator cannot guarantee: days between approval and today, numbers that fit).
    Lights cycle on track, at risk, off track; every fourth KPI's check-in of this week is missing.
    Returns the number of check-ins.
    """
    start, today = approved_on(version), timezone.localdate()
    approved = snapshot_kpis(version_content(version))
    states = [State.ON_TRACK, State.AT_RISK, State.OFF_TRACK]
    trackings, checkins = [], []
    name = actor_name(user)
    for n, (key, kpi) in enumerate(sorted(approved.items())):
        trackings.append(KpiTracking(project=project, kpi_key=key, cadence=Cadence.WEEKLY))
        days = _checkin_days(Cadence.WEEKLY, start=start, today=today, due=n % 4 == 3)
        values = _checkin_values(kpi, days, start=start, state=states[n % len(states)])
        unit = kpi.get("unit") or ""
        checkins.extend(
            KpiCheckIn(
                project=project,
                kpi_key=key,
                version=version,
                date=day,
                value=value,
                unit=unit,
                recorded_by=user,
                recorded_by_name=name,
            )
            for day, value in zip(days, values, strict=True)
        )
    _bulk(KpiTracking, trackings)
    KpiCheckIn.objects.bulk_create(checkins, batch_size=2000)
    return len(checkins)


# ---------------------------------------------------------------------------
# Large benchmark project
# ---------------------------------------------------------------------------

LARGE_CLIENT = {
    "name": "Hallberg Industriegruppe AG",
    "industry": "Industriegüter – Antriebs-, Fluid- und Automatisierungstechnik",
    "description": (
        "Industriegruppe mit rund 6.500 Beschäftigten an zwölf Standorten in Europa, gegliedert in vier "
        "Divisionen. Dient als großes Beispielprojekt für Lasttests und Benchmarks."
    ),
}
LARGE_PROJECT = {
    "title": "Konzernstrategie (Benchmark)",
    "description": (
        "Gruppenweite Social-Media-Strategie über alle vier Divisionen. Die Inhalte sind regelmäßig erzeugt, "
        "um Listen, Auswertungen und Berichte mit großen Datenmengen zu prüfen."
    ),
    "readiness_stage": ReadinessStage.OPTIMISING_SOCIAL_MEDIA,
    "potential_notes": (
        "Jede Division betreibt eigene Kanäle; die Gruppe will sie bündeln und an Vertrieb und Personal anbinden."
    ),
    "netiquette": "Gruppenweite Netiquette; Abweichungen je Division nur nach Freigabe der Unternehmenskommunikation.",
    "monitoring": "Zentrales Monitoring durch die Unternehmenskommunikation mit täglichem Bericht an die Divisionen.",
    "escalation_path": "Division → Unternehmenskommunikation → Vorstand; Rechtsabteilung bei rechtlichen Fragen.",
    "response_time_hours": 8,
    "review_cadence": "Monatlich je Division, quartalsweise im Vorstand",
}
LARGE_DIVISIONS = ["Antriebstechnik", "Fluidtechnik", "Automation", "Sensorik"]
LARGE_THEMES = {
    "key_partners": ["Systemlieferanten", "Vertriebspartner im Ausland"],
    "key_activities": ["Produktentwicklung", "Serienfertigung"],
    "key_resources": ["Ingenieure und Fachkräfte", "Patente und Anwendungswissen"],
    "value_propositions": ["Energieeffiziente Komplettsysteme", "Schnelle Verfügbarkeit von Standardteilen"],
    "customer_relationships": ["Technischer Support", "Schulungsakademie"],
    "channels": ["Online-Shop für Ersatzteile", "Internationale Fachmessen"],
    "customer_segments": ["OEM-Maschinenbauer", "Betreiber von Produktionsanlagen"],
    "cost_structure": ["Vertriebs- und Marketingkosten", "Rekrutierungskosten"],
    "revenue_streams": ["Serviceverträge", "Nachrüstgeschäft"],
}
LARGE_OPTION_TEMPLATES = [
    "Fachbeiträge auf LinkedIn",
    "Erklärvideos auf YouTube",
    "Fragestunde mit Fachleuten",
    "Fallstudie mit Kundenstimme",
    "Mitarbeitende als Botschafter",
    "Kampagne mit bezahlter Reichweite",
    "Bereich in der Kunden-Community",
]
# Per benefit type: causal chain and the business process that takes over the result.
LARGE_BENEFIT_DETAILS = {
    "lead_generation": ("Follower → Interessent → Anfrage → Angebot → Auftrag", "Vertrieb Innendienst"),
    "customer_acquisition": ("Interessent → Beratung → Erstauftrag → Stammkunde", "Vertrieb Außendienst"),
    "customer_retention": ("Kunde folgt → regelmäßiger Kontakt → Zufriedenheit → Wiederkauf", "Key-Account-Management"),
    "customer_value": ("Kunde sieht Zusatzangebot → Nachfrage → Zusatzauftrag", "Key-Account-Management"),
    "user_participation": ("Zufriedener Kunde → Empfehlung → neuer Interessent", "Marketing"),
    "attitude_change": ("Inhalt gesehen → Wissen erweitert → bessere Bewertung → Anfrage", "Unternehmenskommunikation"),
    "service_relief": ("Öffentliche Antwort → weniger Einzelanfragen → kürzere Bearbeitungszeit", "Kundenservice"),
    "co_creation": ("Idee eingereicht → geprüft → umgesetzt → bessere Produkte", "Produktmanagement"),
    "market_insight": ("Beobachtung → Erkenntnis → Anpassung des Angebots", "Produktmanagement"),
    "reputation_trust": (
        "Transparenz → Vertrauen → geringere Hürde bei der Lieferantenwahl",
        "Unternehmenskommunikation",
    ),
    "employer_branding": ("Follower → Interesse an Stelle → Bewerbung → Einstellung", "Personalabteilung"),
    "sales_support": ("Vernetzung → Gesprächsanlass → Termin → Angebot", "Vertrieb Außendienst"),
    "partner_network": (
        "Gemeinsamer Beitrag → Sichtbarkeit beim Partner → gemeinsames Projekt",
        "Einkauf und Partnermanagement",
    ),
    "cost_reduction": ("Eigener Kanal ersetzt teure Maßnahme → geringere Kosten", "Controlling"),
}
LARGE_COMPETITOR_SURNAMES = [
    "Albrecht",
    "Bergmann",
    "Dietrich",
    "Engel",
    "Frank",
    "Günther",
    "Haas",
    "Jung",
    "Kraft",
    "Lorenz",
    "Möller",
    "Nowak",
    "Otto",
    "Pohl",
    "Roth",
    "Seidel",
    "Thiel",
    "Vogt",
]
LARGE_COMPETITOR_SUFFIXES = ["Antriebe GmbH", "Fluidsysteme AG", "Automation GmbH", "Sensorik GmbH & Co. KG"]
LARGE_ATTENTION_COMPETITORS = [
    "Fachmagazin Antriebspraxis",
    "Podcast „Industrie im Gespräch“",
    "YouTube-Kanal „Technik erklärt“",
    "Karriereportal Ingenieurjobs",
    "Verbandskanäle der Fluidtechnik",
    "LinkedIn-Creator für Automatisierung",
    "Fachportal Sensorwelt",
    "Hochschulkanal Maschinenbau",
    "Messe-Newsroom Industrie",
    "Technik-Creator „Schaltschrankprofi“",
    "Nachrichtenportal Industrie 4.0",
    "Instagram-Kanal „Azubi-Alltag Metall“",
]
LARGE_STANDARDS = [
    "tägliche Beiträge mit hoher Fachtiefe",
    "Antworten auf Kommentare innerhalb weniger Stunden",
    "professionell produzierte Videos",
    "regelmäßige Live-Formate",
    "starke Präsenz der Geschäftsführung",
]
LARGE_REACTIONS = [
    "Keine Reaktion erwartet",
    "Erhöht vermutlich die Frequenz der eigenen Beiträge",
    "Könnte mit Preisaktionen antworten",
    "Offen für eine Kooperation",
    "Wird gezielt unsere Zielgruppe ansprechen",
]
LARGE_BASE_AMOUNTS = {
    "budget": 120000,
    "staff_time": 30,
    "paid_media": 40000,
    "tools_licences": 10,
    "external_agency": 40,
    "training": 20,
}
LARGE_MILESTONE_PHASES = [
    "Kick-off",
    "Redaktionsplan eingeführt",
    "Schulungen abgeschlossen",
    "Erste Kampagne gestartet",
    "Quartalsreview",
]
LARGE_PLATFORMS = [
    ("LinkedIn", PlatformKind.EXTERNAL, "network"),
    ("Xing", PlatformKind.EXTERNAL, "network"),
    ("Instagram", PlatformKind.EXTERNAL, "audience"),
    ("YouTube", PlatformKind.EXTERNAL, "audience"),
    ("Facebook", PlatformKind.EXTERNAL, "audience"),
    ("kununu", PlatformKind.EXTERNAL, "network"),
    ("Konzernblog", PlatformKind.OWN, "audience"),
    ("Hallberg Kunden-Community", PlatformKind.OWN, "community"),
]
LARGE_VERSION_1 = {
    "number": 1,
    "name": "Gruppenweiter Basisbetrieb",
    "rationale": "Zwei Drittel der Optionen mit dem besten Verhältnis von Nutzen zu Aufwand, in allen Divisionen.",
    "assumptions": "Die Divisionen stellen je eine halbe Stelle für Social Media bereit.",
    "prerequisites": "Zentrales Planungstool und gemeinsame Netiquette.",
    "submitted_at": dt.datetime(2026, 10, 5, 8, 0, tzinfo=dt.UTC),
    "decided_at": dt.datetime(2026, 10, 19, 14, 0, tzinfo=dt.UTC),
    "decision_comment": "Freigegeben für alle Divisionen.",
}
LARGE_VERSION_2 = {
    "number": 2,
    "name": "Ausbau mit Community-Formaten",
    "rationale": "Erweitert die freigegebene Version um Community- und Kampagnenformate.",
    "assumptions": "Budget für Community-Management wird 2027 aufgestockt.",
    "prerequisites": "Auswahl einer Community-Plattform.",
}


XL_CLIENT = {
    "name": "Nordwerk Holding SE",
    "industry": "Industriegüter – Mischkonzern mit zwanzig Geschäftsbereichen",
    "description": (
        "Holding mit rund 30.000 Beschäftigten in zwanzig Geschäftsbereichen. Dient als sehr großes "
        "Beispielprojekt (fünfmal das große) für Benchmarks ohne Seiten-Cache."
    ),
}
XL_PROJECT = {
    **LARGE_PROJECT,
    "title": "Holdingstrategie XL (Benchmark)",
    "description": (
        "Social-Media-Strategie über zwanzig Geschäftsbereiche. Die Inhalte sind regelmäßig erzeugt, um zu "
        "prüfen, dass jede Seite auch bei fünffacher Datenmenge schnell bleibt."
    ),
}
XL_DIVISIONS = [
    *LARGE_DIVISIONS,
    "Hydraulik",
    "Pneumatik",
    "Robotik",
    "Messtechnik",
    "Lineartechnik",
    "Getriebe",
    "Elektromotoren",
    "Steuerungen",
    "Kupplungen",
    "Lager",
    "Dichtungen",
    "Filtertechnik",
    "Kältetechnik",
    "Förderanlagen",
    "Industriesoftware",
    "Service",
]
# A fifth suffix, so that 88 performance competitors still have distinct names.
XL_COMPETITOR_SUFFIXES = [*LARGE_COMPETITOR_SUFFIXES, "Industrietechnik GmbH"]


@dataclass(frozen=True)
class GeneratedSize:
    """How big a generated benchmark project is: topics = 9 blocks x 2 themes x divisions."""

    client: dict
    project: dict
    divisions: list[str]
    performance_competitors: int
    competitor_suffixes: list[str]
    resources: int


LARGE = GeneratedSize(
    client=LARGE_CLIENT,
    project=LARGE_PROJECT,
    divisions=LARGE_DIVISIONS,
    performance_competitors=len(LARGE_COMPETITOR_SURNAMES),
    competitor_suffixes=LARGE_COMPETITOR_SUFFIXES,
    resources=40,
)
# Five times the large project: 360 topics, 1,080 benefits, 1,620 options, 100 competitors,
# 150 resources, 540 KPIs (issue 13).
XL = GeneratedSize(
    client=XL_CLIENT,
    project=XL_PROJECT,
    divisions=XL_DIVISIONS,
    performance_competitors=88,
    competitor_suffixes=XL_COMPETITOR_SUFFIXES,
    resources=150,
)


def _bulk(model, objects: list) -> None:
    """bulk_create that also writes the history rows: the page cache's fingerprint counts them
    (strategies/wizard/page_cache.py), so a bulk write without them could serve a stale page."""
    bulk_create_with_history(objects, model, batch_size=500)


def _performance_names(size: GeneratedSize) -> list[str]:
    """Distinct names: surname with one suffix per round through the surnames (large: one round)."""
    surnames, suffixes = LARGE_COMPETITOR_SURNAMES, size.competitor_suffixes
    if size.performance_competitors <= len(surnames):
        # The large project's names, as before: the suffix cycles with the surname.
        return [f"{surnames[c]} {suffixes[c % len(suffixes)]}" for c in range(size.performance_competitors)]
    return [
        f"{surnames[c % len(surnames)]} {suffixes[c // len(surnames)]}" for c in range(size.performance_competitors)
    ]


def seed_large_project(*, users: dict) -> ProjectOutcome:
    """Create the large benchmark project unless it exists."""
    return seed_generated_project(users=users, size=LARGE)


def seed_xl_project(*, users: dict) -> ProjectOutcome:
    """Create the xl benchmark project (five times the large one) unless it exists."""
    return seed_generated_project(users=users, size=XL)


def seed_generated_project(*, users: dict, size: GeneratedSize) -> ProjectOutcome:
    """Create a generated benchmark project unless it exists.

    Generated deterministically (no randomness), so every run produces the same
    project. Rows are written in bulk for speed, with their history rows (_bulk).
    """

    client = _seed_client(size.client, size.project["title"])
    existing = StrategyProject.objects.filter(client=client, title=size.project["title"]).first()
    if existing is not None:
        ensure_memberships(project=existing, users=users)
        return ProjectOutcome(project=existing, created=False, counts=_project_counts(existing))

    project = StrategyProject.objects.create(client=client, created_by=users["berater"], **size.project)
    ensure_memberships(project=project, users=users)
    _rate_potential(
        project,
        {"information": (5, ""), "dialogue": (4, ""), "networking": (4, "")},
        {"audience": (4, ""), "network": (5, ""), "community": (3, "")},
    )

    blocks = _catalogue(BusinessModelBlock)
    formats = [_lookup(_catalogue(UsageFormat), key, "usage format") for key in ("audience", "network", "community")]
    format_by_key = {f.key: f for f in formats}
    benefit_types = [_lookup(_catalogue(BenefitType), key, "benefit type") for key in LARGE_BENEFIT_DETAILS]
    resource_types = list(ResourceType.objects.order_by("order", "id"))
    if not resource_types:
        raise DemoDataError('The catalogue has no resource types; run "manage.py load_catalogue".')

    # Topics: 9 blocks x 2 themes x divisions (large: 4 = 72).
    topics = []
    for block_key, themes in LARGE_THEMES.items():
        block = _lookup(blocks, block_key, "business model block")
        position = 0
        for theme in themes:
            for division in size.divisions:
                i = len(topics)
                position += 1
                topics.append(
                    Topic(
                        project=project,
                        block=block,
                        title=f"{theme} – {division}",
                        description=f"{theme} der Division {division}.",
                        priority=1 + (i * 3) % 5,
                        social_media_affinity=1 + (i * 3 + i // 5) % 5,
                        order=position,
                    )
                )
    _bulk(Topic, topics)
    # Re-read so the primary keys are known on every database backend.
    topics = list(Topic.objects.filter(project=project).order_by("block__order", "order"))

    # Benefits: 3 per topic = 216.
    benefits = []
    for i, topic in enumerate(topics):
        theme = topic.title.split(" – ")[0]
        for j in range(3):
            benefit_type = benefit_types[(i * 3 + j) % len(benefit_types)]
            chain, process = LARGE_BENEFIT_DETAILS[benefit_type.key]
            benefits.append(
                BusinessBenefit(
                    topic=topic,
                    benefit_type=benefit_type,
                    title=f"{benefit_type.title_de or benefit_type.title} – {theme}",
                    priority=1 + (i + j * 2) % 5,
                    usage_format=formats[(i + j) % 3],
                    preconditions="Zuständigkeit in der Division geklärt",
                    causal_chain=chain,
                    receiving_process=process,
                    order=j + 1,
                )
            )
    _bulk(BusinessBenefit, benefits)
    benefits_by_topic: dict[int, list] = {}
    for benefit in BusinessBenefit.objects.filter(topic__project=project).order_by("topic_id", "order"):
        benefits_by_topic.setdefault(benefit.topic_id, []).append(benefit)

    # Options: 4 or 5 per topic = 324.
    options = []
    for i, topic in enumerate(topics):
        theme = topic.title.split(" – ")[0]
        topic_benefits = benefits_by_topic[topic.pk]
        for k in range(4 + i % 2):
            template = LARGE_OPTION_TEMPLATES[(i + k) % len(LARGE_OPTION_TEMPLATES)]
            options.append(
                ActionOption(
                    topic=topic,
                    title=f"{template}: {theme}",
                    benefit=topic_benefits[k % len(topic_benefits)],
                    user_benefit="Praxisnahe Informationen und schnelle Antworten",
                    motivation="Eigene Aufgaben besser lösen",
                    participation="Lesen, kommentieren, teilen",
                    usage_format=formats[(i + k) % 3],
                    services_needed="Regelmäßige Beiträge und Betreuung durch die Division",
                    effort=1 + (i + k) % 5,
                    # Ranked after a dot-vote, a quarter left unranked.
                    priority=None if (i + k) % 4 == 3 else 1 + (i * 2 + k) % 5,
                    order=k + 1,
                )
            )
    _bulk(ActionOption, options)
    options = list(
        ActionOption.objects.filter(topic__project=project).order_by("topic__block__order", "topic__order", "order")
    )

    # Requirements: one per option, cycling through the resource types.
    requirements = []
    for n, option in enumerate(options):
        resource_type = resource_types[n % len(resource_types)]
        base = LARGE_BASE_AMOUNTS.get(resource_type.key)
        amount = Decimal(base) / 20 if base else Decimal(1 + n % 5)
        requirements.append(
            ResourceRequirement(option=option, resource_type=resource_type, amount=amount, lead_time_weeks=(n * 3) % 27)
        )
    _bulk(ResourceRequirement, requirements)

    # Competitors: 18 (xl: 88) performance + 12 attention, each present on 5 topics.
    competitors = [
        Competitor(
            project=project,
            name=name,
            kind=CompetitorKind.PERFORMANCE,
            description="Anbieter mit vergleichbarem Angebot in mindestens einer Division.",
        )
        for name in _performance_names(size)
    ] + [
        Competitor(
            project=project,
            name=name,
            kind=CompetitorKind.ATTENTION,
            description="Konkurriert um die Aufmerksamkeit derselben Zielgruppen.",
        )
        for name in LARGE_ATTENTION_COMPETITORS
    ]
    _bulk(Competitor, competitors)
    competitors = list(Competitor.objects.filter(project=project).order_by("id"))
    presences = []
    for c, competitor in enumerate(competitors):
        for t in range(5):
            # 13 and 72 are coprime, so the five topics are distinct.
            topic = topics[(c * 7 + t * 13) % len(topics)]
            presences.append(
                CompetitorPresence(
                    competitor=competitor,
                    topic=topic,
                    strength=1 + (c + t) % 5,
                    standard_set=f"Setzt Maßstäbe durch {LARGE_STANDARDS[(c + t) % len(LARGE_STANDARDS)]}",
                    expected_reaction=LARGE_REACTIONS[(c * 2 + t) % len(LARGE_REACTIONS)],
                )
            )
    _bulk(CompetitorPresence, presences)

    # Resources: 40 (xl: 150), cycling through the types and divisions.
    resources = []
    for r in range(size.resources):
        resource_type = resource_types[r % len(resource_types)]
        division = size.divisions[(r // len(resource_types)) % len(size.divisions)]
        base = LARGE_BASE_AMOUNTS.get(resource_type.key)
        resources.append(
            Resource(
                project=project,
                resource_type=resource_type,
                amount=Decimal(base) if base else Decimal(2 + r % 3),
                quality=1 + (r * 2) % 5,
                description=f"{resource_type.title_de or resource_type.title} der Division {division}",
            )
        )
    _bulk(Resource, resources)

    # KPIs: one for every second benefit (large: 108); every ninth lacks a baseline.
    all_benefits = [b for topic in topics for b in benefits_by_topic[topic.pk]]
    kpis = []
    for n, benefit in enumerate(all_benefits[::2]):
        kpis.append(
            Kpi(
                benefit=benefit,
                description=f"Beitrag von Social Media zu „{benefit.title}“",
                metric="Ergebnisse pro Quartal",
                baseline=None if n % 9 == 4 else Decimal(10 + n % 20),
                target=Decimal(30 + n % 40),
                unit="Stück",
                owner=f"Bereichsleitung {size.divisions[n % len(size.divisions)]}",
                due_date=dt.date(2027, 1 + n % 12, 28),
            )
        )
    _bulk(Kpi, kpis)

    statuses = [MilestoneStatus.DONE] * 4 + [MilestoneStatus.IN_PROGRESS] * 4 + [MilestoneStatus.BLOCKED]
    _bulk(
        Milestone,
        [
            Milestone(
                project=project,
                title=f"{phase} ({division})",
                owner=f"Bereichsleitung {division}",
                due_date=dt.date(2026, 9, 1) + dt.timedelta(weeks=3 * n),
                status=statuses[n] if n < len(statuses) else MilestoneStatus.PLANNED,
                order=n + 1,
            )
            for n, (phase, division) in enumerate(
                (phase, division) for phase in LARGE_MILESTONE_PHASES for division in size.divisions
            )
        ],
    )
    _bulk(
        Platform,
        [
            Platform(
                project=project,
                name=name,
                kind=kind,
                usage_format=format_by_key[format_key],
                purpose=f"{name} als Kanal der Gruppe und der Divisionen",
                risks="Uneinheitlicher Auftritt der Divisionen",
                mitigation="Gemeinsame Gestaltungsregeln und zentrale Freigabe",
            )
            for name, kind, format_key in LARGE_PLATFORMS
        ],
    )

    # Content plan: two pillars per division, each on every platform (large: 8 pillars, 64 lines).
    pillars = []
    for d, division in enumerate(size.divisions):
        for t, theme in enumerate(("Fachwissen", "Einblicke")):
            topic = topics[(d * 2 + t) * 7 % len(topics)]
            pillars.append(
                ContentPillar(
                    project=project,
                    title=f"{theme} ({division})",
                    topic=topic,
                    benefit=benefits_by_topic[topic.pk][0],
                    order=d * 2 + t + 1,
                )
            )
    _bulk(ContentPillar, pillars)
    _bulk(
        ContentPlanLine,
        [
            ContentPlanLine(
                pillar=pillar,
                platform=name,
                format="Beitrag mit Bild",
                frequency_per_month=1 + (p + n) % 4,
                owner=f"Redaktion {pillar.title}",
                hours_per_post=Decimal(1 + (p + n) % 3),
                usage_shares={format_key: 100},
            )
            for p, pillar in enumerate(ContentPillar.objects.filter(project=project).order_by("order"))
            for n, (name, _kind, format_key) in enumerate(LARGE_PLATFORMS)
        ],
    )
    _bulk(
        SwotNote,
        [
            SwotNote(project=project, quadrant=quadrant, text=text, order=n + 1)
            for n, (quadrant, text) in enumerate(SWOT_NOTES)
        ],
    )

    approved_choices = {
        option.pk: (n % 3 != 2, "Gutes Verhältnis von Nutzen zu Aufwand" if n % 3 != 2 else "Zurückgestellt")
        for n, option in enumerate(options)
    }
    draft_choices = {
        option.pk: (n % 5 != 4, "Im Ausbau enthalten" if n % 5 != 4 else "Weiterhin zurückgestellt")
        for n, option in enumerate(options)
    }
    approved = _create_versions(
        project=project,
        approved=LARGE_VERSION_1,
        draft=LARGE_VERSION_2,
        approved_choices=approved_choices,
        draft_choices=draft_choices,
        consultant=users["berater"],
        second_consultant=users["beraterin2"],
        manager=users["manager"],
        approved_days_ago=GENERATED_APPROVED_DAYS_AGO,
    )
    seed_generated_checkins(project=project, version=approved, user=users["berater"])
    return ProjectOutcome(project=project, created=True, counts=_project_counts(project))


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------


def seed_demo_data(*, size: str = "small", password: str | None = None) -> SeedResult:
    """Ensure the demo users and projects in one transaction; safe to run repeatedly."""
    if size not in SIZES:
        raise DemoDataError(f"Unknown size {size!r}; choose one of {', '.join(SIZES)}.")
    password = password or demo_password()
    with transaction.atomic():
        users = ensure_demo_users(password=password)
        outcomes = [seed_demo_project(users=users)]
        if size in ("large", "xl"):
            outcomes.append(seed_large_project(users=users))
        if size == "xl":
            outcomes.append(seed_xl_project(users=users))
    logins = [
        DemoLogin(
            username=spec["username"],
            full_name=users[spec["username"]].get_full_name(),
            role=spec["label"],
            password=password,
        )
        for spec in DEMO_USERS
    ]
    return SeedResult(logins=logins, projects=outcomes)
