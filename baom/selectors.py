"""Reads of the intake module, always scoped to what the user may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.postgres.search import TrigramWordSimilarity
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import Lower
from django.http import Http404
from django.utils import timezone

from accounts.permissions import sees_all_organisations
from baom.models import (
    Beneficiary,
    BeneficiaryChange,
    ConsentRecord,
    Distribution,
    GroupActivity,
    ServiceDelivery,
    Visit,
    normalise,
)
from baom.permissions import in_bureau
from baom.validators import normalise_phone, years_before

# How similar a name must be to count as a match (pg_trgm word similarity, 0..1).
NAME_SIMILARITY = 0.45
SORTS = {
    "recent": ["-registered_on", "-id"],
    "oldest": ["registered_on", "id"],
    "name": ["last_name", "first_name", "id"],
    "code": ["code"],
}


def beneficiary_get_for(user, uuid) -> Beneficiary:
    """The record, or 404 whether it does not exist or is not the user's to see."""
    beneficiary = (
        Beneficiary.objects.visible_to(user)
        .select_related("bureau", "commune", "registered_by", "merged_into", "assigned_to")
        .filter(uuid=uuid)
        .first()
    )
    if beneficiary is None:
        raise Http404
    return beneficiary


def _looks_like_phone(text: str) -> str | None:
    digits = "".join(c for c in text if c.isdigit())
    if len(digits) < 6 or len(digits) < len(text.replace(" ", "").replace("+", "")) - 1:
        return None
    try:
        return normalise_phone(text)
    except Exception:
        return None


def search(queryset: QuerySet, text: str, *, one_bureau: bool = False) -> QuerySet:
    """Code (exact or prefix), phone, or names, accent-, case- and typo-tolerant.

    ``one_bureau``: the queryset is already limited to one bureau (an agent's scope, or a
    manager's bureau filter, both written with ``permissions.in_bureau``). A name search then
    goes through the (bureau, name) GiST index, whose cost follows the bureau's size, not the
    number of people in every bureau. That index is on ``lower(search_name)`` (the identity:
    the name is stored normalised), so PostgreSQL never picks it for a search across bureaus,
    where the name's GIN index over everyone is several times faster."""
    text = text.strip()
    if not text:
        return queryset
    upper = text.upper()
    if "-" in upper and upper.replace("-", "").isalnum() and any(c.isdigit() for c in upper):
        return queryset.filter(code__startswith=upper)
    phone = _looks_like_phone(text)
    if phone:
        return queryset.filter(phone=phone)
    wanted = normalise(text)
    if not wanted:
        return queryset.none()
    name = Lower("search_name") if one_bureau else F("search_name")
    # `%>` uses the trigram index; the similarity orders the best matches first.
    return (
        queryset.alias(matched_name=name)
        .filter(matched_name__trigram_word_similar=wanted)
        .annotate(similarity=TrigramWordSimilarity(wanted, name))
        .order_by("-similarity", "-registered_on", "-id")
    )


@dataclass
class BeneficiaryFilters:
    q: str = ""
    sex: str = ""
    age_band: str = ""  # "18-24", "60+"
    category: str = ""
    nationality: str = ""
    vulnerability: str = ""
    status: str = ""
    bureau: int | None = None
    registered_from: date | None = None
    registered_to: date | None = None
    cases: str = ""  # "mine", "unassigned" (open cases without an agent), or an agent's id
    sort: str = "recent"


def _age_band_filter(band: str, today: date) -> Q:
    low_text, _, high_text = band.replace("+", "-").partition("-")
    low = int(low_text)
    condition = Q(birth_date__lte=years_before(today, low))
    if high_text:
        condition &= Q(birth_date__gt=years_before(today, int(high_text) + 1))
    return condition


def beneficiary_list(*, user, filters: BeneficiaryFilters) -> QuerySet:
    queryset = Beneficiary.objects.visible_to(user).active().select_related("bureau", "commune")
    if filters.sex:
        queryset = queryset.filter(sex=filters.sex)
    if filters.category:
        queryset = queryset.filter(category=filters.category)
    if filters.nationality:
        queryset = queryset.filter(nationality=filters.nationality)
    if filters.vulnerability:
        queryset = queryset.filter(vulnerabilities__contains=[filters.vulnerability])
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    if filters.bureau:
        queryset = queryset.filter(in_bureau(filters.bureau))
    if filters.registered_from:
        queryset = queryset.filter(registered_on__gte=filters.registered_from)
    if filters.registered_to:
        queryset = queryset.filter(registered_on__lte=filters.registered_to)
    if filters.age_band:
        queryset = queryset.filter(_age_band_filter(filters.age_band, timezone.localdate()))
    if filters.cases:
        from baom.casework.selectors import cases_filter

        queryset = queryset.filter(cases_filter(filters.cases, user))
    if filters.q.strip():
        one_bureau = bool(filters.bureau) or not sees_all_organisations(user)
        return search(queryset, filters.q, one_bureau=one_bureau)
    return queryset.order_by(*SORTS.get(filters.sort, SORTS["recent"]))


