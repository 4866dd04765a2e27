# Production image: gunicorn serving Django, whitenoise for static files, WeasyPrint's libraries.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 \
    DJANGO_SETTINGS_MODULE=optonet.settings.production

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu fonts-liberation gettext \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml ./
RUN pip install --upgrade pip && pip install -e .
COPY . .
RUN pip install -e . \
 && DJANGO_SETTINGS_MODULE=optonet.settings.local python manage.py compilemessages --ignore=.venv -v 0 \
 && SECRET_KEY=collectstatic-only DJANGO_SETTINGS_MODULE=optonet.settings.local \
      STATIC_ROOT=/app/staticfiles python manage.py collectstatic --noinput -v 0 \
 && useradd --system --uid 1000 --home /app optonet && mkdir -p /app/media && chown optonet /app/media

ENV STATIC_ROOT=/app/staticfiles MEDIA_ROOT=/app/media
USER optonet
EXPOSE 8000
CMD ["gunicorn", "optonet.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-", "--no-control-socket"]
