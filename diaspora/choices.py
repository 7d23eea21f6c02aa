"""Fixed lists of the diaspora registry. Codes are stored; labels are translated at display."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    # The same codes as the intake module, so that reports can add the counts up.
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")


class AgeBand(models.TextChoices):
    UNDER_25 = "18-24", _("18 to 24")
    FROM_25 = "25-34", _("25 to 34")
    FROM_35 = "35-44", _("35 to 44")
    FROM_45 = "45-54", _("45 to 54")
    FROM_55 = "55-64", _("55 to 64")
    FROM_65 = "65+", _("65 and over")


class Sector(models.TextChoices):
    AGRICULTURE = "agriculture", _("Agriculture")
    WATER = "water", _("Water")
    EDUCATION = "education", _("Education")
    HEALTH = "health", _("Health")
    TOURISM = "tourism", _("Tourism")
    DIGITAL = "digital", _("Digital")
    CULTURE = "culture", _("Culture")
    ENVIRONMENT = "environment", _("Environment and energy")
    CRAFTS = "crafts", _("Crafts and trade")
    ENTREPRENEURSHIP = "entrepreneurship", _("Entrepreneurship and investment")
    SOCIAL = "social", _("Social action and solidarity")
    WOMEN = "women", _("Women's rights and gender equality")


class Contribution(models.TextChoices):
    INVESTMENT = "investment", _("Investment")
    SKILLS_TRANSFER = "skills_transfer", _("Skills transfer")
    VOLUNTEERING = "volunteering", _("Volunteering")
    PHILANTHROPY = "philanthropy", _("Philanthropy")
    MENTORING = "mentoring", _("Mentoring")


class Language(models.TextChoices):
    ARABIC = "ar", _("Arabic")
    AMAZIGH = "zgh", _("Amazigh (Tachelhit)")
    FRENCH = "fr", _("French")
    ENGLISH = "en", _("English")
    SPANISH = "es", _("Spanish")
    DUTCH = "nl", _("Dutch")
    ITALIAN = "it", _("Italian")
    GERMAN = "de", _("German")


class ConsentChannel(models.TextChoices):
    ONLINE_FORM = "online_form", _("Online registration form")
    PAPER_FORM = "paper_form", _("Signed paper form")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone call (noted by an officer)")
    EVENT = "event", _("At an event")


class MemberStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for validation")
    VALIDATED = "validated", _("Validated")


class MemberSource(models.TextChoices):
    SELF_REGISTRATION = "self_registration", _("Self-registration")
    OFFICER = "officer", _("Entered by an officer")
    IMPORT = "import", _("Imported contact list")


class PartnershipStatus(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    IN_CONTACT = "in_contact", _("In contact")
    PARTNER = "partner", _("Partner of the programme")
    FORMER = "former", _("Former partner")


class EventKind(models.TextChoices):
    FAIR = "fair", _("Fair")
    FORUM = "forum", _("Forum")
    WEBINAR = "webinar", _("Webinar")
    MEETING = "meeting", _("Meeting or workshop")


class ContactChannel(models.TextChoices):
    PHONE = "phone", _("Phone")
    EMAIL = "email", _("Email")
    VIDEO = "video", _("Video call")
    MEETING = "meeting", _("Meeting in person")
    EVENT = "event", _("At an event")


class ContactOutcome(models.TextChoices):
    NO_ANSWER = "no_answer", _("No answer yet")
    INTERESTED = "interested", _("Interested")
    COMMITTED = "committed", _("Committed to contribute")
    FOLLOW_UP = "follow_up", _("Follow-up planned")
    DECLINED = "declined", _("Declined")
