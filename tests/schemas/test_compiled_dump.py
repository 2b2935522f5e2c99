"""The compiled dump writes exactly what marshmallow's own Schema.dump writes."""

from datetime import UTC, datetime, timedelta, timezone

import pytest
from marshmallow import Schema, fields

from app.models import User
from app.schemas import login, meta, users
from app.schemas.compiled import CompiledDumpSchema


def _user(number, **changes):
    moment = datetime(2026, 11, 22, 4, 0, 0, 123456, tzinfo=UTC) + timedelta(days=number)
    values = dict(
        id=number,
        name=f"Zsófia Kovács {number}",
        email=f"z{number}@example.com",
        password_hash="scrypt:secret",
        role="admin" if number % 2 else "user",
        is_active=bool(number % 3),
        email_verified=not number % 3,
        token_version=1,
        email_version=0,
        created_at=moment,
        updated_at=moment + timedelta(seconds=1),
    )
    values.update(changes)
    return User(**values)


def _compiled_schemas():
    modules = (users, login, meta)
    return sorted(
        {
            cls
            for module in modules
            for cls in vars(module).values()
            if isinstance(cls, type)
            and issubclass(cls, CompiledDumpSchema)
            and cls is not CompiledDumpSchema
        },
        key=lambda cls: cls.__name__,
    )


def test_compiled_dump_matches_marshmallow_for_users():
    schema = users.UserSchema()
    for user in [_user(n) for n in range(1, 8)]:
        assert schema.dump(user) == Schema.dump(schema, user)
        assert list(schema.dump(user)) == list(Schema.dump(schema, user))


def test_compiled_dump_matches_marshmallow_for_a_page():
    schema = users.UserPageSchema()
    for page in (
        {"items": [_user(n) for n in range(20)], "next_cursor": "abc.def"},
        {"items": [], "next_cursor": None},
    ):
        assert schema.dump(page) == Schema.dump(schema, page)


def test_compiled_dump_matches_marshmallow_for_odd_values():
    schema = users.UserSchema()
    odd = [
        _user(1, created_at=datetime(2026, 1, 2, 3, 4, 5)),  # naive
        _user(2, created_at=datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone(timedelta(hours=2)))),
        _user(3, is_active=1, email_verified=0),
        {"id": "7", "name": None},
        {},
    ]
    for user in odd:
        assert schema.dump(user) == Schema.dump(schema, user)


def test_compiled_dump_respects_only_and_many():
    schema = users.UserSchema(only=("id", "email"))
    assert schema.dump(_user(5)) == {"id": 5, "email": "z5@example.com"}
    many = users.UserSchema(many=True)
    assert many.dump([_user(1), _user(2)]) == Schema.dump(many, [_user(1), _user(2)])


@pytest.mark.parametrize("schema_class", _compiled_schemas(), ids=lambda cls: cls.__name__)
def test_compiled_dump_covers_every_field_of(schema_class):
    """A field added later to a compiled schema still comes out as marshmallow writes it."""
    schema = schema_class()
    sample = {name: _sample(field) for name, field in schema.dump_fields.items()}
    assert schema.dump(sample) == Schema.dump(schema, sample)


def _sample(field):
    if isinstance(field, fields.List):
        return [_user(1), _user(2)] if isinstance(field.inner, fields.Nested) else ["x"]
    if isinstance(field, fields.Nested):
        return _user(3)
    if isinstance(field, fields.DateTime):
        return datetime(2026, 5, 6, 7, 8, 9, tzinfo=UTC)
    if isinstance(field, fields.Boolean):
        return True
    if isinstance(field, fields.Integer):
        return 42
    if isinstance(field, fields.Dict):
        return {"database": "ok", "migrations": "ok"}
    return "text"
