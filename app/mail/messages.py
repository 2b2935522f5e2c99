"""The mails the service sends, as RFC 5322 messages with a plain-text body and HTML."""

from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from html import escape


def compose(*, sender, to, subject, text, html):
    """Build a message with a text body and an HTML alternative."""
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Date"] = formatdate(usegmt=True)
    message["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[-1])
    message.set_content(text)
    message.add_alternative(html, subtype="html")
    return message


def password_reset(*, sender, user, link, token, valid_minutes):
    """The mail with a password-reset link."""
    text = (f"Hello {user.name},\n\nSomeone asked to reset the password of this account.\n"
            f"To choose a new password, open this link within {valid_minutes} minutes:\n\n"
            f"{link}\n\nOr send this token to POST /password/reset:\n{token}\n\n"
            "If it was not you, ignore this mail; your password stays as it is.\n")
    return compose(sender=sender, to=user.email, subject="Reset your password", text=text,
                   html=_html(user.name, "Someone asked to reset the password of this account.",
                              link, "Choose a new password",
                              "If it was not you, ignore this mail."))


def email_verification(*, sender, user, link, token):
    """The mail that confirms an address belongs to the user."""
    text = (f"Hello {user.name},\n\nPlease confirm that {user.email} is your address:\n\n"
            f"{link}\n\nOr send this token to POST /email/verify:\n{token}\n")
    return compose(sender=sender, to=user.email, subject="Confirm your email address",
                   text=text,
                   html=_html(user.name, f"Please confirm that {user.email} is your address.",
                              link, "Confirm my address", ""))


def _html(name, lead, link, action, footer):
    return (f"<p>Hello {escape(name)},</p><p>{escape(lead)}</p>"
            f'<p><a href="{escape(link)}">{escape(action)}</a></p><p>{escape(footer)}</p>')


def security_notice(*, sender, to, subject, what, when, ip, by_someone_else, public_url):
    """The mail telling an account's owner of a security change (no secret in it)."""
    stamp = when.strftime("%Y-%m-%dT%H:%M:%SZ")
    where = f"from the address {ip}" if ip else "by an operator at the command line"
    lines = [what, "", f"When: {stamp}", f"Where: {where}"]
    if by_someone_else:
        lines.append("Who: an administrator of the service, not you.")
    advice = ("If this was you, there is nothing to do. If it was not, reset your password"
              f" at once at {public_url} and tell the service's administrators.")
    text = "Hello,\n\n" + "\n".join(lines) + f"\n\n{advice}\n"
    html = ("<p>Hello,</p>" + "".join(f"<p>{escape(line)}</p>" for line in lines if line)
            + f"<p>{escape(advice)}</p>")
    return compose(sender=sender, to=to, subject=subject, text=text, html=html)
