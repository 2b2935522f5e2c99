# The user service as a container image: `docker build -t user-service .`
#
# Three stages: `wheelhouse` (where the Python packages come from), `builder` (turns
# requirements.txt into wheels and installs them into /opt/venv) and the runtime (the
# slim base, the venv and the code; no compiler, no pip, no cache), running as a user
# without privileges. The README's "Run in a container" section shows how to run it.
#
# The base is the public Python image of the Debian release the tests run on (bookworm).
# Everything below works both with its Python (/usr/local/bin) and with Debian's own
# (/usr/bin): only `python3` is named, and the venv comes first on PATH.

# Where the wheels come from. A plain build downloads them from PyPI: this stage then has
# no wheel in it. Builds without internet access pass a folder of wheels instead, made
# with `pip wheel -r requirements.txt -w DIR`: `--build-context wheelhouse=DIR`.
FROM docker.io/library/python:3.11-slim-bookworm AS wheelhouse

FROM docker.io/library/python:3.11-slim-bookworm AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python3 -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
COPY requirements.txt /build/requirements.txt
RUN --mount=type=bind,from=wheelhouse,target=/wheelhouse \
    if ls /wheelhouse/*.whl >/dev/null 2>&1; then \
        echo "wheels from the wheelhouse build context"; \
        pip wheel --no-index --find-links /wheelhouse -r /build/requirements.txt \
            --wheel-dir /build/wheels; \
    else \
        pip wheel -r /build/requirements.txt --wheel-dir /build/wheels; \
    fi
# Only the wheels just made, no index: the venv holds exactly requirements.txt, then pip
# and setuptools leave it. Dependencies are not compiled to bytecode: that kept the image
# under 200 MB once cryptography, pydantic (scim2-models) and orjson came in; the app's
# own modules are compiled below.
RUN pip install --no-compile --no-index --find-links /build/wheels \
        -r /build/requirements.txt \
    && pip uninstall --yes pip setuptools

FROM docker.io/library/python:3.11-slim-bookworm
LABEL org.opencontainers.image.title="user-service" \
      org.opencontainers.image.description="User management REST API (Flask, gunicorn)"
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app \
    && mkdir /data && chown app:app /data
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
COPY --chown=root:root .flaskenv gunicorn.conf.py wsgi.py ./
COPY --chown=root:root app ./app
COPY --chown=root:root migrations ./migrations
# Bytecode made now, as the code is read-only for the user `app` at run time.
RUN python3 -m compileall -q /app/app /app/wsgi.py /app/gunicorn.conf.py
# The SQLite default lives on the volume; PostgreSQL deployments set DATABASE_URL.
# APP_ENV=production: the service refuses to start without a SECRET_KEY of 32 bytes.
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    FLASK_APP=wsgi \
    APP_ENV=production \
    DATABASE_URL=sqlite:////data/users.db \
    BIND=0.0.0.0:8000
VOLUME /data
USER app
EXPOSE 8000
# Python's own HTTP client: the slim image has no curl. Reads BIND for the port.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; \
port = os.environ.get('BIND', ':8000').rsplit(':', 1)[1]; \
urllib.request.urlopen(f'http://127.0.0.1:{port}/health/live', timeout=4)"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
