"""Reads of the referrals module, always scoped to what the user may see."""

from __future__ import annotations

from django.db.models import (
    Aggregate,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    Q,
    QuerySet,
    When,
)
from django.http import Http404
from django.utils import timezone

from accounts.models import Organisation, Territory
from accounts.roles import Role
from referrals import permissions
from referrals.choices import Status
from referrals.models import DirectoryEntry, Network, Referral
from referrals.permissions import works_in_referrals

BOXES = ("new", "overdue", "in_progress", "done")
LIST_RELATED = ("beneficiary", "from_organisation", "to_organisation", "service", "claimed_by")

# The person's fields a referral list may load: the minimum shared card's name and code, and
# what decides whether it is shown (permissions.can_see_person). Phone, notes, vulnerabilities,
# dates of birth... are never loaded for a list, whoever reads it.
PERSON_CARD = ("id", "uuid", "code", "first_name", "last_name", "bureau_id", "consent_sharing",
               "anonymised_at")  # fmt: skip


# What decides whether a referral's reader may see the person (permissions.annotate_identity):
# a referral's page reads only these before deciding, then loads the card if allowed.
IDENTITY_KEYS = ("id", "bureau_id", "consent_sharing", "anonymised_at", "merged_into_id")
# The minimum card of a referral's page (name, code, sex, age, languages, contact); what the
# sender chose to share (``Referral.shared_fields``) is added to it, and only that.
DETAIL_CARD = (*PERSON_CARD, "merged_into_id", "sex", "birth_date", "birth_date_is_estimated",
               "languages", "phone")  # fmt: skip
SHARED_ATTNAMES = {
    "nationality": ("nationality",),
    "category": ("category",),
    "commune": ("commune_id",),
    "household": ("household_size", "children_count"),
    "vulnerabilities": ("vulnerabilities",),
}


def _person_fields(queryset: QuerySet, allowed) -> QuerySet:
    """Every field of the referred person but ``allowed`` deferred: never selected."""
    from baom.models import Beneficiary

    hidden = [
        f"beneficiary__{field.attname}"
        for field in Beneficiary._meta.concrete_fields
        if field.attname not in allowed
    ]
    return queryset.defer(*hidden)


# The card a list shows (name and code, the uuid naming the person in the read lines).
LIST_NAMES = ("uuid", "code", "first_name", "last_name")
BUREAU_ROLES = {Role.AGENT, Role.SUPERVISOR}


def _list_fields(queryset: QuerySet, user) -> QuerySet:
    """A list's query reads what decides whether each row's person may be shown; the name and
    code only of the rows whose case file the reader holds (their bureau's people; every
    person for managers), as annotations. The other rows' names are read after the decision,
    for the rows shown only (``with_identity``)."""
    from accounts.permissions import sees_all_organisations

    keys = tuple(name for name in PERSON_CARD if name not in LIST_NAMES)
    queryset = _person_fields(queryset, keys)
    if sees_all_organisations(user):
        names = {f"card_{n}": F(f"beneficiary__{n}") for n in LIST_NAMES}
    elif getattr(user, "role", None) in BUREAU_ROLES:
        # a bureau holds its own people's case files (NULL for the others' rows)
        holds = Q(beneficiary__bureau_id=user.organisation_id)
        names = {
            f"card_{n}": Case(When(holds, then=F(f"beneficiary__{n}")), default=None)
            for n in LIST_NAMES
        }
    else:
        return queryset  # an association holds no case file: names only once shown
    return queryset.annotate(**names)


def _attach_names(referrals: list) -> None:
    """Put the name and code on the rows whose person is shown: from the list's own query for
    the reader's own people, in one more query for the others (none when there are none)."""
    from baom.models import Beneficiary

    missing = set()
    for referral in referrals:
        if not referral.identity_visible:
            continue
        if getattr(referral, "card_code", None) is not None:
            for name in LIST_NAMES:
                setattr(referral.beneficiary, name, getattr(referral, f"card_{name}"))
        else:
            missing.add(referral.beneficiary_id)
    if not missing:
        return
    cards = {
        row["pk"]: row
        for row in Beneficiary.objects.filter(pk__in=missing).values("pk", *LIST_NAMES)
    }
    for referral in referrals:
        card = cards.get(referral.beneficiary_id) if referral.identity_visible else None
        if card is not None:
            for name in LIST_NAMES:
                setattr(referral.beneficiary, name, card[name])


