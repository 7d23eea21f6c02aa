"""Fixed lists of the intake module. Codes are stored; labels are translated at display."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NOT_RECORDED = "not_recorded", _("Not recorded")


class Category(models.TextChoices):
    RPT = "rpt", _("Third-country national (RPT)")
    ASYLUM_SEEKER = "asylum_seeker", _("Asylum seeker")
    REFUGEE = "refugee", _("Refugee")
    MRE = "mre", _("Moroccan living abroad (MRE)")
    MRE_RETURNEE = "mre_returnee", _("Returning MRE")
    HOST = "host", _("Host population")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("Open")
    FOLLOW_UP = "follow_up", _("Follow-up")
    CLOSED = "closed", _("Closed")


class ClosedReason(models.TextChoices):
    RESOLVED = "resolved", _("Needs met")
    MOVED = "moved", _("Moved away")
    LOST_CONTACT = "lost_contact", _("Contact lost")
    REFERRED = "referred", _("Followed by another organisation")
    DECEASED = "deceased", _("Deceased")
    OTHER = "other", _("Other")


class Vulnerability(models.TextChoices):
    WOMAN_ALONE = "woman_alone", _("Woman alone")
    PREGNANT = "pregnant", _("Pregnant")
    UNACCOMPANIED_MINOR = "unaccompanied_minor", _("Unaccompanied minor")
    SINGLE_PARENT = "single_parent", _("Single-parent family")
    DISABILITY = "disability", _("Disability")
    CHRONIC_ILLNESS = "chronic_illness", _("Chronic illness")
    ELDERLY = "elderly", _("Elderly person")
    HOMELESS = "homeless", _("Without housing")


class Language(models.TextChoices):
    DARIJA = "darija", _("Darija")
    ARABIC = "ar", _("Arabic")
    AMAZIGH = "amazigh", _("Amazigh")
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    PORTUGUESE = "pt", _("Portuguese")
    WOLOF = "wolof", _("Wolof")
    BAMBARA = "bambara", _("Bambara")
    FULA = "fula", _("Fula")
    LINGALA = "lingala", _("Lingala")
    OTHER = "other", _("Other language")


class ConsentMethod(models.TextChoices):
    ORAL = "oral", _("Oral, in person")
    WRITTEN = "written", _("Signed form")
    PHONE = "phone", _("By phone")


class Channel(models.TextChoices):
    WALK_IN = "walk_in", _("Walk-in")
    PHONE = "phone", _("Phone")
    OUTREACH = "outreach", _("Outreach")
    REFERRED_IN = "referred_in", _("Referred by a partner")


class ActivityType(models.TextChoices):
    DARIJA = "darija", _("Darija course")
    COACHING = "coaching", _("Coaching")
    VOCATIONAL = "vocational", _("Vocational training")
    AWARENESS = "awareness", _("Awareness session")
    PROFESSIONALS = "professionals", _("Training of professionals")
    MULTI_ACTOR = "multi_actor", _("Multi-actor day")
    OTHER = "other", _("Other activity")


class KitType(models.TextChoices):
    FOOD = "food", _("Food kit")
    HYGIENE = "hygiene", _("Hygiene kit")
    OTHER = "other", _("Other kit")


AGE_BANDS = [(0, 4), (5, 11), (12, 17), (18, 24), (25, 59), (60, None)]


def age_band_label(low: int, high: int | None) -> str:
    return f"{low}+" if high is None else f"{low}-{high}"


class ConsentPurpose(models.TextChoices):
    """What a person consents to, each given or withdrawn on its own (law 09-08)."""

    PROCESSING = "processing", _("Processing of their data")
    SHARING = "sharing", _("Sharing with partner organisations")
    CONTACT = "contact", _("Being contacted (phone, follow-up)")


class AnonymisedReason(models.TextChoices):
    ERASURE = "erasure", _("Request for erasure")
    OBJECTION = "objection", _("Objection (consent to processing withdrawn)")
    RETENTION = "retention", _("Retention period over")


class ChangeKind(models.TextChoices):
    EDIT = "edit", _("Edit")
    RECTIFICATION = "rectification", _("Rectification at the person's request")
