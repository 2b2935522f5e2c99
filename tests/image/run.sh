#!/usr/bin/env bash
# `make image-test`: builds the container image and proves it works, with podman.
#
# It runs the README's "Run in a container" commands: `docker` below is podman with the
# flags this kind of machine needs (runc, cgroupfs, ulimits; slirp4netns for -p), and the
# build gets the wheelhouse and the local base (see below). Steps:
#   1. a stand-in for the public base image when no registry is reachable
#      (tests/image/standin-base.sh: Debian's own python3 on a debootstrap minbase);
#   2. a wheelhouse made on this machine from requirements.txt, passed to the build as
#      the `wheelhouse` build context (a plain `docker build` downloads from PyPI instead);
#   3. build, image size (must stay under 200 MB), metadata (user, port, health check);
#   4. SQLite on a volume: migrate, create the admin (password on stdin), serve,
#      register and log in a user over HTTP, check every process runs as non-root, the
#      health check, restart the container and recreate it: the data is still there;
#   5. PostgreSQL and Redis of this machine (--network host), in a schema of its own
#      that it drops afterwards, rate-limit counters under a key prefix of its own.
# Everything it makes carries a unique name and is removed at the end, also on failure.
# Exits 0 with "image test skipped: ..." when podman cannot run here.
set -euo pipefail
cd "$(dirname "$0")/../.."

started=$(date +%s)
say() { printf '\n== %s\n' "$*"; }
skip() { echo "image test skipped: $*"; exit 0; }
passed=0
ok() { passed=$((passed + 1)); echo "ok   $*"; }
fail() { echo "FAIL $*" >&2; exit 1; }

command -v podman >/dev/null || skip "podman is not installed (apt-get install podman)"
command -v debootstrap >/dev/null || skip "debootstrap is not installed"
PODMAN=(podman --runtime runc --cgroup-manager cgroupfs)
"${PODMAN[@]}" info >/dev/null 2>&1 \
    || skip "podman cannot run here: $("${PODMAN[@]}" info 2>&1 | tail -n 1)"

