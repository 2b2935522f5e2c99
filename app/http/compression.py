"""Compressed responses (Flask-Compress): 1 KiB or more, gzip or br as the client accepts.

A response that carries a secret (a token pair, an MFA secret, recovery codes, a new
API key) is never compressed: compressing secrets beside text an attacker can
influence leaks them through the compressed length (BREACH). Every such response
carries `Cache-Control: no-store`, and that is the one rule: no-store is never
compressed.
"""

from flask_compress import Compress

SETTINGS = {
    "COMPRESS_MIN_SIZE": 1024,
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_REGISTER": False,  # our hook below decides, then hands over
    # Conditional requests are ours (app/http/conditional.py); Flask-Compress would
    # also answer Range requests on JSON.
    "COMPRESS_EVALUATE_CONDITIONAL_REQUEST": False,
    # Files (the docs' assets) are read whole instead (below): streamed compression
    # would offer neither gzip nor a Content-Length.
    "COMPRESS_STREAMS": False,
}
EXTRA_MIMETYPES = ("application/problem+json",)


def carries_secret(response):
    """Tell whether a response must stay uncompressed: it says `Cache-Control: no-store`."""
    return response.cache_control.no_store


def init_app(app):
    """Compress eligible responses after every other hook has set its headers."""
    for key, value in SETTINGS.items():
        app.config.setdefault(key, value)
    compress = Compress()
    compress.init_app(app)
    compress.compress_mimetypes_set.update(EXTRA_MIMETYPES)

    # after_request hooks run last-registered first: register before the header hooks.
    @app.after_request
    def _compress(response):
        length = response.content_length  # None while streamed
        if length is not None and length < app.config["COMPRESS_MIN_SIZE"]:
            return response  # never compressed, whatever the client accepts: no Vary either
        if carries_secret(response):
            return response
        if response.is_streamed and response.mimetype in compress.compress_mimetypes_set:
            _read_whole(response)  # a file of ours (docs assets): small enough
        return compress.after_request(response)


def _read_whole(response):
    """Turn a streamed file response into one with its bytes in memory."""
    body = response.response
    response.direct_passthrough = False
    data = b"".join(response.iter_encoded())
    getattr(body, "close", lambda: None)()
    response.set_data(data)
