from tests.conftest import PASSWORD, assert_problem


def test_register_returns_created_user(client):
    response = client.post("/users", json={
        "name": " Teszt Elek ", "email": "Teszt.Elek@Gmail.com", "password": PASSWORD})
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"] == f"/users/{body['id']}"
    assert body["name"] == "Teszt Elek"
    assert body["email"] == "teszt.elek@gmail.com"
    assert "password" not in body and "password_hash" not in body


def test_get_me_without_token_is_unauthorized(client):
    response = client.get("/users/me")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_get_me_with_token(client, user, user_headers):
    response = client.get("/users/me", headers=user_headers)
    assert response.status_code == 200
    assert response.get_json()["id"] == user.id
