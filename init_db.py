"""Create or upgrade the database: `python init_db.py [--demo]`.

The same as `flask db upgrade`; `--demo` also adds an admin and two users with
random passwords, printed once.
"""

import argparse
import secrets

from app import create_app, migrations
from app.database import display_url, get_db
from app.services import users as users_service
from app.services.domain_errors import Conflict

DEMO_USERS = (
    ("Demo Admin", "admin@example.com", "admin"),
    ("Teszt Elek", "teszt.elek@example.com", "user"),
    ("Minta Kata", "minta.kata@example.com", "user"),
)


def add_demo_users():
    """Add the demo users that do not exist yet; print their passwords once."""
    for name, email, role in DEMO_USERS:
        password = secrets.token_urlsafe(18)
        data = {"name": name, "email": email, "password": password, "role": role}
        try:
            users_service.register(data, actor=users_service.SYSTEM, notify=False)
        except Conflict:
            print(f"{email} exists already; left as it is")
            continue
        print(f"{role:5}  {email:28}  {password}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--demo", action="store_true", help="add demo users")
    args = parser.parse_args()
    app = create_app()
    with app.app_context():
        for migration in migrations.upgrade(get_db()):
            print(f"applied {migration.name}")
        print(f"database is up to date ({display_url(app.config['DATABASE_URL'])})")
        if args.demo:
            add_demo_users()


if __name__ == "__main__":
    main()
