"""Households: people of one bureau linked as a family (head, spouse, child, other relative).

A household is a set of memberships; statistics never read it, so every member is still one
person counted once. Every write is audited; only people of the same bureau can be linked,
and only by that bureau's staff.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from baom import permissions, services
from baom.models import Beneficiary
from baom.models_casefile import Household, HouseholdMember, Relationship
from core import audit


def can_link_household(user, beneficiary) -> bool:
    return permissions.can_edit_beneficiary(user, beneficiary)


@dataclass
class HouseholdCard:
    household: Household | None
    members: list[HouseholdMember] = field(default_factory=list)
    me: HouseholdMember | None = None

    @property
    def head(self) -> HouseholdMember | None:
        return next((m for m in self.members if m.relationship == Relationship.HEAD), None)

    @property
    def parents(self) -> list[HouseholdMember]:
        """For a child: the head and the spouse (the records a child's record links to)."""
        return [
            m for m in self.members if m.relationship in (Relationship.HEAD, Relationship.SPOUSE)
        ]

    @property
    def children(self) -> list[HouseholdMember]:
        return [m for m in self.members if m.relationship == Relationship.CHILD]


def household_card(*, user, beneficiary: Beneficiary) -> HouseholdCard:
    """The person's household as this user may see it (two queries)."""
    me = HouseholdMember.objects.filter(beneficiary=beneficiary).select_related("household").first()
    if me is None:
        return HouseholdCard(household=None)
    members = list(
        HouseholdMember.objects.filter(
            household_id=me.household_id,
            beneficiary__in=Beneficiary.objects.visible_to(user),
        )
        .select_related("beneficiary")
        .order_by("added_at", "id")
    )
    order = {value: n for n, value in enumerate(Relationship.values)}
    members.sort(key=lambda m: order.get(m.relationship, 9))
    return HouseholdCard(household=me.household, members=members, me=me)


def _check(actor, *people: Beneficiary) -> None:
    if len({person.bureau_id for person in people}) > 1:
        raise ValidationError(_("Only people registered by the same bureau can be linked."))
    if not all(can_link_household(actor, person) for person in people):
        raise PermissionDenied


@transaction.atomic
def household_link(
    *, anchor: Beneficiary, relative: Beneficiary, relationship: str, actor
) -> HouseholdMember:
    """Add ``relative`` to ``anchor``'s household, with its relationship to the head. Without
    a household yet, one is created with ``anchor`` as its head (or, when the relative is
    named head, ``anchor`` becomes a relative of the head)."""
    people = list(
        Beneficiary.objects.select_for_update()
        .filter(pk__in=[anchor.pk, relative.pk])
        .order_by("pk")
    )
    by_pk = {p.pk: p for p in people}
    anchor, relative = by_pk[anchor.pk], by_pk.get(relative.pk)
    if relative is None or relative.pk == anchor.pk:
        raise ValidationError(_("Choose another person to link."))
    _check(actor, anchor, relative)
    if relationship not in Relationship.values:
        raise ValidationError({"relationship": _("Choose the relationship.")})
    if HouseholdMember.objects.filter(beneficiary=relative).exists():
        raise ValidationError(
            _("%(code)s already belongs to a household: remove them from it first.")
            % {"code": relative.code}
        )
    mine = HouseholdMember.objects.filter(beneficiary=anchor).select_related("household").first()
    if mine is None:
        household = Household.objects.create(bureau=anchor.bureau, created_by=actor)
        audit.record(
            actor=actor, action=audit.Action.CREATE, obj=household, organisation=anchor.bureau
        )
        mine = HouseholdMember.objects.create(
            household=household,
            beneficiary=anchor,
            relationship=Relationship.RELATIVE if relationship == Relationship.HEAD else "head",
            added_by=actor,
        )
        _audit_member(actor, mine, audit.Action.CREATE)
    household = Household.objects.select_for_update().get(pk=mine.household_id)
    if (
        relationship == Relationship.HEAD
        and HouseholdMember.objects.filter(household=household, relationship="head").exists()
    ):
        raise ValidationError({"relationship": _("This household already has a head.")})
    member = HouseholdMember(
        household=household, beneficiary=relative, relationship=relationship, added_by=actor
    )
    member.save()
    _audit_member(actor, member, audit.Action.CREATE)
    return member


@transaction.atomic
def household_unlink(*, beneficiary: Beneficiary, actor) -> None:
    """Remove the person from their household (the household goes with its last member)."""
    member = (
        HouseholdMember.objects.select_for_update()
        .select_related("beneficiary", "household")
        .filter(beneficiary=beneficiary)
        .first()
    )
    if member is None:
        raise ValidationError(_("This person belongs to no household."))
    _check(actor, member.beneficiary)
    household = member.household
    _audit_member(actor, member, audit.Action.DELETE)
    member.delete()
    if not HouseholdMember.objects.filter(household=household).exists():
        audit.record(
            actor=actor, action=audit.Action.DELETE, obj=household, organisation=household.bureau
        )
        household.delete()


def _audit_member(actor, member: HouseholdMember, action: str) -> None:
    audit.record(
        actor=actor,
        action=action,
        object_type="baom.householdmember",
        object_id=str(member.beneficiary.uuid),
        organisation=member.household.bureau,
    )


# Fields copied from a member's record into the registration form of the next member.
SHARED_FIELDS = ("last_name", "nationality", "category", "commune", "languages", "phone",
                 "household_size")  # fmt: skip


def next_member_initial(anchor: Beneficiary) -> dict:
    """What the registration form is prefilled with for the next member of the household."""
    initial = {name: getattr(anchor, name) for name in SHARED_FIELDS}
    initial["commune"] = anchor.commune_id
    initial["nationality"] = str(anchor.nationality or "")
    initial["children_count"] = 0
    return initial


@transaction.atomic
def household_register_member(
    *, anchor: Beneficiary, actor, data: dict, relationship: str
) -> Beneficiary:
    """Register a new person in the anchor's bureau and link them to its household, in one
    transaction (a refused link registers nobody)."""
    if not can_link_household(actor, anchor) or not permissions.can_register(actor):
        raise PermissionDenied
    if relationship not in Relationship.values:
        raise ValidationError(_("Choose the relationship."))
    person = services.beneficiary_register(bureau=anchor.bureau, agent=actor, data=data)
    household_link(anchor=anchor, relative=person, relationship=relationship, actor=actor)
    return person


def household_forget(*, beneficiary_ids: list[int]) -> int:
    """Anonymisation: the person leaves their household (a family link identifies them);
    households left empty go too."""
    households = list(
        HouseholdMember.objects.filter(beneficiary_id__in=beneficiary_ids).values_list(
            "household_id", flat=True
        )
    )
    removed, _detail = HouseholdMember.objects.filter(beneficiary_id__in=beneficiary_ids).delete()
    Household.objects.filter(pk__in=households, members__isnull=True).delete()
    return removed


# Data-quality warnings: shown on the person's page, never a refusal.
def quality_warnings(beneficiary: Beneficiary, card: HouseholdCard | None = None) -> list[str]:
    warnings = []
    size, children = beneficiary.household_size, beneficiary.children_count or 0
    if size is not None and size < children:
        warnings.append(
            _(
                "The household size (%(size)s) is smaller than the number of children "
                "(%(children)s): check both figures."
            )
            % {"size": size, "children": children}
        )
    linked = len(card.members) if card is not None and card.household is not None else 0
    if size is not None and size < linked:
        warnings.append(
            _(
                "The household size (%(size)s) is smaller than the %(members)s people "
                "linked to this household."
            )
            % {"size": size, "members": linked}
        )
    messages = {
        "first_name": _(
            "The first name is made only of digits (%(value)s): a number typed in the wrong field?"
        ),
        "last_name": _(
            "The last name is made only of digits (%(value)s): a number typed in the wrong field?"
        ),
    }
    for name, message in messages.items():
        value = getattr(beneficiary, name) or ""
        if value.replace(" ", "").isdigit():
            warnings.append(message % {"value": value})
    return warnings
