#!/bin/sh
# Backs up Trust Builder: the database (pg_dump, custom format) and the keys it needs: ENCRYPTION_KEY
# (reads the encrypted columns) and LOOKUP_KEY (finds a partner by phone number: without it, nobody
# who texts in would be recognised).
# Usage: deploy/backup.sh DEST_DIR
#   BACKUP_DATABASE_URL (or DATABASE_URL): the database, e.g. the owner URL from postgres-setup.sh
#   ENCRYPTION_KEY and LOOKUP_KEY, or ENV_FILE (default /etc/trustbuilder/trustbuilder.env) that sets them
# Writes DEST_DIR/trustbuilder-STAMP.dump and DEST_DIR/trustbuilder-STAMP.keys (both 0600). The dump
# alone cannot be read (names, numbers, check-ins, promises and texts are encrypted); the dump AND the keys can, so copy
# the .keys file somewhere else than the dumps (a password manager, an offline drive).
set -eu
umask 077
dest="${1:?usage: deploy/backup.sh DEST_DIR}"
url="${BACKUP_DATABASE_URL:-${DATABASE_URL:?set BACKUP_DATABASE_URL or DATABASE_URL}}"
libpq_url="$(printf '%s' "$url" | sed 's|^postgresql+[a-z0-9]*://|postgresql://|')"
env_file="${ENV_FILE:-/etc/trustbuilder/trustbuilder.env}"
from_env_file() {
  if [ -r "$env_file" ]; then sed -n "s/^$1=//p" "$env_file" | tail -n 1; fi
}
keys="${ENCRYPTION_KEY:-$(from_env_file ENCRYPTION_KEY)}"
[ -n "$keys" ] || { echo "backup.sh: no ENCRYPTION_KEY (nor in $env_file): a dump without its key cannot be read back" >&2; exit 2; }
lookup="${LOOKUP_KEY:-$(from_env_file LOOKUP_KEY)}"
[ -n "$lookup" ] || { echo "backup.sh: no LOOKUP_KEY (nor in $env_file): without it a restored database finds nobody by phone" >&2; exit 2; }

stamp="$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$dest"
dump="$dest/trustbuilder-$stamp.dump"
pg_dump --format=custom --compress=6 --file="$dump" "$libpq_url"
pg_restore --list "$dump" > /dev/null  # the dump reads back
printf 'ENCRYPTION_KEY=%s\nLOOKUP_KEY=%s\n' "$keys" "$lookup" > "$dest/trustbuilder-$stamp.keys"
echo "backup: $dump ($(wc -c < "$dump") bytes)"
echo "backup: $dest/trustbuilder-$stamp.keys (store it apart from the dumps)"