def possible_duplicates(
    *,
    user,
    first_name: str,
    last_name: str,
    birth_date: date | None = None,
    nationality: str = "",
    phone: str = "",
    exclude_pk: int | None = None,
    limit: int = 5,
) -> list[Beneficiary]:
    """Records of the user's scope that may be the same person: the same phone, or a similar
    name backed by the same birth year or nationality (a similar name alone is too common)."""
    scope = Beneficiary.objects.visible_to(user).active()
    if exclude_pk:
        scope = scope.exclude(pk=exclude_pk)
    matches: dict[int, Beneficiary] = {}
    if phone:
        for record in scope.filter(phone=phone)[:limit]:
            record.match_reason = "phone"
            matches[record.pk] = record
    wanted = normalise(f"{first_name} {last_name}")
    if wanted:
        similar = (
            scope.filter(search_name__trigram_similar=wanted)
            .annotate(similarity=TrigramWordSimilarity(wanted, "search_name"))
            .order_by("-similarity")
        )
        backing = Q()
        if birth_date:
            backing |= Q(birth_date__year=birth_date.year)
        if nationality:
            backing |= Q(nationality=nationality)
        if backing:
            similar = similar.filter(backing)
        for record in similar.select_related("bureau")[:limit]:
            if record.pk not in matches:
                record.match_reason = "name"
                matches[record.pk] = record
    return list(matches.values())[:limit]


def beneficiary_timeline(beneficiary: Beneficiary) -> list[dict]:
    """Visits (with needs and services), workshops, kits and referrals, newest first, in 5
    queries."""
    visits = (
        Visit.objects.filter(beneficiary=beneficiary)
        .select_related("agent", "bureau")
        .prefetch_related(
            "needs",
            Prefetch("services", queryset=ServiceDelivery.objects.select_related("service_type")),
        )
    )
    events = [{"kind": "visit", "date": v.date, "object": v} for v in visits]
    activities = GroupActivity.objects.filter(attendance__beneficiary=beneficiary).select_related(
        "organiser"
    )
    events += [{"kind": "activity", "date": a.start_date, "object": a} for a in activities]
    kits = Distribution.objects.filter(beneficiary=beneficiary)
    events += [{"kind": "kit", "date": k.date, "object": k} for k in kits]
    # Entries of the apps above baom (referrals), which subscribe in baom.events.
    from baom import events as baom_events

    for entries in baom_events.TIMELINE_ENTRIES:
        events += entries(beneficiary)
    events.sort(key=lambda e: (e["date"], e["object"].pk), reverse=True)
    return events


def activity_list(*, user) -> QuerySet:
    """The organising bureau's activities; every bureau's for managers (``visible_to``)."""
    return (
        GroupActivity.objects.visible_to(user)
        .select_related("organiser", "commune")
        .annotate(registered=Count("attendance"))
        .order_by("-start_date", "-id")
    )


def activity_get_for(user, uuid) -> GroupActivity:
    activity = activity_list(user=user).filter(uuid=uuid).first()
    if activity is None:
        raise Http404
    return activity


def consent_history(beneficiary: Beneficiary) -> QuerySet:
    """Every consent given or withdrawn, newest first, with who recorded it."""
    return ConsentRecord.objects.filter(beneficiary=beneficiary).select_related("recorded_by")


def change_history(beneficiary: Beneficiary, *, user) -> QuerySet:
    """Edits and rectifications of the record, newest first; the need-to-know fields only for
    users cleared for them."""
    from baom.permissions import can_see_sensitive
    from baom.services import SENSITIVE_FIELDS

    queryset = (
        BeneficiaryChange.objects.visible_to(user)
        .filter(beneficiary=beneficiary)
        .select_related("changed_by")
    )
    if not can_see_sensitive(user):
        queryset = queryset.exclude(field__in=SENSITIVE_FIELDS)
    return queryset
