"""The password policy as a service rule (a 422 on `password` with the reasons), and the
hash method new hashes use."""

from flask import current_app

from app.security import password_policy
from app.services.domain_errors import InvalidInput


def check_password_policy(password, *, email, name):
    """Raise InvalidInput naming `password` when it breaks the policy."""
    messages = password_policy.problems(
        password, min_length=current_app.config["PASSWORD_MIN_LENGTH"], email=email, name=name
    )
    if messages:
        raise InvalidInput("The request body is invalid.", errors={"password": messages})


def hash_method():
    """The method new password hashes use (PASSWORD_HASH_METHOD); older ones are rehashed."""
    return current_app.config["PASSWORD_HASH_METHOD"]
