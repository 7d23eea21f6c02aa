"""Fixed lists of the referrals module. Codes are stored; labels are translated at display."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("New")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    CANCELLED = "cancelled", _("Cancelled")


OPEN_STATUSES = [Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS]


class Urgency(models.TextChoices):
    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", _("Emergency")


class DeclineReason(models.TextChoices):
    NOT_IN_MANDATE = "not_in_mandate", _("Outside our mandate")
    NO_CAPACITY = "no_capacity", _("No capacity at the moment")
    OUT_OF_AREA = "out_of_area", _("Outside the territory we cover")
    ALREADY_FOLLOWED = "already_followed", _("Already followed elsewhere")
    INCOMPLETE = "incomplete", _("Not enough information")
    OTHER = "other", _("Other reason")


class Outcome(models.TextChoices):
    SERVICE_GIVEN = "service_given", _("Service given")
    PARTLY_GIVEN = "partly_given", _("Service partly given")
    DID_NOT_COME = "did_not_come", _("The person did not come")
    REFERRED_ONWARD = "referred_onward", _("Referred onward")
    PERSON_WITHDREW = "person_withdrew", _("The person withdrew")


class SharedField(models.TextChoices):
    """What the sender may add to the minimum (name, sex, age, language, contact)."""

    NATIONALITY = "nationality", _("Nationality")
    CATEGORY = "category", _("Category")
    COMMUNE = "commune", _("Commune of residence")
    HOUSEHOLD = "household", _("Household and children")
    VULNERABILITIES = "vulnerabilities", _("Vulnerabilities")
