# Taut: the web app, the `taut` command and the e-mail worker in one small image.
#   docker compose up -d            (see compose.yml and docs/deploy.md)
# The base image is pinned to an exact release; pin its digest too when you build for production:
#   docker pull python:3.11.11-slim-bookworm && docker inspect --format '{{index .RepoDigests 0}}' python:3.11.11-slim-bookworm
FROM python:3.11.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint (PDFs) needs Pango and fonts; pg_dump/pg_restore (backups) come with the PostgreSQL client,
# version 15 like the database service in compose.yml.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core fonts-liberation2 \
        postgresql-client-15 \
    && rm -rf /var/lib/apt/lists/*

# Taut runs as its own unprivileged user; its data folder is a volume readable only by that user.
RUN groupadd --system --gid 10001 taut \
    && useradd --system --uid 10001 --gid taut --home-dir /var/lib/taut --create-home --shell /usr/sbin/nologin taut \
    && chmod 0700 /var/lib/taut

WORKDIR /opt/taut
COPY requirements.lock pyproject.toml README.md ./
COPY src ./src
# The runtime dependencies at exactly the versions of requirements.lock (the lock also pins the test tools,
# which are not installed here).
RUN pip install --constraint requirements.lock . && rm -rf /root/.cache
COPY docker/entrypoint.sh /usr/local/bin/taut-entrypoint

USER taut
ENV TAUT_DATA_DIR=/var/lib/taut \
    TAUT_HOST=0.0.0.0 \
    TAUT_PORT=8000
VOLUME ["/var/lib/taut"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/readyz', timeout=4)" || exit 1
ENTRYPOINT ["taut-entrypoint"]
CMD ["serve"]
