#!/usr/bin/env bash
# Install django-helpdesk 2.6.1 (PyPI) as the benchmark peer, per the spec's §11 recipe, on
# PostgreSQL. Everything goes under bench/.work/peer (git-ignored). Safe to repeat.
#   bench/peer/setup.sh            install + migrate + users/queue/custom fields
# Env: PEER_DB_NAME (default bench_peer).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
WORK="${PEER_WORK:-$HERE/../.work/peer}"
mkdir -p "$WORK/peer"
cd "$WORK"
if [ ! -x .venv/bin/gunicorn ] || ! .venv/bin/python -c "import helpdesk, psycopg" 2>/dev/null; then
  python3 -m venv .venv
  .venv/bin/pip install -q --upgrade pip
  .venv/bin/pip install -q "django-helpdesk==2.6.1" "gunicorn==27.0.1" "psycopg[binary]==3.3.9"
fi
touch peer/__init__.py
cp "$HERE/settings.py" peer/settings.py
cat > manage.py <<'PY'
#!/usr/bin/env python
import os, sys
if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer.settings")
    from django.core.management import execute_from_command_line
    execute_from_command_line(sys.argv)
PY
cat > peer/urls.py <<'PY'
from django.contrib import admin
from django.urls import include, path
urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("helpdesk.urls", namespace="helpdesk")),
]
PY
cat > peer/wsgi.py <<'PY'
import os
from django.core.wsgi import get_wsgi_application
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peer.settings")
application = get_wsgi_application()
PY
DB="${PEER_DB_NAME:-bench_peer}"
psql -h 127.0.0.1 -U postgres -tAc "select 1 from pg_database where datname='$DB'" | grep -q 1 \
  || psql -h 127.0.0.1 -U postgres -qc "create database $DB"
.venv/bin/python manage.py migrate -v 0
# Users as in §11, plus the benchmark's staff user tim/123 (the same Basic header as Polydesk's
# demo technician), one queue, and the four custom fields of Polydesk's demo incidents.
.venv/bin/python manage.py shell -c "
from django.contrib.auth.models import User
from helpdesk.models import Queue, CustomField
if not User.objects.filter(username='admin').exists():
    User.objects.create_superuser('admin', 'admin@example.com', 'admin')
    User.objects.create_user('staff', 'staff@example.com', 'staffpass', is_staff=True)
    User.objects.create_user('plain', 'plain@example.com', 'plainpass')
if not User.objects.filter(username='tim').exists():
    User.objects.create_user('tim', 'tim@acme.com', '123', is_staff=True)
Queue.objects.get_or_create(slug='support', defaults={'title': 'Support'})
for i, (name, label, kind, extra) in enumerate([
    ('new_dropdown', 'New Dropdown', 'list', {'list_values': '1\n2\n3'}),
    ('new_number', 'New Number', 'decimal', {'max_length': 12, 'decimal_places': 2}),
    ('new_text_area', 'New Text Area', 'text', {'max_length': 2000}),
    ('new_text_input', 'New Text Input', 'varchar', {'max_length': 200}),
]):
    CustomField.objects.get_or_create(name=name, defaults=dict(label=label, data_type=kind, ordering=i, **extra))
"
echo "peer ready in $WORK (database $DB)"
