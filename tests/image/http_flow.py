"""HTTP checks of a running container, for tests/image/run.sh (standard library only).

    http_flow.py wait BASE_URL SECONDS            /health answers 200 within SECONDS
    http_flow.py register BASE_URL EMAIL PASSWORD  registers a user, logs in, reads /users/me
    http_flow.py check BASE_URL EMAIL PASSWORD ADMIN_EMAIL ADMIN_PASSWORD
                                                   the user and the admin can log in, and
                                                   the admin finds the user

Prints what it checked; exits 1 with the reason when a check fails.
"""

import json
import sys
import time
import urllib.error
import urllib.request


def call(base, method, path, body=None, token=None):
    """Return (status, parsed JSON body or None)."""
    headers = {"Accept": "application/json"}
    data = None
    if body is not None:
        data = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(base + path, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, raw = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    try:
        return status, json.loads(raw) if raw else None
    except ValueError:
        return status, None


def expect(what, status, wanted, body):
    if status != wanted:
        sys.exit(f"FAIL {what}: HTTP {status}, wanted {wanted}: {body}")
    print(f"ok   {what}: HTTP {status}")


def wait(base, seconds):
    deadline = time.monotonic() + float(seconds)
    last = None
    while time.monotonic() < deadline:
        try:
            status, body = call(base, "GET", "/health")
            if status == 200:
                print(f"ok   GET /health: {json.dumps(body)}")
                return
            last = f"HTTP {status} {body}"
        except OSError as error:
            last = str(error)
        time.sleep(0.5)
    sys.exit(f"FAIL /health did not answer 200 within {seconds} s (last: {last})")


def login(base, email, password):
    status, body = call(base, "POST", "/login", {"email": email, "password": password})
    expect(f"POST /login as {email}", status, 200, body)
    return body["access_token"]


def me(base, email, password):
    token = login(base, email, password)
    status, body = call(base, "GET", "/users/me", token=token)
    expect(f"GET /users/me as {email}", status, 200, body)
    if body.get("email") != email:
        sys.exit(f"FAIL /users/me answered {body}, wanted {email}")
    return body


def register(base, email, password):
    status, body = call(
        base, "POST", "/users", {"name": "Container Test", "email": email, "password": password}
    )
    expect(f"POST /users (register {email})", status, 201, body)
    me(base, email, password)


def check(base, email, password, admin_email, admin_password):
    user = me(base, email, password)
    admin = me(base, admin_email, admin_password)
    if admin.get("role") != "admin":
        sys.exit(f"FAIL the admin's role is {admin.get('role')!r}")
    token = login(base, admin_email, admin_password)
    status, body = call(base, "GET", f"/users/{user['id']}", token=token)
    expect(f"GET /users/{user['id']} as the admin", status, 200, body)


def main(argv):
    commands = {"wait": wait, "register": register, "check": check}
    if len(argv) < 2 or argv[0] not in commands:
        sys.exit(__doc__)
    commands[argv[0]](*argv[1:])


if __name__ == "__main__":
    main(sys.argv[1:])
