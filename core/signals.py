from core import audit


def record_login_failed(sender, credentials, request=None, **kwargs):
    """A failed sign-in: the username tried and the address, never the password. (accounts
    also counts the address across accounts: password spraying, accounts/throttle.py.)"""
    username = str(credentials.get("username", ""))
    audit.record(action=audit.Action.LOGIN_FAILED, username=username, request=request)


def record_login(sender, request, user, **kwargs):
    """A successful sign-in (after the second factor when the user has one)."""
    audit.record(actor=user, action=audit.Action.LOGIN, obj=user, request=request)


def record_logout(sender, request, user, **kwargs):
    if user is not None and user.is_authenticated:
        audit.record(actor=user, action=audit.Action.LOGOUT, obj=user, request=request)


def end_sessions_of_inactive_user(sender, instance, update_fields=None, **kwargs):
    """A deactivated user is signed out everywhere at once."""
    if instance.is_active or (update_fields is not None and "is_active" not in update_fields):
        return
    from core.accounts_port import user_end_sessions

    user_end_sessions(user=instance)


def start_session_clock(sender, request, user, **kwargs):
    """Start the idle and absolute clocks at sign-in (within the login's own session save, so
    the first pages after it write nothing)."""
    import time

    from core.middleware import SESSION_LAST_SEEN, SESSION_STARTED

    now = time.time()
    request.session[SESSION_STARTED] = now
    request.session[SESSION_LAST_SEEN] = now
