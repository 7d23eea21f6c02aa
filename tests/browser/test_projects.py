"""A whole PRIM round in the browser: a manager publishes a call, two associations submit, a
reviewer scores, the committee selects one within the envelope, the manager records a first
tranche paid, the holder reports women and men apart, the dashboard shows the new figures."""

from __future__ import annotations

import datetime
import os
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from accounts.roles import Role
from projects.models import Call, Grant, IndicatorAchievement, Proposal, Review
from tests.factories import PASSWORD, CommuneFactory, ProvinceFactory, RegionFactory, UserFactory
from tests.projects.factories import component

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SCREENSHOTS = os.environ.get("TAWJIH_SCREENSHOTS")


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / f"{name}.png"), full_page=True)


def sign_in(page, user) -> None:
    page.context.clear_cookies()
    page.goto("/accounts/login/")
    page.locator("input[name=username]").fill(user.email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main button[type=submit]").click()
    expect(page.get_by_test_id("home-tasks")).to_be_visible()


def publish_call(page, region, programme_component) -> Call:
    page.goto("/projects/calls/")
    page.get_by_test_id("new-call").click()
    form = page.get_by_test_id("call-form")
    form.locator("[name=title]").fill("AAP Souss-Massa 2027")
    form.locator("[name=component]").select_option(str(programme_component.pk))
    form.locator("[name=region]").select_option(str(region.pk))
    form.locator("[name=themes]").fill("Accueil des femmes migrantes")
    form.locator("[name=envelope]").fill("300000")
    form.locator("[name=min_grant]").fill("50000")
    form.locator("[name=max_grant]").fill("250000")
    form.locator("[name=cofinancing_min_percent]").fill("10")
    form.locator("[name=opens_at]").fill("2026-01-01T09:00")
    form.locator("[name=closes_at]").fill("2099-06-30T18:00")
    form.locator("[name=eligibility_criteria]").fill("Associations de la région")
    form.locator("[name=required_documents]").fill("Statuts")
    form.locator("[name=required_documents_ar]").fill("النظام الأساسي")
    form.locator("[name=reviews_required]").fill("1")
    form.locator("[name=scale_max]").fill("5")
    form.locator("[name='criteria-0-label']").fill("Pertinence")
    form.locator("[name='criteria-0-weight']").fill("3")
    form.locator("[name='criteria-1-label']").fill("Genre")
    form.locator("[name='criteria-1-weight']").fill("2")
    page.get_by_test_id("save-call").click()
    page.get_by_test_id("publish-call").click()
    expect(page.get_by_test_id("status").first).to_have_text(re.compile("Publi"))
    return Call.objects.get(title="AAP Souss-Massa 2027")


def submit_proposal(page, user, commune, title: str, requested: str) -> Proposal:
    sign_in(page, user)
    page.goto("/projects/")
    page.get_by_test_id("open-call-link").first.click()
    page.locator("#id_title").fill(title)
    page.get_by_test_id("start-proposal").click()
    form = page.get_by_test_id("proposal-form")
    form.locator("[name=summary]").fill("Accueil et orientation des femmes migrantes.")
    form.locator("[name=objectives]").fill("Accès aux services de santé.")
    form.locator("[name=duration_months]").fill("12")
    form.locator("[name=territories]").select_option(str(commune.pk))
    total = Decimal(requested) + Decimal("30000")
    form.locator("[name='budget-0-category']").select_option("staff")
    form.locator("[name='budget-0-description']").fill("Animatrice")
    form.locator("[name='budget-0-amount']").fill(str(total - 10000))
    form.locator("[name='budget-1-category']").select_option("activities")
    form.locator("[name='budget-1-description']").fill("Ateliers")
    form.locator("[name='budget-1-amount']").fill("10000")
    form.locator("[name=requested_amount]").fill(requested)
    form.locator("[name=cofinancing_amount]").fill("30000")
    form.locator("[name='targets-0-women']").fill("40")
    form.locator("[name='targets-0-men']").fill("10")
    form.locator("[name=gender_marker]").select_option("2")
    form.locator("[name=gender_justification]").fill("Les femmes d'abord.")
    page.get_by_test_id("save-draft").click()
    # The call requires its statutes: submitting without them is refused, naming the document.
    page.get_by_test_id("submit-proposal").click()
    expect(page.get_by_test_id("required-documents")).to_contain_text("Statuts")
    expect(page.locator("main")).to_contain_text("joignez Statuts")
    shot(page, "projects-proposal-documents")
    attachments = page.get_by_test_id("attachments")
    attachments.locator("input[name=file]").set_input_files(
        files=[{"name": "statuts.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n"}]
    )
    attachments.get_by_test_id("attachment-document").select_option("Statuts")
    attachments.locator("button[type=submit]").click()
    expect(page.get_by_test_id("attachment-link")).to_contain_text("statuts.pdf")
    page.get_by_test_id("submit-proposal").click()
    expect(page.get_by_test_id("budget")).to_be_visible()  # the read-only page of a submission
    proposal = Proposal.objects.get(title=title)
    assert proposal.status == Proposal.Status.SUBMITTED
    return proposal


def screen_and_assign(page, proposal, reviewer) -> None:
    page.goto(f"/projects/proposals/{proposal.uuid}/")
    screening = page.get_by_test_id("screening-form")
    screening.locator("input[name=eligible][value=yes]").check()
    screening.locator("button[type=submit]").click()
    assign = page.get_by_test_id("assign-form")
    assign.locator("[name=reviewer]").select_option(str(reviewer.pk))
    assign.locator("button[type=submit]").click()
    expect(page.get_by_test_id("reviews")).to_contain_text(reviewer.full_name)


def score(page, proposal, reviewer, values) -> None:
    review = Review.objects.get(proposal=proposal, reviewer=reviewer)
    page.goto(f"/projects/reviews/{review.uuid}/")
    page.locator("input[name=conflict][value=no]").check()
    page.get_by_test_id("declare").click()
    form = page.get_by_test_id("score-form")
    for criterion, value in zip(proposal.call.criteria.all(), values, strict=True):
        form.locator(f"[name=score_{criterion.pk}]").fill(str(value))
    page.get_by_test_id("submit-scores").click()
    expect(page.get_by_test_id("my-reviews")).to_be_visible()


def decide(page, proposal, amount: str) -> None:
    page.goto(f"/projects/proposals/{proposal.uuid}/")
    form = page.get_by_test_id("decision-form")
    form.locator("[name=outcome]").select_option("selected")
    form.locator("[name=amount]").fill(amount)
    form.locator("[name=reasons]").fill("Projet pertinent et bien ciblé.")
    page.get_by_test_id("record-decision").click()


def test_a_whole_funding_round(page):
    region = RegionFactory(name_fr="Souss-Massa test")
    commune = CommuneFactory(parent=ProvinceFactory(parent=region))
    manager = UserFactory(role=Role.PROGRAMME_MANAGER)
    reviewer = UserFactory(role=Role.REVIEWER, full_name="Relectrice Démo")
    first_staff = UserFactory(role=Role.ASSOCIATION_STAFF)
    second_staff = UserFactory(role=Role.ASSOCIATION_STAFF)

    # A manager publishes a call; it is listed publicly, without signing in.
    sign_in(page, manager)
    call = publish_call(page, region, component())
    page.context.clear_cookies()
    page.goto("/projects/open-calls/")
    expect(page.get_by_test_id("open-calls")).to_contain_text("AAP Souss-Massa 2027")

    # Two associations submit.
    chosen = submit_proposal(page, first_staff, commune, "Centre de jour Asadaf", "200000")
    other = submit_proposal(page, second_staff, commune, "Tasimant", "150000")

    # The manager screens both and assigns the reviewer, who scores both.
    sign_in(page, manager)
    screen_and_assign(page, chosen, reviewer)
    screen_and_assign(page, other, reviewer)
    sign_in(page, reviewer)
    score(page, chosen, reviewer, [5, 4])
    score(page, other, reviewer, [3, 3])

    # The committee waits for the call to close (the page says why), then selects one within
    # the envelope; a second selection would exceed it.
    sign_in(page, manager)
    page.goto(f"/projects/proposals/{chosen.uuid}/")
    expect(page.get_by_test_id("decision-blockers")).to_contain_text("le comité statue")
    Call.objects.filter(pk=call.pk).update(  # the closing date passes
        closes_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    page.goto(f"/projects/calls/{call.uuid}/")
    expect(page.get_by_test_id("ranking-row").first).to_contain_text("Centre de jour Asadaf")
    decide(page, chosen, "200000")
    expect(page.get_by_test_id("decision")).to_contain_text("Projet pertinent")
    decide(page, other, "150000")
    expect(page.get_by_test_id("decision-form")).to_contain_text("100")  # what is left
    expect(page.locator("#id_amount.is-invalid")).to_be_visible()
    assert Proposal.objects.get(pk=other.pk).status == Proposal.Status.ELIGIBLE

    # The grant, a first tranche planned and paid.
    page.goto(f"/projects/proposals/{chosen.uuid}/")
    page.get_by_test_id("create-grant").click()
    today = timezone.localdate().isoformat()
    grant_form = page.get_by_test_id("grant-form")
    for name in ["agreement_date", "start_date"]:
        grant_form.locator(f"[name={name}]").fill(today)
    grant_form.locator("[name=end_date]").fill("2099-12-31")
    page.get_by_test_id("save-grant").click()
    page.locator("summary", has_text=re.compile("tranche", re.IGNORECASE)).click()
    tranche_form = page.get_by_test_id("tranche-form")
    tranche_form.locator("[name=planned_date]").fill(today)
    tranche_form.locator("[name=planned_amount]").fill("80000")
    tranche_form.locator("button[type=submit]").click()
    pay = page.get_by_test_id("pay-1")
    pay.locator("[name=paid_amount]").fill("80000")
    pay.locator("button[type=submit]").click()
    expect(page.get_by_test_id("tranche-paid")).to_contain_text("80")
    grant = Grant.objects.get(proposal=chosen)
    assert grant.tranches.get().paid_amount == Decimal("80000.00")

    # The holder reports women and men apart.
    sign_in(page, first_staff)
    page.goto("/projects/")
    page.get_by_test_id("my-grants").get_by_role("link").first.click()
    page.get_by_test_id("report-indicators").click()
    indicator = grant.indicators.get()
    form = page.get_by_test_id("indicator-report-form")
    form.locator(f"[name=women_{indicator.pk}]").fill("23")
    form.locator(f"[name=men_{indicator.pk}]").fill("9")
    page.get_by_test_id("submit-indicators").click()
    expect(page.get_by_test_id("grant-indicators")).to_contain_text("23 / 40")
    achievement = IndicatorAchievement.objects.get()
    assert (achievement.women, achievement.men) == (23, 9)

    # The dashboard shows the new figures.
    sign_in(page, manager)
    page.goto("/projects/dashboard/")
    row = page.get_by_test_id("funnel-row").filter(has_text="AAP Souss-Massa 2027")
    expect(row.get_by_test_id("funnel-submitted")).to_have_text("2")
    expect(row.get_by_test_id("funnel-eligible")).to_have_text("2")
    expect(row.get_by_test_id("funnel-reviewed")).to_have_text("2")
    expect(row.get_by_test_id("funnel-selected")).to_have_text("1")
    expect(row.get_by_test_id("funnel-committed")).to_contain_text(re.compile(r"200\D000"))
    expect(page.get_by_test_id("money-disbursed").first).to_contain_text(re.compile(r"80\D000"))
    expect(page.get_by_test_id("women-achieved").first).to_have_text("23")
    expect(page.get_by_test_id("men-achieved").first).to_have_text("9")
    shot(page, "projects-dashboard")
