"""API keys: `usk_` and 43 random base-62 characters (256 bits), stored as SHA-256."""

import hashlib
import hmac
import secrets
import string

PREFIX = "usk_"
ALPHABET = string.ascii_letters + string.digits
RANDOM_LENGTH = 43  # 43 * log2(62) > 256 bits
SHOWN_PREFIX_LENGTH = 12  # what a list shows to recognise a key by
PATTERN = f"^{PREFIX}[A-Za-z0-9]{{40,}}$"


def new_api_key():
    """Return a fresh key, the prefix a list shows, and the hash to store."""
    key = PREFIX + "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return key, key[:SHOWN_PREFIX_LENGTH], hash_api_key(key)


def looks_like_api_key(token):
    """Tell an API key from an access token (a JWT never starts with `usk_`)."""
    return token.startswith(PREFIX)


def hash_api_key(key):
    """Return the stored form of a key: a fast hash suffices for 256 random bits."""
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def hashes_match(stored_hash, presented_hash):
    """Compare two key hashes in constant time."""
    return hmac.compare_digest(stored_hash.encode(), presented_hash.encode())
