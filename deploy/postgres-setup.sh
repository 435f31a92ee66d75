#!/bin/sh
# Creates Trust Builder's PostgreSQL database with two roles and least privileges:
#   NAME_owner  owns the database and its schema; runs the migrations (alembic upgrade head) and backups.
#   NAME        the app's role (web and scheduler): connect, and read/write rows; no DDL. The database is
#               closed to every other role (REVOKE ... FROM PUBLIC).
# Usage (as a PostgreSQL superuser, e.g. on Debian):  sudo -u postgres sh deploy/postgres-setup.sh [NAME]
# NAME defaults to trustbuilder. Passwords come from OWNER_PASSWORD and APP_PASSWORD, or are generated.
# Connection settings come from the usual PG* variables (PGHOST, PGPORT, PGUSER). It prints the two
# DATABASE_URL values to put in /etc/trustbuilder/trustbuilder.env (app) and to use for migrations (owner).
set -eu
name="${1:-trustbuilder}"
case "$name" in *[!a-z0-9_]*|"") echo "NAME must be lower-case letters, digits and _" >&2; exit 2 ;; esac
new_password() { python3 -c 'import secrets; print(secrets.token_urlsafe(24))'; }
owner_password="${OWNER_PASSWORD:-$(new_password)}"
app_password="${APP_PASSWORD:-$(new_password)}"
host="${PGHOST:-localhost}"
port="${PGPORT:-5432}"

psql -X -q -v ON_ERROR_STOP=1 -v name="$name" -v owner="${name}_owner" \
     -v owner_password="$owner_password" -v app_password="$app_password" -d postgres <<'SQL'
CREATE ROLE :"owner" LOGIN PASSWORD :'owner_password' NOSUPERUSER NOCREATEDB NOCREATEROLE;
CREATE ROLE :"name" LOGIN PASSWORD :'app_password' NOSUPERUSER NOCREATEDB NOCREATEROLE CONNECTION LIMIT 50;
CREATE DATABASE :"name" OWNER :"owner" ENCODING 'UTF8' TEMPLATE template0;
REVOKE ALL ON DATABASE :"name" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"name" TO :"name";
\connect :"name"
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"name";
-- Tables and sequences the owner creates (every migration) are the app's to read and write, not to alter.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"name";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO :"name";
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"name";
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"name";
SQL

echo "Created database $name, app role $name and owner role ${name}_owner."
echo "App (/etc/trustbuilder/trustbuilder.env):"
echo "  DATABASE_URL=postgresql+psycopg://$name:$app_password@$host:$port/$name"
echo "Owner (migrations and backups; keep it out of the app's environment):"
echo "  OWNER_DATABASE_URL=postgresql+psycopg://${name}_owner:$owner_password@$host:$port/$name"
