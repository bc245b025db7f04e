# jaxdojo: one image for the web app and the grading worker.
#
#   web:    jaxdojo serve --host 0.0.0.0 --port 8000 --no-worker   (runs as uid 10001)
#   worker: jaxdojo worker --concurrency N                          (see docker-compose.yml:
#           the sandbox needs root in the container, CAP_SYS_ADMIN and an unconfined
#           seccomp/AppArmor profile to build its own, stricter, per-run jail)
#
# Build: docker build -t jaxdojo .     Configuration: environment only (no secrets baked in).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# tini reaps the sandbox's zombies and forwards SIGTERM (warm stop) to the worker.
RUN apt-get update \
    && apt-get install -y --no-install-recommends tini \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 jaxdojo \
    && useradd --system --uid 10001 --gid jaxdojo --home-dir /app --shell /usr/sbin/nologin jaxdojo

WORKDIR /app

# Dependencies first (cached layer), then the code. GPU graders: --build-arg JAX_CUDA=12
ARG JAX_CUDA=""
COPY pyproject.toml README.md ./
RUN mkdir -p app grader && touch app/__init__.py grader/__init__.py \
    && pip install . \
    && if [ -n "$JAX_CUDA" ]; then pip install "jax[cuda${JAX_CUDA}]"; fi \
    && pip uninstall -y jaxdojo \
    && rm -rf app grader build *.egg-info
COPY app ./app
COPY grader ./grader
COPY problems ./problems
RUN pip install --no-deps -e . \
    && python -m compileall -q app grader \
    && mkdir -p /data && chown jaxdojo:jaxdojo /data

ENV JAXDOJO_ENV=production \
    JAXDOJO_DATA_DIR=/data \
    JAXDOJO_PROBLEMS_DIR=/app/problems
# X-Forwarded-For is believed only from JAXDOJO_FORWARDED_ALLOW_IPS (default 127.0.0.1):
# set it to your reverse proxy's address when there is one, never to "*" on a published port.

USER jaxdojo
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/api/health', timeout=4)"]

ENTRYPOINT ["tini", "--", "jaxdojo"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000", "--no-worker"]
