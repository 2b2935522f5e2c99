"""SQL for the per-account failed-login counters."""

from app.models import from_db_time, to_db_time


def blocked_until(conn, account):
    """Return until when the account is blocked, or None."""
    row = conn.execute(
        "SELECT blocked_until FROM login_failures WHERE account = :account",
        {"account": account},
    ).fetchone()
    return from_db_time(row["blocked_until"]) if row and row["blocked_until"] else None


def add_failure(conn, *, account, now, window_start):
    """Count one failure (restarting the count after a quiet window); return the count."""
    return conn.execute(
        "INSERT INTO login_failures (account, failures, last_failed_at)"
        " VALUES (:account, 1, :now)"
        " ON CONFLICT (account) DO UPDATE SET"
        " failures = CASE WHEN login_failures.last_failed_at < :window_start"
        " THEN 1 ELSE login_failures.failures + 1 END,"
        " last_failed_at = :now"
        " RETURNING failures",
        {"account": account, "now": to_db_time(now), "window_start": to_db_time(window_start)},
    ).fetchone()["failures"]


def block(conn, *, account, until):
    """Refuse logins for the account until `until`."""
    conn.execute(
        "UPDATE login_failures SET blocked_until = :until WHERE account = :account",
        {"account": account, "until": to_db_time(until)},
    )


def clear(conn, account):
    """Forget the account's failures (after a successful login)."""
    conn.execute("DELETE FROM login_failures WHERE account = :account", {"account": account})


def purge(conn, *, quiet_since, now):
    """Delete counters with no failure since `quiet_since` and no block in force."""
    return conn.execute(
        "DELETE FROM login_failures WHERE last_failed_at < :quiet_since"
        " AND (blocked_until IS NULL OR blocked_until < :now)",
        {"quiet_since": to_db_time(quiet_since), "now": to_db_time(now)},
    ).rowcount
