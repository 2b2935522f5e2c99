"""GET /metrics: off by default, Prometheus text, protectable by a token.

The view is app/routes/metrics.py, the counters app/metrics.py.

The counters live in the process for the whole run, so tests compare before and after.
"""

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.databases import write_lock_held
from tests.helpers import PASSWORD, assert_problem

TOKEN = "scrape-token-0123456789abcdef"
enabled = pytest.mark.parametrize("settings", [{"METRICS_ENABLED": True}], indirect=True)
with_token = pytest.mark.parametrize(
    "settings", [{"METRICS_ENABLED": True, "METRICS_TOKEN": TOKEN}], indirect=True
)


def value(client, name, **labels):
    """The sum of the samples of `name` whose labels include `labels` (0 when none)."""
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    return sum(
        sample.value
        for family in text_string_to_metric_families(response.get_data(as_text=True))
        for sample in family.samples
        if sample.name == name and labels.items() <= sample.labels.items()
    )


def change(client, name, action, **labels):
    """How much `action()` moves the metric `name`."""
    before = value(client, name, **labels)
    action()
    return value(client, name, **labels) - before


@pytest.mark.parametrize("settings", [{"METRICS_ENABLED": False}], indirect=True)
def test_metrics_disabled_is_not_found(client):
    assert_problem(client.get("/metrics"), 404, "not_found")


@enabled
def test_metrics_enabled_serves_prometheus_text(client):
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    text = response.get_data(as_text=True)
    assert "# TYPE user_service_http_requests_total counter" in text
    assert "# TYPE user_service_http_request_duration_seconds histogram" in text


@enabled
@pytest.mark.parametrize(
    "method, path, authenticated, route, status",
    [
        ("GET", "/users/{id}", True, "/users/<ref>", "200"),
        ("GET", "/users/regular@example.com", True, "/users/<ref>", "200"),
        ("GET", "/users/me", False, "/users/<ref>", "401"),
        ("GET", "/no/such/route", False, "(unmatched)", "404"),
        ("DELETE", "/health", False, "(unmatched)", "405"),
        ("GET", "/health/live", False, "/health/live", "200"),
    ],
)
def test_request_counted_by_route_template_and_status(
    client, user, user_headers, method, path, authenticated, route, status
):
    path = path.format(id=user.id)
    headers = user_headers if authenticated else {}
    counted = change(
        client,
        "user_service_http_requests_total",
        lambda: client.open(path, method=method, headers=headers),
        method=method,
        route=route,
        status=status,
    )
    assert counted == 1


@enabled
def test_request_labels_never_carry_raw_path(client, user, user_headers):
    paths = [f"/users/{user.id}", "/users/regular@example.com", "/no/such/route"]
    for path in paths:
        client.get(path, headers=user_headers)
    text = client.get("/metrics").get_data(as_text=True)
    assert [path for path in paths if f'"{path}"' in text] == []


@enabled
def test_request_latency_is_observed_in_histogram(client):
    name = "user_service_http_request_duration_seconds"
    labels = {"method": "GET", "route": "/health/live"}
    count = change(client, f"{name}_count", lambda: client.get("/health/live"), **labels)
    in_last_bucket = change(
        client, f"{name}_bucket", lambda: client.get("/health/live"), le="+Inf", **labels
    )
    assert count == in_last_bucket == 1
    assert value(client, f"{name}_sum", **labels) > 0


def log_in(client, email, password):
    return lambda: client.post("/login", json={"email": email, "password": password})


@enabled
@pytest.mark.parametrize(
    "email, password, outcome",
    [
        ("regular@example.com", PASSWORD, "succeeded"),
        ("regular@example.com", "not the password at all", "wrong_password"),
        ("nobody@example.com", PASSWORD, "unknown_email"),
    ],
)
def test_login_counted_by_outcome(client, user, email, password, outcome):
    counted = change(
        client, "user_service_logins_total", log_in(client, email, password), outcome=outcome
    )
    assert counted == 1


@pytest.mark.parametrize(
    "settings", [{"METRICS_ENABLED": True, "LOGIN_MAX_FAILURES": 2}], indirect=True
)
def test_logins_total_counts_each_attempt_once(client, user):
    def three_failed_attempts():
        for _ in range(3):  # wrong, wrong (back-off starts), throttled
            log_in(client, user.email, "not the password at all")()

    assert change(client, "user_service_logins_total", three_failed_attempts) == 3


@pytest.mark.parametrize(
    "settings", [{"METRICS_ENABLED": True, "DB_BUSY_TIMEOUT": 0.05}], indirect=True
)
def test_database_error_is_counted(app, client):
    def write_while_locked():
        with write_lock_held(app.config["DATABASE_URL"]):
            body = {"name": "Locked Out", "email": "locked@example.com", "password": PASSWORD}
            assert_problem(client.post("/users", json=body), 503, "service_unavailable")

    counted = change(
        client, "user_service_database_errors_total", write_while_locked, kind="unavailable"
    )
    assert counted == 1


@with_token
@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "",
        "Bearer",
        "Bearer wrong",
        f"Bearer {TOKEN}x",
        f"Basic {TOKEN}",
        TOKEN,
        f"Bearer  {TOKEN}",
    ],
)
def test_metrics_without_right_token_is_unauthorized(client, authorization):
    headers = {} if authorization is None else {"Authorization": authorization}
    response = client.get("/metrics", headers=headers)
    assert_problem(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"] == "Bearer"


@with_token
def test_metrics_with_right_token_is_served(client):
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert "user_service_http_requests_total" in response.get_data(as_text=True)


@with_token
def test_metrics_with_lower_case_bearer_scheme_is_served(client):
    assert client.get("/metrics", headers={"Authorization": f"bearer {TOKEN}"}).status_code == 200


@enabled
def test_made_up_methods_add_no_label_values(client):
    for method in ("BREW", "WHEN", "PROPFIND"):
        client.open("/", method=method)
    assert "BREW" not in client.get("/metrics").get_data(as_text=True)