def _load_card(referral: Referral) -> None:
    """Put on the referral the person's minimum card and the fields its sender chose to
    share, in one query: the need-to-know fields (GBV flag, confidential notes...) and what
    was not shared are never read from the database for a referral's page."""
    from baom.models import Beneficiary

    shared = [n for key in referral.shared_fields for n in SHARED_ATTNAMES.get(key, ())]
    queryset = Beneficiary.objects.filter(pk=referral.beneficiary_id)
    if "commune_id" in shared:
        queryset = queryset.select_related("commune")
    names = {n.removesuffix("_id") for n in (*DETAIL_CARD, *shared) if n != "id"}
    referral.beneficiary = queryset.only(*names).get()


def _box_filter(box: str, today) -> Q:
    if box == "new":
        return Q(status=Status.SENT)
    if box == "overdue":
        return Q(status=Status.SENT, due_on__lt=today)
    if box == "in_progress":
        return Q(status__in=[Status.ACCEPTED, Status.IN_PROGRESS])
    return Q(status__in=[Status.COMPLETED, Status.DECLINED, Status.CANCELLED])


def inbox(*, user, box: str = "new") -> QuerySet:
    """Referrals sent to the user's organisation (every organisation's for managers)."""
    queryset = _list_fields(
        _one_side(user, "to_organisation_id").select_related(*LIST_RELATED), user
    )
    box = box if box in BOXES else "new"
    return queryset.filter(_box_filter(box, timezone.localdate())).order_by("-sent_at", "-id")


def inbox_counts(*, user) -> dict[str, int]:
    """The badge numbers of the inbox, in one query."""
    queryset = _one_side(user, "to_organisation_id")
    today = timezone.localdate()
    return queryset.aggregate(
        **{box: Count("to_organisation_id", filter=_box_filter(box, today)) for box in BOXES}
    )


def sent_list(*, user) -> QuerySet:
    return _list_fields(
        _one_side(user, "from_organisation_id")
        .select_related(*LIST_RELATED)
        .order_by("-sent_at", "-id"),
        user,
    )


def _one_side(user, field: str) -> QuerySet:
    """Managers: every referral (inside ``visible_to``). Staff: their organisation's side only,
    a subset of their ``visible_to`` scope that the inbox and sent indexes serve directly."""
    from accounts.permissions import sees_all_organisations

    if sees_all_organisations(user):
        return Referral.objects.visible_to(user)
    if works_in_referrals(user):
        return Referral.objects.filter(**{field: user.organisation_id})
    return Referral.objects.none()


def referral_get_for(user, uuid) -> Referral:
    """The referral, or 404 whether it does not exist or is not the user's to see."""
    referral = (
        _person_fields(
            Referral.objects.visible_to(user).select_related(*LIST_RELATED, "sent_by", "parent"),
            IDENTITY_KEYS,
        )
        .filter(uuid=uuid)
        .first()
    )
    if referral is None:
        raise Http404
    permissions.annotate_identity(user, [referral])
    if referral.identity_visible:
        _load_card(referral)
    else:
        mask_free_text(referral)
    return referral


# Written by people, about the person: shown only while the person is shared with the reader.
FREE_TEXT_FIELDS = ("reason", "note", "feedback")


def mask_free_text(referral: Referral) -> None:
    """Once the person is no longer shared with the reader's organisation, the referral it
    reads keeps only dates, status, organisations, service and coded outcome: the free text
    (reason, note, feedback, event notes) is dropped from the instance before any page or
    file sees it. The instance is marked so that it is never saved."""
    for name in FREE_TEXT_FIELDS:
        setattr(referral, name, "")
    referral.free_text_masked = True


def with_identity(*, user, page):
    """A page of referrals for a list: each row says whether the person may be shown
    (``identity_visible``), computed for the whole page in one query, and the shown rows get
    the person's name and code (``_attach_names``); the others never read them."""
    page.object_list = permissions.annotate_identity(user, page.object_list)
    _attach_names(page.object_list)
    return page


