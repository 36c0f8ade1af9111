# The application image: web (gunicorn), worker and beat all run from it (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /app

RUN groupadd --system aiss && useradd --system --gid aiss --home-dir /app aiss

# Dependencies first, from the pins, so that code changes reuse this layer.
COPY requirements.txt ./
RUN pip install -r requirements.txt

# The code, less what .dockerignore leaves out (tests, local databases, virtualenvs).
COPY . .

# Static files are collected with production settings (hashed names, compressed); the key is
# only needed to load the settings and is not kept.
RUN SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput \
    && mkdir -p /app/var/media \
    && chown -R aiss:aiss /app/var

USER aiss
EXPOSE 8000

CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-", "--limit-request-line", "4094", "--limit-request-fields", "100", \
     "--limit-request-field_size", "8190"]
