"""URLs of the referral papers (included by ``referrals.urls``)."""

from django.urls import path

from referrals import views_papers

urlpatterns = [
    path("<uuid:uuid>/slip.pdf", views_papers.referral_slip, name="slip"),
]
