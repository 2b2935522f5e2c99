"""The mails the service sends, as RFC 5322 messages with a plain-text body and HTML."""

from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape

from app.security.email_address import recipient


def compose(*, sender, to, subject, text, html):
    """Build a message with a text body and an HTML alternative; `to` is a stored address,
    the one recipient (anything else raises InvalidEmail)."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = recipient(to)
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def password_reset(*, sender, user, link, token, valid_minutes):
    """The mail with a password-reset link."""
    text = (
        f"{_greeting(user)}\n\nSomeone asked to reset the password of this account.\n"
        f"To choose a new password, open this link within {valid_minutes} minutes:\n\n"
        f"{link}\n\nOr send this token to POST /password/reset:\n{token}\n\n"
        "If it was not you, ignore this mail; your password stays as it is.\n"
    )
    return compose(
        sender=sender,
        to=user.email,
        subject="Reset your password",
        text=text,
        html=_html(
            _greeting(user),
            "Someone asked to reset the password of this account.",
            link,
            "Choose a new password",
            "If it was not you, ignore this mail.",
        ),
    )


def email_verification(*, sender, user, link, token):
    """The mail that confirms an address belongs to the user.

    It goes to an address nobody has confirmed yet, so it carries no text the registrant
    chose (no name): the service must not be a way to send strangers a message.
    """
    lead = (
        "Someone registered this address with an account, or asked to change an "
        "account's address to it. To confirm that it is yours, open this link:"
    )
    text = (
        f"Hello,\n\n{lead}\n\n{link}\n\nOr send this token to POST /email/verify:\n"
        f"{token}\n\nIf it was not you, ignore this mail; nothing happens.\n"
    )
    return compose(
        sender=sender,
        to=user.email,
        subject="Confirm your email address",
        text=text,
        html=_html(
            "Hello,", lead, link, "Confirm my address", "If it was not you, ignore this mail."
        ),
    )


def _greeting(user):
    """Greet by name only at a verified address: the name is text the registrant chose."""
    return f"Hello {user.name}," if getattr(user, "email_verified", False) else "Hello,"


def _html(greeting, lead, link, action, footer):
    return (
        f"<p>{escape(greeting)}</p><p>{escape(lead)}</p>"
        f'<p><a href="{escape(link)}">{escape(action)}</a></p><p>{escape(footer)}</p>'
    )


def security_notice(*, sender, to, subject, what, when, ip, by_someone_else, public_url):
    """The mail telling an account's owner of a security change (no secret in it)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    where = f"from the address {ip}" if ip else "by an operator at the command line"
    lines = [what, "", f"When: {stamp}", f"Where: {where}"]
    if by_someone_else:
        lines.append("Who: an administrator of the service, not you.")
    advice = (
        "If this was you, there is nothing to do. If it was not, reset your password"
        f" at once at {public_url} and tell the service's administrators."
    )
    text = "Hello,\n\n" + "\n".join(lines) + f"\n\n{advice}\n"
    html = (
        "<p>Hello,</p>"
        + "".join(f"<p>{escape(line)}</p>" for line in lines if line)
        + f"<p>{escape(advice)}</p>"
    )
    return compose(sender=sender, to=to, subject=subject, text=text, html=html)
