FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

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
CMD ["sh", "-c", "python manage.py migrate --noinput && python manage.py load_register --if-empty fixtures/smart-risk-register-2017.json && exec gunicorn riskregister.wsgi --bind 0.0.0.0:8000 --workers 3 --access-logfile -"]
