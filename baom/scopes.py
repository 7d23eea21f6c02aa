"""``visible_to(user)`` of the intake records that hang off a person or a bureau: one scoping
pattern (``docs/architecture.md``, "Who sees what"), the policy's ``baom.person.read`` and
``baom.activity.read`` (``core/policy.py``): agents and supervisors see their bureau's rows,
programme managers and admins every bureau's, everyone else none.

The querysets are imported by the model modules, so nothing here imports a model at import
time."""

from __future__ import annotations

from django.db import models


def bureau_rows(queryset, user, field: str = "bureau"):
    """Rows whose ``field`` is a bureau, scoped as ``Beneficiary.objects.visible_to``."""
    from accounts.permissions import is_signed_in, sees_all_organisations
    from baom.permissions import works_in_bureau

    if not is_signed_in(user):
        return queryset.none()
    if sees_all_organisations(user):
        return queryset
    if works_in_bureau(user):
        return queryset.filter(**{f"{field}_id": user.organisation_id})
    return queryset.none()


def person_rows(queryset, user, field: str = "beneficiary"):
    """Rows about a person: visible while the person is (``Beneficiary.objects.visible_to``)."""
    from baom.models import Beneficiary

    people = Beneficiary.objects.visible_to(user)
    if people.query.is_empty():
        return queryset.none()
    if not people.query.where:  # every person (managers): no subquery at all
        return queryset
    return queryset.filter(**{f"{field}__in": people.values("pk")})


class BureauQuerySet(models.QuerySet):
    """A bureau's records (visits, services given, kits, head counts, households, imports)."""

    bureau_field = "bureau"

    def visible_to(self, user):
        return bureau_rows(self, user, self.bureau_field)


class PersonQuerySet(models.QuerySet):
    """Records about one person that carry no bureau of their own (consents, changes,
    merges, household members): the person's bureau decides."""

    person_field = "beneficiary"

    def visible_to(self, user):
        return person_rows(self, user, self.person_field)


class VisitQuerySet(BureauQuerySet):
    pass


class ServiceDeliveryQuerySet(BureauQuerySet):
    pass


class DistributionQuerySet(BureauQuerySet):
    pass


class AnonymousContactQuerySet(BureauQuerySet):
    pass


class HouseholdQuerySet(BureauQuerySet):
    pass


class RegisterImportQuerySet(BureauQuerySet):
    pass


class GroupActivityQuerySet(BureauQuerySet):
    """Workshops belong to the organising bureau (policy ``baom.activity.read``)."""

    bureau_field = "organiser"


class AttendanceQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Who attended: the organising bureau's activities (``GroupActivity.visible_to``)."""
        return bureau_rows(self, user, "activity__organiser")


class ConsentRecordQuerySet(PersonQuerySet):
    pass


class BeneficiaryChangeQuerySet(PersonQuerySet):
    pass


class HouseholdMemberQuerySet(PersonQuerySet):
    pass


class MergeQuerySet(PersonQuerySet):
    """A merge is part of the kept person's file (undoing it: ``baom.merge_undo``, checked by
    ``services.merge_undo``)."""

    person_field = "kept"


class PersonSeenQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Whom a user opened recently: the user's own rows (policy ``core.own_rows``)."""
        from accounts.permissions import is_signed_in

        if not is_signed_in(user):
            return self.none()
        return self.filter(user_id=user.pk)
