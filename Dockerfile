# centre-bot: the Telegram assistant of the ASEM LLL Hub Central Asia Regional Centre.
#
#   docker build -t centre-bot .
#   docker run -d --name centre-bot --restart unless-stopped --env-file .env \
#       -v centre-bot-data:/data -v centre-bot-knowledge:/app/knowledge centre-bot
#
# Without access to the PyTorch CPU wheel index, put the torch CPU wheel in a folder and name it:
#   mkdir wheels && cp torch-*+cpu-cp311-*.whl wheels/ && docker build --build-arg TORCH_SOURCE=wheels -t centre-bot .
# (buildah/podman can mount the folder instead: buildah bud -v /opt/wheels:/wheels:ro --build-arg TORCH_SOURCE=/wheels)
# See docs/deploy.md; scripts/check-image.sh builds and runs this image without a Docker engine.

# ---------------------------------------------------------------- build: a virtualenv with everything installed
FROM python:3.11-slim AS build

# Where the CPU build of torch comes from: a package index URL (default: the PyTorch CPU wheel index), or a
# folder holding the wheel, either relative to the build context (e.g. "wheels") or an absolute path mounted
# into the build. A plain `torch` requirement would pull a multi-GB CUDA build instead.
ARG TORCH_SOURCE=https://download.pytorch.org/whl/cpu
ARG TORCH_VERSION=2.13.0

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

RUN python3 -m venv /opt/venv
WORKDIR /src

# torch first, as the CPU build. The build context is only bind-mounted for this step, so a wheel folder in
# it never becomes a layer.
SHELL ["/bin/sh", "-euc"]
RUN --mount=type=bind,target=/src \
    case "$TORCH_SOURCE" in \
      http://*|https://*) /opt/venv/bin/pip install "torch==${TORCH_VERSION}" --index-url "$TORCH_SOURCE" ;; \
      *) /opt/venv/bin/pip install "torch==${TORCH_VERSION}" --find-links "$TORCH_SOURCE" ;; \
    esac

# The project's dependencies (cached while only the code changes), then the project itself.
COPY pyproject.toml README.md ./
RUN /opt/venv/bin/python -c "import tomllib; print(*tomllib.load(open('/src/pyproject.toml', 'rb'))['project']['dependencies'], sep=chr(10))" > /tmp/requirements.txt \
    && /opt/venv/bin/pip install -r /tmp/requirements.txt
COPY bot bot
COPY index index
# Lean: pip and setuptools, test suites, C++ headers and test binaries are not needed at run time.
RUN /opt/venv/bin/pip install --no-deps /src \
    && /opt/venv/bin/pip uninstall -y pip setuptools \
    && site=$(/opt/venv/bin/python -c "import sysconfig; print(sysconfig.get_path('purelib'))") \
    && find "$site" -depth -type d -name tests -path "$site/*/*" -exec rm -rf {} + \
    && rm -rf "$site/torch/test" "$site/torch/include" "$site"/torch/bin/*Test "$site"/torch/bin/test_* "$site"/torch/bin/protoc*

# ---------------------------------------------------------------- runtime: the virtualenv, the knowledge, no tools
FROM python:3.11-slim

ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    CENTRE_BOT_KNOWLEDGE_DIR=/app/knowledge \
    CENTRE_BOT_DATA_DIR=/data \
    HF_HOME=/data/huggingface

RUN groupadd --gid 10001 centre \
    && useradd --uid 10001 --gid centre --home-dir /app --no-create-home --shell /usr/sbin/nologin centre \
    && mkdir -p /app /data \
    && chown centre:centre /app /data

COPY --from=build /opt/venv /opt/venv
COPY --chown=centre:centre knowledge /app/knowledge

WORKDIR /app
USER 10001:10001
VOLUME ["/data", "/app/knowledge"]
EXPOSE 8080

# `python -m bot.ops.health`: healthy when the bot touched $CENTRE_BOT_DATA_DIR/heartbeat in the last 90 s (it
# does every 30 s) and, in webhook mode, its webhook server answers on CENTRE_BOT_WEBHOOK_PORT.
HEALTHCHECK --interval=30s --timeout=10s --start-period=180s --retries=3 \
    CMD ["/opt/venv/bin/python", "-m", "bot.ops.health"]

CMD ["centre-bot", "run"]
