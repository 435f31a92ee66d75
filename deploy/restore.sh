#!/bin/sh
# Restores a Trust Builder backup into an EMPTY database (make one with deploy/postgres-setup.sh NEWNAME).
# Usage: deploy/restore.sh DUMP_FILE
#   RESTORE_DATABASE_URL: the new database's OWNER URL (tables then belong to the owner and the app role
#   gets its row privileges from the defaults postgres-setup.sh set)
# Then set ENCRYPTION_KEY and LOOKUP_KEY from the backup's .keys file and DATABASE_URL to the new database's app URL,
# and start the services: the app checks the schema and migrates it if the dump is older than the code.
set -eu
dump="${1:?usage: deploy/restore.sh DUMP_FILE}"
url="${RESTORE_DATABASE_URL:?set RESTORE_DATABASE_URL to the new database owner URL}"
libpq_url="$(printf '%s' "$url" | sed 's|^postgresql+[a-z0-9]*://|postgresql://|')"
tables="$(psql -X -At -d "$libpq_url" -c "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'")"
if [ "$tables" != "0" ]; then
  echo "restore.sh: the target database already has $tables tables; restore only into an empty one" >&2
  exit 2
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction -d "$libpq_url" "$dump"
echo "restore: $dump restored ($(psql -X -At -d "$libpq_url" -c "SELECT version_num FROM alembic_version") is its schema)"
