"""The password policy: length in code points, common passwords, context words."""

import pytest

from app.security.password_policy import common_passwords, problems

GOOD = "correct horse battery staple"
# 129 characters that follow no pattern zxcvbn knows, so only length decides.
VARIED = (
    "q7!vZ#m2Kx9@pL4$wR8&nT3*bY6^hU1%jE5(sD0)gF2+cV7=aQ4~tZ8<yM3>kX6?uB1;oN9:iW5,eJ2."
    "rH7[lP0]dG4{fS8}zC3|vA6`xK1'mT9-nL5_bQ2/wE8!sR3@gY7"
)


def check(password, *, min_length=15, email="teszt.elek@example.com", name="Teszt Elek"):
    return problems(password, min_length=min_length, email=email, name=name)


def test_common_passwords_has_at_least_ten_thousand_entries():
    assert len(common_passwords()) >= 10_000


@pytest.mark.parametrize("password", ["password", "qwertyuiop", "iloveyou", "111111111111111"])
def test_common_passwords_contains_well_known_password(password):
    assert password in common_passwords()


def test_check_good_password_has_no_problems():
    assert check(GOOD) == []


@pytest.mark.parametrize(("length", "ok"), [(14, False), (15, True), (128, True), (129, False)])
def test_check_length_limits_apply(length, ok):
    password = VARIED[:length]
    assert (check(password) == []) is ok


@pytest.mark.parametrize("min_length", [8, 10])
def test_check_with_lower_minimum_accepts_shorter(min_length):
    password = "q7!vZ#m2Kx"[:min_length]
    assert check(password, min_length=min_length) == []
    assert check(password[:-1], min_length=min_length) != []


def test_check_length_counts_code_points_not_bytes():
    assert check("🙂é🚀ő🌍ñ🎲ü🧩ç🔑ä🌙ß🍀") == []
    assert check("🙂é🚀ő🌍ñ🎲ü🧩ç🔑ä🌙ß") != []


def test_check_does_not_trim_spaces():
    assert check(" " * 7 + "k3#Vq9!z") == []  # 15 code points only when the spaces count


@pytest.mark.parametrize(
    "password",
    [
        "password1234567",
        "aaaaaaaaaaaaaaa",
        "qwertyuiopasdfg",
        "abcdefghijklmnop",
        "1234567890123456",
        "Password12345678",
    ],
)
def test_check_easily_guessed_password_is_rejected_with_the_reason(password):
    [problem] = check(password)
    assert problem.startswith("This password is too easy to guess:")


def test_check_easily_guessed_password_beyond_zxcvbn_length_is_rejected():
    assert check("a" * 128) != []


def test_check_rejects_only_white_space():
    assert check(" " * 15) == ["Must not be only white space."]


@pytest.mark.parametrize("invisible", ["\u200b", "\u2028", "\ue000", "\u0378", "\u202e", "\ufeff"])
def test_check_rejects_invisible_characters(invisible):
    assert check("a long passphrase" + invisible) == ["Must contain only printable characters."]


def test_check_accepts_emoji_joined_with_zero_width_joiner():
    assert check("family 👨\u200d👩\u200d👧 at the sea") == []


def test_check_accepts_printable_unicode():
    assert check("Árvíztűrő tükörfúrógép 🙂") == []


@pytest.mark.parametrize("char", ["\x00", "\n", "\t", "\x7f", "\ud800"])
def test_check_with_control_character_is_rejected(char):
    assert check(GOOD + char) == ["Must contain only printable characters."]


@pytest.mark.parametrize("password", ["qwertyuiop", "QWERTYUIOP", "Trustno1", "PASSW0RD"])
def test_check_common_password_is_rejected_ignoring_case(password):
    messages = check(password, min_length=8)
    assert len(messages) == 1 and "common" in messages[0]


@pytest.mark.parametrize("password", ["my TESZT.ELEK secret", "xx teszt.elek xx yy"])
def test_check_containing_email_local_part_is_rejected(password):
    assert check(password, name=None) == ["Must not contain your email address."]


@pytest.mark.parametrize("password", ["hello TESZT ELEK world", "teszt elekteszt elek"])
def test_check_containing_name_is_rejected(password):
    assert check(password, email=None) == ["Must not contain your name."]


def test_check_containing_both_reports_both():
    assert len(check("teszt.elek Teszt Elek!")) == 2


@pytest.mark.parametrize(("email", "name"), [("bob@example.com", "Bob"), (None, None)])
def test_check_with_short_context_words_ignores_them(email, name):
    assert check("bob bob bob bob bob", email=email, name=name) == []


@pytest.mark.parametrize(("word", "rejected"), [("ann", False), ("anna", True)])
def test_check_context_words_count_from_four_characters(word, rejected):
    messages = check(f"xx {word} xx yy zz", email=f"{word}@example.com", name=word)
    assert (messages != []) is rejected
