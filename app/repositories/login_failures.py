"""SQL for failed-login attempts and the back-off blocks they cause."""

from app.models import LoginBlock, from_db_time, to_db_time


def current_block(conn, account):
    """Return the account's last block, or None."""
    row = conn.execute(
        "SELECT level, blocked_until FROM login_blocks WHERE account = :account",
        {"account": account},
    ).fetchone()
    if row is None:
        return None
    return LoginBlock(level=row["level"], blocked_until=from_db_time(row["blocked_until"]))


def add_failure(conn, *, account, now):
    """Record one failed attempt."""
    conn.execute(
        "INSERT INTO login_failures (account, failed_at) VALUES (:account, :now)",
        {"account": account, "now": to_db_time(now)},
    )


def remove_failure(conn, *, account, failed_at):
    """Forget the attempt recorded at `failed_at` (it turned out not to be a failure)."""
    conn.execute(
        "DELETE FROM login_failures WHERE account = :account AND failed_at = :failed_at",
        {"account": account, "failed_at": to_db_time(failed_at)},
    )


def count_failures(conn, *, account, since):
    """Return how many attempts failed since `since`."""
    return conn.execute(
        "SELECT count(*) FROM login_failures WHERE account = :account AND failed_at >= :since",
        {"account": account, "since": to_db_time(since)},
    ).fetchone()[0]


def set_block(conn, *, account, level, until):
    """Refuse logins for the account until `until`."""
    conn.execute(
        "INSERT INTO login_blocks (account, level, blocked_until) VALUES (:account, :level, :until)"
        " ON CONFLICT (account) DO UPDATE SET level = :level, blocked_until = :until",
        {"account": account, "level": level, "until": to_db_time(until)},
    )


def clear(conn, account):
    """Forget the account's failures and block (after a successful login)."""
    params = {"account": account}
    conn.execute("DELETE FROM login_failures WHERE account = :account", params)
    conn.execute("DELETE FROM login_blocks WHERE account = :account", params)


def purge(conn, *, before):
    """Delete failures older than `before` and blocks that ended before it."""
    params = {"before": to_db_time(before)}
    failures = conn.execute("DELETE FROM login_failures WHERE failed_at < :before", params).rowcount
    blocks = conn.execute("DELETE FROM login_blocks WHERE blocked_until < :before", params).rowcount
    return failures + blocks
