FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_SETTINGS_MODULE=ewtp.settings.production
WORKDIR /app
# Production dependencies only: the dev tools (pytest, playwright, ruff, ...) are in requirements-dev.lock.
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY . .
# collectstatic needs production settings, not production secrets: throwaway ones for this step only.
RUN ALLOWED_HOSTS=localhost PAYMENT_PROVIDER=sandbox \
    SECRET_KEY="$(python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
    CARRIER_WEBHOOK_SECRET="$(python -c 'import secrets; print(secrets.token_urlsafe(32))')" \
    python manage.py collectstatic --noinput
RUN useradd --create-home ewtp && mkdir -p /app/var && chown -R ewtp /app/var
USER ewtp
EXPOSE 8000
CMD ["gunicorn", "ewtp.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
