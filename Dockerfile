# syntax=docker/dockerfile:1
# leadlist's production image: a builder stage installs CPU torch and the package into a virtualenv (with
# scripts/install.sh, the same script `make install` and CI run) and exports the int8 ONNX encoder; the
# runtime stage holds only that virtualenv and the exported model, runs as a fixed non-root UID, and
# needs no network and no writable root filesystem at start.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS builder
# Torch's CPU wheel index: the default PyPI torch wheel for Linux pulls multi-gigabyte CUDA libraries.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
# Only what the install reads, so editing tests or docs does not invalidate the torch layer.
COPY pyproject.toml README.md ./
COPY scripts/install.sh scripts/install.sh
COPY models models
COPY service service
# The onnx extra brings onnxruntime (LEADLIST_ENCODER=onnx-int8) and the exporter. Then export and quantise
# the sentence encoder once, at build time, into the directory the runtime reads (LEADLIST_CACHE_DIR), so
# LEADLIST_ENCODER=onnx-int8 starts without writing anything.
RUN TORCH_INDEX_URL="${TORCH_INDEX_URL}" scripts/install.sh /opt/venv ".[onnx]" \
 && /opt/venv/bin/leadlist export-onnx --cache-dir /opt/leadlist/cache

FROM ${PYTHON_IMAGE} AS runtime
ARG VERSION=0.1.0
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="leadlist" \
      org.opencontainers.image.description="Summarisation microservice: POST a news article, get its key points back." \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="Apache-2.0"
# A fixed UID/GID so Kubernetes' runAsNonRoot/runAsUser and volume ownership can rely on it.
RUN groupadd --system --gid 10001 leadlist \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin leadlist
COPY --from=builder /opt/venv /opt/venv
COPY --from=builder --chown=root:root /opt/leadlist/cache /opt/leadlist/cache
# Everything that might want to write (HOME, library caches) points under /tmp, which is the only writable
# path a read-only root filesystem needs (Kubernetes mounts an emptyDir there). Nothing is fetched at run
# time: the default model ships inside the venv, the ONNX export inside /opt/leadlist/cache.
# OPENBLAS_NUM_THREADS: numpy ranks documents beside the encoder's model call; with one BLAS thread from the
# start it never competes for the cores (short requests beside a long document: p99 175 ms against 195-229
# with the service's own one-thread limit alone; docs/performance.md).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/.cache \
    HF_HOME=/tmp/.cache/huggingface \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    LEADLIST_CACHE_DIR=/opt/leadlist/cache \
    LEADLIST_HOST=0.0.0.0 \
    LEADLIST_PORT=8000 \
    OPENBLAS_NUM_THREADS=1
WORKDIR /tmp
USER 10001:10001
EXPOSE 8000
# /livez, not /readyz: the container is healthy while the model loads; readiness is the orchestrator's job.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/livez', timeout=4).status != 200)"]
# One uvicorn worker per container: scale with replicas. Exec form, so SIGTERM reaches the server directly.
CMD ["leadlist", "serve", "--host", "0.0.0.0", "--port", "8000"]
