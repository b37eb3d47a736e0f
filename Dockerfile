FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

# Pango and fonts for WeasyPrint, which renders the register's PDF.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY riskregister riskregister
COPY risks risks
COPY mitigations mitigations
RUN pip install .
COPY . .
RUN SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput

RUN useradd --system --home /app riskregister && chown -R riskregister /app
USER riskregister

EXPOSE 8000
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py load_register --if-empty fixtures/smart-risk-register-2017.json && exec gunicorn riskregister.wsgi --bind 0.0.0.0:8000 --workers 3 --timeout 120 --access-logfile -"]
