"""In-app notifications and emails about referrals. Emails carry no personal data: a link."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mass_mail
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.models import User
from referrals.models import Notification, Referral, ReferralEvent


def _staff_of(organisation_id: int):
    return User.objects.filter(organisation_id=organisation_id, is_active=True).exclude(email="")


def _messages(users, subject_and_body) -> list[tuple]:
    messages = []
    for user in users:
        with translation.override(user.language or settings.LANGUAGE_CODE):
            subject, body = subject_and_body()
            messages.append((str(subject), str(body), None, [user.email]))
    return messages


def notify_event(*, event_id: int) -> int:
    """Tell the other side of a referral what happened: a notification for its organisation
    and an email to its staff (the sender's side: the person who sent it), and, for an onward
    referral, the organisation that started the chain. Returns the number of emails sent."""
    event = ReferralEvent.objects.select_related("referral").filter(pk=event_id).first()
    if event is None:
        return 0
    referral = event.referral
    if event.actor_organisation_id == referral.to_organisation_id:
        recipient_org = referral.from_organisation_id
        users = list(_staff_of(recipient_org).filter(pk=referral.sent_by_id)) or list(
            _staff_of(recipient_org)
        )
    else:
        recipient_org = referral.to_organisation_id
        users = list(_staff_of(recipient_org))
    Notification.objects.get_or_create(
        organisation_id=recipient_org, referral=referral, event=event, kind="event"
    )
    # Onward referrals: the organisation that started the chain follows it too.
    root = referral
    while root.parent_id is not None:
        root = Referral.objects.only("parent_id", "from_organisation_id", "sent_by_id").get(
            pk=root.parent_id
        )
    if root.pk != referral.pk and root.from_organisation_id not in {
        recipient_org,
        event.actor_organisation_id,
    }:
        Notification.objects.get_or_create(
            organisation_id=root.from_organisation_id, referral=referral, event=event, kind="event"
        )
        users += list(_staff_of(root.from_organisation_id).filter(pk=root.sent_by_id))
    link = settings.SITE_URL + reverse("referrals:detail", kwargs={"uuid": referral.uuid})

    def render():
        status = event.get_to_status_display()
        subject = _("Referral update: %(status)s") % {"status": status}
        body = _(
            "A referral your organisation follows is now: %(status)s."
            "\n\nOpen it in Tawjih: %(link)s"
        ) % {"status": status, "link": link}
        return subject, body

    return send_mass_mail(_messages(users, render), fail_silently=False)


def email_organisation(*, organisation_id: int, kind: str, count: int) -> int:
    link = settings.SITE_URL + reverse("referrals:index") + "?box=overdue"

    def render():
        subject = _("Referrals waiting for an answer")
        body = ngettext(
            "%(count)s referral sent to your organisation is past its answer deadline."
            "\n\nOpen your inbox in Tawjih: %(link)s",
            "%(count)s referrals sent to your organisation are past their answer deadline."
            "\n\nOpen your inbox in Tawjih: %(link)s",
            count,
        ) % {"count": count, "link": link}
        return subject, body

    return send_mass_mail(_messages(_staff_of(organisation_id), render), fail_silently=False)