def referral_chain(referral: Referral) -> list[Referral]:
    """Every referral of the same person linked to this one by onward referrals, oldest first:
    both sides see where the person went (organisations, service, status, outcome only)."""
    root = referral
    seen = {root.pk}
    while root.parent_id and root.parent_id not in seen:
        root = Referral.objects.select_related("parent").get(pk=root.parent_id)
        seen.add(root.pk)
    chain = [root]
    frontier = [root.pk]
    while frontier:
        children = list(
            Referral.objects.filter(parent_id__in=frontier).select_related(
                "from_organisation", "to_organisation", "service"
            )
        )
        chain += children
        frontier = [c.pk for c in children]
    if len(chain) == 1:
        return []
    ids = [r.pk for r in chain]
    return list(
        Referral.objects.filter(pk__in=ids)
        .select_related("from_organisation", "to_organisation", "service")
        .order_by("sent_at", "id")
    )


def referral_events(referral: Referral) -> list:
    """The referral's history; without their notes when the referral's free text is masked."""
    events = list(referral.events.select_related("actor", "actor_organisation"))
    if getattr(referral, "free_text_masked", False):
        for event in events:
            event.note = ""
    return events


def unread_notifications(*, user) -> QuerySet:
    """The user's own unread notifications about referrals (core.notifications)."""
    from core.notifications import notifications_of

    return (
        notifications_of(user)
        .filter(read_at__isnull=True, kind__startswith="referral.")
        .order_by("-created_at", "-id")
    )


def directory_search(
    *, need: int | None = None, place: int | None = None, language: str = ""
) -> QuerySet:
    """Organisations with their services, searchable by need (service type), place (a territory:
    entries covering it or one of its parents, or located inside it) and language."""
    queryset = DirectoryEntry.objects.filter(organisation__is_active=True).select_related(
        "organisation", "organisation__territory"
    )
    if need:
        queryset = queryset.filter(services__id=need)
    if place:
        territory = Territory.objects.filter(pk=place).select_related("parent__parent").first()
        ids = []
        while territory is not None:
            ids.append(territory.pk)
            territory = territory.parent
        queryset = queryset.filter(
            Q(territories__id__in=ids)
            | Q(organisation__territory_id__in=ids)
            | Q(organisation__territory__parent_id=place)
            | Q(organisation__territory__parent__parent_id=place)
        )
    if language:
        queryset = queryset.filter(languages__contains=[language])
    return queryset.distinct().prefetch_related("services", "territories", "organisation__networks")


def referral_targets() -> QuerySet:
    """Organisations a referral may go to."""
    return Organisation.objects.filter(
        is_active=True, directory_entry__accepts_referrals=True
    ).order_by("name")


def networks() -> QuerySet:
    return Network.objects.prefetch_related("members")


class Median(Aggregate):
    """PostgreSQL's ``percentile_cont(0.5) WITHIN GROUP (ORDER BY ...)``."""

    function = "percentile_cont"
    name = "Median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    allow_distinct = False


STATS_GROUPS = {
    "route": ("from_organisation__name", "to_organisation__name"),
    "service": ("service__code", "service__name_fr", "service__name_ar", "service__name_en"),
    "sex": ("beneficiary__sex",),
}


def referral_stats(*, user, group_by: str = "route") -> list[dict]:
    """Sent, accepted, declined, completed and median times to answer and to complete, per
    route (from → to), per service or by sex; computed in PostgreSQL."""
    fields = STATS_GROUPS[group_by]
    queryset = Referral.objects.visible_to(user).exclude(status=Status.DRAFT)
    answered = ExpressionWrapper(F("answered_at") - F("sent_at"), output_field=DurationField())
    completed = ExpressionWrapper(F("completed_at") - F("sent_at"), output_field=DurationField())
    return list(
        queryset.values(*fields)
        .annotate(
            sent=Count("pk"),
            accepted=Count(
                "pk", filter=Q(status__in=[Status.ACCEPTED, Status.IN_PROGRESS, Status.COMPLETED])
            ),
            declined=Count("pk", filter=Q(status=Status.DECLINED)),
            completed=Count("pk", filter=Q(status=Status.COMPLETED)),
            median_answer=Median(answered, output_field=DurationField()),
            median_completion=Median(completed, output_field=DurationField()),
        )
        .order_by(*fields)
    )


def beneficiary_referrals(beneficiary) -> QuerySet:
    """The person's sent referrals with their outcome, for the timeline of their page (whose
    reader already may see the whole case file)."""
    return (
        Referral.objects.filter(beneficiary=beneficiary, sent_at__isnull=False)
        .select_related("from_organisation", "to_organisation", "service", "parent")
        .order_by("-sent_at", "-id")
    )
