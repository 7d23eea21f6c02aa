"""Matching the registry to a project, a commune or a need.

The input is a ``MatchCriteria``: a commune, a list of sectors, free-text needs and, if the
project asks for it, kinds of contribution. A funded project of the ``projects`` app plugs in
through ``criteria_from_project(project)``, which reads plain attributes (see its docstring), so
this module never imports the projects app's models.

Each candidate gets a score and the reasons that produced it, e.g. "Comes from Tiznit",
"Works in: Water, Agriculture", "Skills: irrigation". Only members who consented to be
contacted and were validated are ever considered (``member_list`` scopes them).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import Territory
from core.lists import join_list
from diaspora.choices import Contribution, PartnershipStatus, Sector
from diaspora.models import DiasporaAssociation, DiasporaMember
from diaspora.selectors import association_list, member_list

# Points per reason: the origin weighs most (the programme mobilises people for their home
# commune), then the sectors, then the skills named in the needs.
SAME_COMMUNE, SAME_PROVINCE, PER_SECTOR, PER_SKILL, PER_CONTRIBUTION = 40, 20, 15, 10, 10
AMBASSADOR, PARTNER = 5, 5
MAX_RESULTS = 25
MAX_CANDIDATES = 500

_STOPWORDS = {
    # French and English words that say nothing about a skill.
    "avec", "dans", "pour", "des", "les", "une", "sur", "par", "aux", "est", "sont", "qui",
    "que", "projet", "besoin", "besoins", "appui", "the", "and", "for", "with", "from",
    "need", "needs", "project", "support", "help", "local", "locale",
}  # fmt: skip


@dataclass(frozen=True)
class MatchCriteria:
    commune: Territory | None = None
    sectors: tuple[str, ...] = ()
    needs: str = ""
    contributions: tuple[str, ...] = ()
    # What the match is for, carried to the contact that is recorded afterwards.
    label: str = ""
    project_reference: str = ""

    @property
    def keywords(self) -> list[str]:
        return keywords(self.needs)

    def is_empty(self) -> bool:
        return not (self.commune or self.sectors or self.keywords or self.contributions)


def criteria_from_project(project) -> MatchCriteria:
    """The seam for the projects app. ``project`` is any object with:

    * ``commune`` (a commune ``Territory`` or None),
    * ``sectors`` (codes of ``diaspora.choices.Sector``; unknown codes are ignored),
    * ``needs`` (free text: what the project is looking for),
    * ``title`` and ``reference`` (shown on the results and kept on the recorded contact).
    """
    return MatchCriteria(
        commune=getattr(project, "commune", None),
        sectors=tuple(s for s in getattr(project, "sectors", ()) if s in Sector.values),
        needs=getattr(project, "needs", "") or "",
        contributions=tuple(
            c for c in getattr(project, "contributions", ()) if c in Contribution.values
        ),
        label=str(getattr(project, "title", "") or ""),
        project_reference=str(getattr(project, "reference", "") or ""),
    )


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in text if not unicodedata.combining(c))


def keywords(text: str) -> list[str]:
    words = re.findall(r"[^\W\d_]{4,}", _fold(text or ""))
    seen: list[str] = []
    for word in words:
        if word not in _STOPWORDS and word not in seen:
            seen.append(word)
    return seen[:12]


def _word_matches(keyword: str, words: set[str]) -> bool:
    """Same word, or the same stem of 5+ letters (irrigation / irriguer, solaire / solar)."""
    for word in words:
        if word == keyword:
            return True
        stem = min(len(word), len(keyword), 6)
        if stem >= 5 and word[:stem] == keyword[:stem]:
            return True
    return False


@dataclass
class Match:
    kind: str  # "member" or "association"
    obj: DiasporaMember | DiasporaAssociation
    score: int = 0
    reasons: list[str] = field(default_factory=list)


def _origin_reason(criteria: MatchCriteria, commune, province) -> tuple[int, str | None]:
    if criteria.commune is None:
        return 0, None
    if commune is not None and commune.pk == criteria.commune.pk:
        return SAME_COMMUNE, _("Comes from %(commune)s") % {"commune": commune.name}
    target_province = criteria.commune.parent
    if province is not None and target_province and province.pk == target_province.pk:
        return SAME_PROVINCE, _("Comes from the province of %(province)s") % {
            "province": province.name
        }
    return 0, None


def _sector_reason(criteria: MatchCriteria, sectors) -> tuple[int, str | None]:
    common = [s for s in criteria.sectors if s in sectors]
    if not common:
        return 0, None
    labels = join_list(Sector(s).label for s in common)
    return PER_SECTOR * len(common), _("Works in: %(sectors)s") % {"sectors": labels}


def _skill_reason(criteria: MatchCriteria, text: str) -> tuple[int, str | None]:
    words = set(re.findall(r"[^\W\d_]{4,}", _fold(text)))
    found = [k for k in criteria.keywords if _word_matches(k, words)]
    if not found:
        return 0, None
    return PER_SKILL * min(len(found), 3), _("Skills and experience: %(skills)s") % {
        "skills": join_list(found)
    }


def _score_member(criteria: MatchCriteria, member: DiasporaMember) -> Match:
    match = Match("member", member)
    commune = member.origin_commune
    for points, reason in (
        _origin_reason(criteria, commune, commune.parent if commune else None),
        _sector_reason(criteria, member.sectors),
        _skill_reason(criteria, f"{member.skills} {member.profession}"),
    ):
        if reason:
            match.score += points
            match.reasons.append(reason)
    offered = [c for c in criteria.contributions if c in member.contributions]
    if offered and match.reasons:
        match.score += PER_CONTRIBUTION * len(offered)
        match.reasons.append(
            _("Offers: %(contributions)s")
            % {"contributions": join_list(Contribution(c).label for c in offered)}
        )
    if member.is_economic_ambassador and match.reasons:
        match.score += AMBASSADOR
        match.reasons.append(_("Economic ambassador of the region"))
    return match


def _score_association(criteria: MatchCriteria, association: DiasporaAssociation) -> Match:
    match = Match("association", association)
    for points, reason in (
        _origin_reason(criteria, association.origin_commune, association.origin_province),
        _sector_reason(criteria, association.sectors),
        _skill_reason(criteria, f"{association.projects_carried} {association.notes}"),
    ):
        if reason:
            match.score += points
            match.reasons.append(reason)
    if association.partnership_status == PartnershipStatus.PARTNER and match.reasons:
        match.score += PARTNER
        match.reasons.append(_("Already a partner of the programme"))
    return match


def _prefilter(criteria: MatchCriteria, text_fields: list[str], origin: Q) -> Q:
    query = Q(pk__in=[])
    if criteria.commune is not None:
        query |= origin
    if criteria.sectors:
        query |= Q(sectors__overlap=list(criteria.sectors))
    for word in criteria.keywords:
        for name in text_fields:
            query |= Q(**{f"{name}__icontains": word[:6]})
    return query


def match(*, user, criteria: MatchCriteria) -> list[Match]:
    """Ranked members and associations for the criteria, best first, each with its reasons."""
    if criteria.is_empty():
        return []
    commune = criteria.commune
    province = commune.parent if commune else None
    members = member_list(user=user).select_related("origin_commune__parent")
    members = members.filter(
        _prefilter(
            criteria,
            ["skills", "profession"],
            Q(origin_commune=commune) | Q(origin_commune__parent=province),
        )
    )[:MAX_CANDIDATES]
    associations = association_list(user=user).filter(
        _prefilter(
            criteria,
            ["projects_carried", "notes"],
            Q(origin_commune=commune) | Q(origin_province=province),
        )
    )[:MAX_CANDIDATES]
    results = [_score_member(criteria, m) for m in members]
    results += [_score_association(criteria, a) for a in associations]
    results = [r for r in results if r.reasons]
    results.sort(key=lambda r: (-r.score, str(r.obj)))
    return results[:MAX_RESULTS]
