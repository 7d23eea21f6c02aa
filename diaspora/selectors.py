"""Reads that matter, always scoped to what the user may see (``visible_to``)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import Territory
from diaspora.choices import Sex
from diaspora.countries import country_name
from diaspora.models import (
    Contact,
    DiasporaAssociation,
    DiasporaMember,
    Event,
    Participation,
)


@dataclass
class RegistryFilters:
    q: str = ""
    country: str = ""
    sector: str = ""
    contribution: str = ""
    origin: Territory | None = None  # a province or a commune
    ambassadors_only: bool = False
    extra: dict = field(default_factory=dict)


def _origin_q(prefix: str, origin: Territory) -> Q:
    if origin.level == Territory.Level.COMMUNE:
        return Q(**{f"{prefix}origin_commune": origin})
    if origin.level == Territory.Level.PROVINCE:
        return Q(**{f"{prefix}origin_commune__parent": origin})
    return Q(**{f"{prefix}origin_commune__parent__parent": origin})


def member_list(*, user, filters: RegistryFilters | None = None) -> QuerySet[DiasporaMember]:
    """Validated members who consent to be contacted, filtered."""
    filters = filters or RegistryFilters()
    members = DiasporaMember.objects.visible_to(user).validated()
    if filters.q:
        for word in filters.q.split()[:5]:
            members = members.filter(
                Q(first_name__icontains=word)
                | Q(last_name__icontains=word)
                | Q(profession__icontains=word)
                | Q(skills__icontains=word)
                | Q(city__icontains=word)
                | Q(email__icontains=word)
            )
    if filters.country:
        members = members.filter(country=filters.country)
    if filters.sector:
        members = members.filter(sectors__contains=[filters.sector])
    if filters.contribution:
        members = members.filter(contributions__contains=[filters.contribution])
    if filters.origin is not None:
        members = members.filter(_origin_q("", filters.origin))
    if filters.ambassadors_only:
        members = members.filter(is_economic_ambassador=True)
    return members.select_related("origin_commune")


def member_pending_list(*, user) -> QuerySet[DiasporaMember]:
    return DiasporaMember.objects.visible_to(user).pending().order_by("created_at")


def member_get_for(user, member_uuid) -> DiasporaMember:
    """The member, or 404 whether it does not exist or the user may not see it."""
    return get_object_or_404(
        DiasporaMember.objects.visible_to(user).select_related(
            "origin_commune__parent", "validated_by"
        ),
        uuid=member_uuid,
    )


def association_list(*, user, filters: RegistryFilters | None = None):
    filters = filters or RegistryFilters()
    associations = DiasporaAssociation.objects.visible_to(user)
    if filters.q:
        associations = associations.filter(
            Q(name__icontains=filters.q) | Q(city__icontains=filters.q)
        )
    if filters.country:
        associations = associations.filter(country=filters.country)
    if filters.sector:
        associations = associations.filter(sectors__contains=[filters.sector])
    if filters.origin is not None:
        if filters.origin.level == Territory.Level.PROVINCE:
            associations = associations.filter(origin_province=filters.origin)
        else:
            associations = associations.filter(_origin_q("", filters.origin))
    return (
        associations.select_related("origin_province", "origin_commune")
        .annotate(
            registered_members=Count(
                "members",
                filter=Q(members__consent_to_contact=True, members__status="validated"),
            )
        )
        .order_by("name")
    )


def association_get_for(user, association_uuid) -> DiasporaAssociation:
    return get_object_or_404(
        DiasporaAssociation.objects.visible_to(user).select_related(
            "origin_province", "origin_commune"
        ),
        uuid=association_uuid,
    )


def _by_sex(prefix: str = "") -> dict:
    return {
        "women": Count("pk", filter=Q(**{f"{prefix}sex": Sex.FEMALE})),
        "men": Count("pk", filter=Q(**{f"{prefix}sex": Sex.MALE})),
        "total": Count("pk"),
    }


def members_by_country(*, user) -> tuple[list[dict], dict]:
    """Rows (country, women, men, total, ambassadors) and the totals, computed in the database."""
    members = member_list(user=user).order_by()
    extra = {"ambassadors": Count("pk", filter=Q(is_economic_ambassador=True))}
    rows = list(
        members.values("country").annotate(**_by_sex(), **extra).order_by("-total", "country")
    )
    for row in rows:
        row["country_name"] = country_name(row["country"])
    totals = members.aggregate(**_by_sex(), **extra)
    return rows, totals


def event_list(*, user) -> QuerySet[Event]:
    return (
        Event.objects.visible_to(user)
        .select_related("commune")
        .annotate(
            registered=Count("participations"),
            attended=Count("participations", filter=Q(participations__attended=True)),
        )
        .order_by("-starts_on", "title")
    )


def event_get_for(user, event_uuid) -> Event:
    return get_object_or_404(
        Event.objects.visible_to(user).select_related("commune"), uuid=event_uuid
    )


def event_split(*, user, event: Event) -> dict:
    """Registration and attendance by sex and by country of residence (counts, no names:
    participants without consent are counted too)."""
    participations = Participation.objects.for_counts(user).filter(event=event).order_by()
    counts = {
        **_by_sex(),
        "present": Count("pk", filter=Q(attended=True)),
        "women_attended": Count("pk", filter=Q(attended=True, sex=Sex.FEMALE)),
        "men_attended": Count("pk", filter=Q(attended=True, sex=Sex.MALE)),
    }
    totals = participations.aggregate(**counts)
    rows = list(participations.values("country").annotate(**counts).order_by("-total", "country"))
    for row in rows:
        row["country_name"] = country_name(row["country"])
    return {"totals": totals, "by_country": rows}


def event_participants(*, user, event: Event) -> QuerySet[Participation]:
    """Named participants: only those who consented to be contacted."""
    return Participation.objects.visible_to(user).filter(event=event).select_related("member")


def contact_list(*, user, member=None, association=None) -> QuerySet[Contact]:
    contacts = Contact.objects.visible_to(user).select_related("made_by")
    if member is not None:
        contacts = contacts.filter(member=member)
    if association is not None:
        contacts = contacts.filter(association=association)
    return contacts
