"""Each request's body is read afresh (app/http/json_body.py); error cases are in test_errors."""

from app import create_app, migrations
from app.database import get_db
from tests.helpers import PASSWORD

NEW_USER = {"name": "Teszt Elek", "email": "teszt.elek@example.com", "password": PASSWORD}
CREDENTIALS = {"email": NEW_USER["email"], "password": PASSWORD}


def register_then_login(client):
    assert client.post("/users", json=NEW_USER).status_code == 201
    return client.post("/login", json=CREDENTIALS)


def test_login_after_register_reads_its_own_body_in_fresh_contexts(settings):
    app = create_app(settings)
    with app.app_context():
        migrations.upgrade(get_db())
    assert register_then_login(app.test_client()).status_code == 200


def test_login_after_register_reads_its_own_body_in_one_test(client):
    assert register_then_login(client).status_code == 200