unique="ust-$(date +%s)-$$"
IMAGE="localhost/user-service-test:$unique"
NAME="$unique-app"
VOLUME="$unique-data"
work=$(mktemp -d "${TMPDIR:-/tmp}/$unique.XXXXXX")
ENV_FILE="$work/.env"
CACHE="${IMAGE_TEST_CACHE:-/var/tmp/user-service-image-test}"
free_port() {
    python3 -c 'import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
PORT=$(free_port)
PG_PORT=$(free_port)

# The README's `docker`, played by podman. Podman without systemd complains that it cannot
# schedule health-check timers; `podman healthcheck run` below runs the check itself.
docker() {
    local command=$1
    shift
    local extra=()
    case "$command" in
        run)
            extra=(--ulimit nofile=1024:1024 --ulimit nproc=4096:4096)
            [[ " $* " == *" --network "* ]] || extra+=(--network slirp4netns)
            ;;
        build)
            extra=(--format docker --pull=never --network none --layers=false
                   --build-context "wheelhouse=$WHEELHOUSE")
            ;;
    esac
    local limit=120
    [ "$command" != build ] || limit=900
    local shown="podman $command ${extra[*]} $*"
    [ ${#shown} -le 400 ] || shown="${shown:0:400}..."
    echo "+ $shown" >&2
    timeout "$limit" "${PODMAN[@]}" "$command" "${extra[@]}" "$@" \
        2> >(grep -v 'systemd connection' >&2)
}

cleanup() {
    local status=$?
    set +e
    if [ $status -ne 0 ]; then
        if "${PODMAN[@]}" container exists "$NAME" 2>/dev/null; then
            echo "--- last log lines of $NAME:"
            "${PODMAN[@]}" logs --tail 30 "$NAME" 2>&1
        fi
    fi
    "${PODMAN[@]}" rm -f -v -t 5 "$NAME" >/dev/null 2>&1
    "${PODMAN[@]}" volume rm -f "$VOLUME" >/dev/null 2>&1
    if [ -n "${PG_SCHEMA:-}" ]; then
        "${PODMAN[@]}" run --rm --network host --no-healthcheck -e PGUSER \
            --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$IMAGE" \
            python3 -c "$PG_ADMIN" drop "$PG_ADMIN_URL" "$PG_SCHEMA" >/dev/null 2>&1 \
            || echo "warning: could not drop schema $PG_SCHEMA"
    fi
    if [ -n "${REDIS_PREFIX:-}" ]; then
        "${PODMAN[@]}" run --rm --network host --no-healthcheck \
            --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$IMAGE" \
            python3 -c "$REDIS_KEYS" delete "$REDIS_URL" "$REDIS_PREFIX" >/dev/null 2>&1
    fi
    "${PODMAN[@]}" rmi -f "$IMAGE" >/dev/null 2>&1
    rm -rf "$work"
    echo "cleaned up: containers, volume, image, schema and Redis keys of $unique"
    [ $status -eq 0 ] || echo "image test FAILED after $(( $(date +%s) - started )) s" >&2
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say "compose.yaml"
# `docker compose config` when a compose is here (Debian's docker-compose checks the
# file against the compose spec's schema too), with a throwaway .env beside a copy.
compose_cmd=()
if command docker compose version >/dev/null 2>&1; then
    compose_cmd=(command docker compose)
elif command -v docker-compose >/dev/null; then
    compose_cmd=(docker-compose)
fi
if [ ${#compose_cmd[@]} -gt 0 ]; then
    mkdir -p "$work/compose/deploy"
    cp compose.yaml "$work/compose/"
    cp deploy/nginx.conf "$work/compose/deploy/"
    { cat .env.example; echo "SECRET_KEY=a-secret-only-for-checking-the-compose-file"
      echo "POSTGRES_PASSWORD=only-for-checking"; } > "$work/compose/.env"
    (cd "$work/compose" && "${compose_cmd[@]}" config > config.out) \
        || fail "compose config refused compose.yaml"
    for service in postgres redis migrate app-1 app-2 proxy; do
        grep -q "^  $service:" "$work/compose/config.out" || fail "compose.yaml has no $service"
    done
    ok "compose config accepts compose.yaml (${compose_cmd[*]})"
else
    echo "skipped: neither docker compose nor docker-compose is installed"
fi

say "base image"
timeout 900 tests/image/standin-base.sh "${PODMAN[@]}"

say "wheelhouse (Python packages for the build, made on this machine)"
# Every pin whatever its marker (--no-deps: requirements.txt lists what each pulls in),
# as wheels for the image's CPython 3.11 on Linux whatever Python this machine runs.
WHEELHOUSE="$CACHE/wheelhouse-$(sha256sum requirements.txt | cut -c1-16)"
if [ ! -f "$WHEELHOUSE/.complete" ]; then
    rm -rf "$WHEELHOUSE"
    mkdir -p "$WHEELHOUSE"
    sed -E 's/[[:space:]]*[;#].*$//' requirements.txt | grep -v '^$' > "$work/pins.txt"
    arch=$(uname -m)
    timeout 600 python3 -m pip download --quiet --no-deps --only-binary=:all: \
        --python-version 3.11 --implementation cp --abi cp311 \
        --platform "manylinux_2_28_$arch" --platform "manylinux2014_$arch" \
        -r "$work/pins.txt" --dest "$WHEELHOUSE" 2>&1 | grep -v '^WARNING: Location' || true
    [ "$(ls "$WHEELHOUSE"/*.whl | wc -l)" -eq "$(wc -l < "$work/pins.txt")" ] \
        || fail "the wheelhouse misses wheels: $(ls "$WHEELHOUSE")"
    touch "$WHEELHOUSE/.complete"
fi
echo "$(ls "$WHEELHOUSE"/*.whl | wc -l) wheels in $WHEELHOUSE"

say "build"
build_started=$(date +%s)
docker build -t "$IMAGE" . > "$work/build.log" 2>&1 \
    || { tail -n 40 "$work/build.log"; fail "the build failed"; }
build_seconds=$(( $(date +%s) - build_started ))
grep -q "wheels from the wheelhouse build context" "$work/build.log" \
    || fail "the build did not take its wheels from the wheelhouse"
ok "built $IMAGE in $build_seconds s"
size=$("${PODMAN[@]}" image inspect --format '{{.Size}}' "$IMAGE")
size_mb=$(( size / 1000000 ))
echo "image size: $size_mb MB ($size bytes; target < 200 MB)"
[ "$size_mb" -lt 200 ] || fail "the image is $size_mb MB, over the 200 MB target"
ok "image size $size_mb MB < 200 MB"
format='{{.Config.User}} {{range $p, $_ := .Config.ExposedPorts}}{{$p}}{{end}}'
format+=' {{.Config.Healthcheck.Test}} {{.Config.Cmd}}'
config=$("${PODMAN[@]}" image inspect --format "$format" "$IMAGE")
echo "image config: $config"
[[ "$config" == "app 8000/tcp "*"/health/live"*"[gunicorn -c gunicorn.conf.py wsgi:app]" ]] \
    || fail "unexpected image config: $config"
ok "user app, port 8000, health check on /health/live, gunicorn command"
if "${PODMAN[@]}" run --rm --no-healthcheck --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 \
        "$IMAGE" sh -c 'for c in gcc cc c++ make; do command -v $c && exit 0; done; exit 1'; then
    fail "the runtime image has a compiler"
fi
ok "no compiler in the runtime image"

say "SQLite on a volume"
{ echo "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_urlsafe(48))')"
  echo "WEB_CONCURRENCY=2"
  echo "MAIL_URL=file:///data/mail"   # or smtp://...: production refuses console://
  echo "PUBLIC_URL=http://127.0.0.1:$PORT"; } > "$ENV_FILE"
ADMIN_EMAIL="admin-$unique@example.com"
ADMIN_PASSWORD=$(python3 -c "import secrets; print(secrets.token_urlsafe(18))")
USER_EMAIL="user-$unique@example.com"
USER_PASSWORD=$(python3 -c "import secrets; print(secrets.token_urlsafe(18))")
BASE="http://127.0.0.1:$PORT"

docker volume create "$VOLUME" > /dev/null
docker run --rm -v "$VOLUME":/data --env-file "$ENV_FILE" "$IMAGE" flask db upgrade
ok "flask db upgrade"
printf '%s\n' "$ADMIN_PASSWORD" | docker run --rm -i -v "$VOLUME":/data --env-file "$ENV_FILE" \
    "$IMAGE" flask users create-admin --email "$ADMIN_EMAIL" --name Admin --password-stdin
ok "flask users create-admin --password-stdin"
docker run -d --name "$NAME" -p 127.0.0.1:"$PORT":8000 -v "$VOLUME":/data --env-file "$ENV_FILE" \
    "$IMAGE" > /dev/null
python3 tests/image/http_flow.py wait "$BASE" 60
python3 tests/image/http_flow.py register "$BASE" "$USER_EMAIL" "$USER_PASSWORD"
python3 tests/image/http_flow.py check "$BASE" "$USER_EMAIL" "$USER_PASSWORD" \
    "$ADMIN_EMAIL" "$ADMIN_PASSWORD"
ok "registered and logged in a user over HTTP"

uids=$("${PODMAN[@]}" exec "$NAME" python3 -c 'import os
print(" ".join(sorted({str(os.stat(f"/proc/{pid}").st_uid)
                       for pid in os.listdir("/proc") if pid.isdigit()})))')
echo "user ids of the container's processes: $uids"
[ -n "$uids" ] && [[ " $uids " != *" 0 "* ]] || fail "a process runs as root: $uids"
ok "every process runs as non-root (uid $uids)"
timeout 30 "${PODMAN[@]}" healthcheck run "$NAME" 2> >(grep -v 'systemd connection' >&2) \
    || fail "the image's health check failed"
ok "the HEALTHCHECK passes"

docker restart "$NAME" > /dev/null
python3 tests/image/http_flow.py wait "$BASE" 60
python3 tests/image/http_flow.py check "$BASE" "$USER_EMAIL" "$USER_PASSWORD" \
    "$ADMIN_EMAIL" "$ADMIN_PASSWORD"
ok "the data survived a restart"
docker rm -f "$NAME" > /dev/null
docker run -d --name "$NAME" -p 127.0.0.1:"$PORT":8000 -v "$VOLUME":/data --env-file "$ENV_FILE" \
    "$IMAGE" > /dev/null
python3 tests/image/http_flow.py wait "$BASE" 60
python3 tests/image/http_flow.py check "$BASE" "$USER_EMAIL" "$USER_PASSWORD" \
    "$ADMIN_EMAIL" "$ADMIN_PASSWORD"
ok "the data survived a new container on the same volume"
docker rm -f "$NAME" > /dev/null

say "PostgreSQL and Redis of this machine (--network host)"
answers() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
PG_ADMIN_URL="${TEST_DATABASE_URL:-postgresql://127.0.0.1:5432/test}"
REDIS_URL="${TEST_REDIS_URL:-redis://127.0.0.1:6379/0}"
# Create (printing its DATABASE_URL) or drop a schema of its own in that database, as the
# suite does (a URL without a user means this machine's user). A schema, not a database:
# CREATE and DROP DATABASE wait for a checkpoint, which takes long on a busy server.
PG_ADMIN='
import sys, psycopg
from psycopg import sql
from app.database.postgresql import with_search_path
action, url, name = sys.argv[1:]
with psycopg.connect(url, autocommit=True) as conn:
    if action == "create":
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(name)))
        print(with_search_path(url, name, "public"))
    else:
        conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(name)))
'
REDIS_KEYS='
import sys, redis
action, url, prefix = sys.argv[1:]
client = redis.Redis.from_url(url)
keys = list(client.scan_iter(match=f"*LIMITER/{prefix}/*"))
if action == "delete" and keys:
    client.delete(*keys)
print(len(keys))
'
export PGUSER="${PGUSER:-$(id -un)}"
if ! answers 5432; then
    echo "skipped: no PostgreSQL on 127.0.0.1:5432"
elif ! answers 6379; then
    echo "skipped: no Redis on 127.0.0.1:6379"
else
    PG_SCHEMA="${unique//-/_}"
    PG_URL=$(docker run --rm --network host -e PGUSER "$IMAGE" \
        python3 -c "$PG_ADMIN" create "$PG_ADMIN_URL" "$PG_SCHEMA")
    echo "PostgreSQL: schema $PG_SCHEMA of $PG_ADMIN_URL"
    REDIS_PREFIX="$unique"
    {
        cat "$ENV_FILE"
        echo "DATABASE_URL=$PG_URL"
        echo "PGUSER=$PGUSER"
        echo "RATELIMIT_STORAGE_URI=$REDIS_URL"
        echo "RATELIMIT_KEY_PREFIX=$REDIS_PREFIX"
        echo "BIND=127.0.0.1:$PG_PORT"
    } > "$work/pg.env"
    PORT=$PG_PORT ENV_FILE="$work/pg.env"
    BASE="http://127.0.0.1:$PORT"
    docker run --rm --network host --env-file "$ENV_FILE" "$IMAGE" flask db upgrade
    ok "flask db upgrade on PostgreSQL"
    printf '%s\n' "$ADMIN_PASSWORD" | docker run --rm -i --network host --env-file "$ENV_FILE" \
        "$IMAGE" flask users create-admin --email "$ADMIN_EMAIL" --name Admin --password-stdin
    ok "flask users create-admin on PostgreSQL"
    docker run -d --name "$NAME" --network host --env-file "$ENV_FILE" "$IMAGE" > /dev/null
    python3 tests/image/http_flow.py wait "$BASE" 60
    python3 tests/image/http_flow.py register "$BASE" "$USER_EMAIL" "$USER_PASSWORD"
    docker restart "$NAME" > /dev/null
    python3 tests/image/http_flow.py wait "$BASE" 60
    python3 tests/image/http_flow.py check "$BASE" "$USER_EMAIL" "$USER_PASSWORD" \
        "$ADMIN_EMAIL" "$ADMIN_PASSWORD"
    ok "registered and logged in a user on PostgreSQL; it survived a restart"
    keys=$("${PODMAN[@]}" run --rm --network host --no-healthcheck \
        --ulimit nofile=1024:1024 --ulimit nproc=4096:4096 "$IMAGE" \
        python3 -c "$REDIS_KEYS" count "$REDIS_URL" "$REDIS_PREFIX")
    [ "$keys" -gt 0 ] || fail "no rate-limit counter under $REDIS_PREFIX in Redis"
    ok "rate-limit counters in Redis ($keys keys under the test's own prefix)"
    docker rm -f -v "$NAME" > /dev/null
fi

say "summary"
echo "image size: $size_mb MB; build: $build_seconds s; whole test: $(( $(date +%s) - started )) s"
echo "(base image: see the first lines: a stand-in made from Debian's packages when no"
echo " registry is reachable; it stays cached as $CACHE and in podman's store)"
echo "image-test: $passed passed, 0 failed"
