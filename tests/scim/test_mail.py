"""SCIM changes mail what REST changes mail, over a real SMTP server."""

import pytest

from tests.helpers import token_in
from tests.mail_server import (  # noqa: F401 (fixtures)
    drain_outbox,
    received,
    smtp_server,
    with_smtp,
)
from tests.scim.helpers import assert_scim, new_user, patch_body

VERIFY = "Confirm your email address"

pytestmark = pytest.mark.usefixtures("drain_outbox")


@pytest.fixture
def settings(settings, smtp_server, request):
    return with_smtp(settings, smtp_server, request)


@pytest.fixture
def inbox(app, smtp_server):
    return lambda to: received(app, smtp_server, to, VERIFY)


def test_create_mails_the_verification_token(scim, client, inbox):
    assert_scim(scim.post("/Users", json=new_user()), 201)
    token = token_in(inbox("bjensen@example.com")[0])
    assert client.post("/email/verify", json={"token": token}).status_code == 204


def test_email_change_mails_a_verification_token(scim, user, inbox):
    body = patch_body(
        {"op": "replace", "path": 'emails[type eq "work"].value', "value": "moved@example.com"}
    )
    resource = assert_scim(scim.patch(f"/Users/{user.id}", json=body))
    assert resource["emails"][0]["value"] == "moved@example.com"
    assert inbox("moved@example.com")
