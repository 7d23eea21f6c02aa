"""Reset a user's two-factor authentication (lost or stolen phone, no backup code left)."""

from django.core.management.base import BaseCommand, CommandError

from accounts import mfa
from accounts.models import User


class Command(BaseCommand):
    help = (
        "Remove a user's authenticator app and backup codes and end their sessions; they set "
        "up a new app at their next sign-in. Check the person's identity first."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="The user's email address.")

    def handle(self, *args, email, **options):
        user = User.objects.filter(email__iexact=email.strip()).first()
        if user is None:
            raise CommandError(f"No user with the email address {email}.")
        if mfa.mfa_reset(user=user, via="manage.py mfa_reset"):
            self.stdout.write(
                f"Two-factor authentication reset for {user.email}: their sessions are ended; "
                "they set up a new app at their next sign-in."
            )
        else:
            self.stdout.write(f"{user.email} had no two-factor authentication: nothing to do.")
