from django.urls import path

from accounts import views, views_invitation

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("login/code/", views.mfa_verify, name="mfa_verify"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("two-factor/", views.mfa_setup, name="mfa_setup"),
    path("two-factor/backup-codes/", views.mfa_backup_codes, name="mfa_backup_codes"),
    path(
        "two-factor/backup-codes/renew/",
        views.mfa_backup_codes_renew,
        name="mfa_backup_codes_renew",
    ),
    path("two-factor/disable/", views.mfa_disable, name="mfa_disable"),
    path("password/change/", views.PasswordChangeView.as_view(), name="password_change"),
    path("password/reset/", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent/", views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password/reset/complete/",
        views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path(
        "invitation/<str:token>/",
        views_invitation.invitation_accept,
        name="invitation_accept",
    ),
]
