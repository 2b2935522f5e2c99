"""Numbered SQL migrations, applied once each, in order (app/migrations.py), and /health."""

import threading

import pytest

from app import create_app, migrations
from app.database import DATABASE_ERRORS, get_db, open_pool
from tests.helpers import assert_problem

GOOD = "CREATE TABLE good (id INTEGER PRIMARY KEY);\n"
BROKEN = "CREATE TABLE half (id INTEGER);\nINSERT INTO missing_table VALUES (1);\n"


POOL_SETTINGS = {"DB_BUSY_TIMEOUT": 5.0, "DB_POOL_SIZE": 2, "DB_STATEMENT_TIMEOUT": 10.0}


@pytest.fixture
def pools(database_url):
    """Two pools on one database, as two instances would have."""
    opened = [open_pool({"DATABASE_URL": database_url, **POOL_SETTINGS}) for _ in range(2)]
    yield opened
    for pool in opened:
        pool.close()


@pytest.fixture
def conn(pools):
    connection = pools[0].acquire()
    yield connection
    pools[0].release(connection)


@pytest.fixture
def migrations_dir(tmp_path):
    """A directory of migration files: a good one, then a broken one."""
    directory = tmp_path / "migrations"
    directory.mkdir()
    (directory / "0001_good.sql").write_text(GOOD)
    (directory / "0002_broken.sql").write_text(BROKEN)
    return directory


TABLE_NAMES = {
    "sqlite": "SELECT name FROM sqlite_master WHERE type = 'table'",
    "postgresql": "SELECT table_name FROM information_schema.tables"
    " WHERE table_schema = current_schema()",
}
TABLES = {"users", "sessions", "refresh_tokens", "login_failures", "login_blocks"}


def table_names(conn):
    return {row[0] for row in conn.execute(TABLE_NAMES[conn.engine])}


def ledger(conn):
    return [
        tuple(row)
        for row in conn.execute("SELECT version, name FROM schema_migrations ORDER BY version")
    ]


SHIPPED = [(m.version, m.name) for m in migrations.discover()]


def test_shipped_migrations_are_numbered_in_sequence():
    assert [version for version, _ in SHIPPED] == [f"{n:04d}" for n in range(1, len(SHIPPED) + 1)]
    assert SHIPPED[:2] == [("0001", "0001_create_users"), ("0002", "0002_search_users")]


def test_shipped_migrations_are_the_same_steps_on_every_engine():
    on_postgresql = migrations.discover(engine="postgresql")
    assert [(m.version, m.name) for m in on_postgresql] == SHIPPED
    assert {m.path.parent.name for m in on_postgresql} == {"migrations", "postgresql"}


def test_discover_with_a_version_shared_and_engine_specific_raises(migrations_dir):
    (migrations_dir / "sqlite").mkdir()
    (migrations_dir / "sqlite" / "0001_good.sql").write_text(GOOD)
    with pytest.raises(ValueError, match="there twice"):
        migrations.discover(migrations_dir, engine="sqlite")
    assert len(migrations.discover(migrations_dir, engine="postgresql")) == 2


def test_upgrade_applies_every_migration_in_order(conn):
    applied = migrations.upgrade(conn)
    assert [(m.version, m.name) for m in applied] == SHIPPED
    assert ledger(conn) == SHIPPED
    search = {"users_search"} if conn.engine == "sqlite" else set()
    assert TABLES | search <= table_names(conn)


def test_upgrade_twice_applies_nothing_the_second_time(conn):
    migrations.upgrade(conn)
    assert migrations.upgrade(conn) == []
    assert len(ledger(conn)) == len(SHIPPED)


def test_upgrade_from_two_instances_applies_each_migration_once(pools):
    pools[0].release(pools[0].acquire())  # a SQLite file exists, in WAL mode, before the race
    applied = []
    threads = [
        threading.Thread(target=lambda p=p: applied.extend(migrations.upgrade(p.acquire())))
        for p in pools
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(m.version for m in applied) == [version for version, _ in SHIPPED]


def test_upgrade_leaves_no_open_transaction(conn):
    migrations.upgrade(conn)
    assert not conn.in_transaction


def test_upgrade_with_failing_migration_raises(conn, migrations_dir):
    with pytest.raises(DATABASE_ERRORS, match="missing_table"):
        migrations.upgrade(conn, directory=migrations_dir)


def test_upgrade_with_failing_migration_rolls_it_back_entirely(conn, migrations_dir):
    with pytest.raises(DATABASE_ERRORS):
        migrations.upgrade(conn, directory=migrations_dir)
    assert not conn.in_transaction
    assert "half" not in table_names(conn)
    assert ledger(conn) == [("0001", "0001_good")]
    assert "good" in table_names(conn)


def test_upgrade_after_fixing_a_migration_applies_it(conn, migrations_dir):
    with pytest.raises(DATABASE_ERRORS):
        migrations.upgrade(conn, directory=migrations_dir)
    (migrations_dir / "0002_broken.sql").write_text("CREATE TABLE half (id INTEGER);\n")
    assert [m.version for m in migrations.upgrade(conn, directory=migrations_dir)] == ["0002"]


@pytest.mark.parametrize(
    "name",
    [
        "1_short.sql",
        "00001_long.sql",
        "0003-dash.sql",
        "0003_Upper.sql",
        "0003.sql",
        "abcd_letters.sql",
        "0003_with space.sql",
    ],
)
def test_upgrade_with_badly_named_file_raises(conn, migrations_dir, name):
    (migrations_dir / name).write_text(GOOD)
    with pytest.raises(ValueError, match="NNNN_name.sql"):
        migrations.upgrade(conn, directory=migrations_dir)


def test_upgrade_with_incomplete_last_statement_raises(conn, tmp_path):
    (tmp_path / "0001_incomplete.sql").write_text("CREATE TABLE t (id INTEGER)\n")
    with pytest.raises(ValueError, match="incomplete"):
        migrations.upgrade(conn, directory=tmp_path)
    assert ledger(conn) == []


def test_pending_lists_unapplied_migrations(conn, migrations_dir):
    assert [m.version for m in migrations.pending(conn, migrations_dir)] == ["0001", "0002"]
    with pytest.raises(DATABASE_ERRORS):
        migrations.upgrade(conn, directory=migrations_dir)
    assert [m.version for m in migrations.pending(conn, migrations_dir)] == ["0002"]


def test_pending_is_empty_after_upgrade(conn):
    migrations.upgrade(conn)
    assert migrations.pending(conn) == []


def test_health_on_unmigrated_database_is_unavailable(settings):
    response = create_app(settings).test_client().get("/health")
    body = assert_problem(response, 503, "service_unavailable")
    assert body["checks"] == {"database": "ok", "migrations": "pending"}


def test_health_after_upgrade_is_ok(settings):
    app = create_app(settings)
    with app.app_context():
        migrations.upgrade(get_db())
    response = app.test_client().get("/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "checks": {"database": "ok", "migrations": "ok"}}


def test_health_live_touches_no_database(client, app, monkeypatch):
    def refuse():
        raise AssertionError("/health/live opened a database connection")

    monkeypatch.setattr(app.extensions["db_pool"], "acquire", refuse)
    response = client.get("/health/live")
    assert response.status_code == 200
    assert response.get_json()["status"] == "ok"
