"""The few questions ``core`` asks about users, answered by ``accounts`` (which registers its
functions here in ``AccountsConfig.ready()``). ``core`` sits below every app and imports none
(import-linter contract "core imports no app"): this port is how it reaches the layer above
without importing it.

- ``can_use_module(user, module) -> bool`` and ``modules() -> list[str]``: the module rule
  (``accounts.permissions``);
- ``mfa_required(user) -> bool`` (``accounts.mfa``);
- ``user_set_language(*, user, language)`` and ``user_end_sessions(*, user)``
  (``accounts.services``).
"""

from __future__ import annotations

from collections.abc import Callable

_PROVIDED: dict[str, Callable] = {}


def provide(**functions: Callable) -> None:
    _PROVIDED.update(functions)


def _get(name: str) -> Callable:
    try:
        return _PROVIDED[name]
    except KeyError:  # accounts is not installed or not ready: a wiring error, say so
        raise RuntimeError(f"core.accounts_port: {name} was never provided by accounts") from None


def can_use_module(user, module: str) -> bool:
    return _get("can_use_module")(user, module)


def modules() -> list[str]:
    return _get("modules")()


def mfa_required(user) -> bool:
    return _get("mfa_required")(user)


def user_set_language(*, user, language: str) -> None:
    _get("user_set_language")(user=user, language=language)


def user_end_sessions(*, user) -> None:
    _get("user_end_sessions")(user=user)
