from core import audit


def record_login_failed(sender, credentials, request=None, **kwargs):
    """A failed sign-in: the username tried and the address, never the password."""
    username = str(credentials.get("username", ""))
    audit.record(action=audit.Action.LOGIN_FAILED, username=username, request=request)


def end_sessions_of_inactive_user(sender, instance, update_fields=None, **kwargs):
    """A deactivated user is signed out everywhere at once."""
    if instance.is_active or (update_fields is not None and "is_active" not in update_fields):
        return
    from accounts.services import user_end_sessions

    user_end_sessions(user=instance)
