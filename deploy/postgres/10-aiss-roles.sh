#!/bin/bash
# Run once by the postgres image when it initialises an empty data volume
# (/docker-entrypoint-initdb.d): the two roles of docs/deployment.md.
#   aiss_owner  owns the database and every table; `migrate` and `db_roles` run as it.
#   aiss_app    web, worker and beat; owns nothing, and is granted its rights on the tables
#               by `manage.py db_roles` after each migration (INSERT and SELECT only on the
#               audit trail).
# Neither is a superuser: only the image's own superuser (POSTGRES_USER) is.
set -euo pipefail

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v db="$POSTGRES_DB" \
    -v owner_password="${AISS_OWNER_PASSWORD:?set AISS_OWNER_PASSWORD}" \
    -v app_password="${AISS_APP_PASSWORD:?set AISS_APP_PASSWORD}" <<'SQL'
CREATE ROLE aiss_owner LOGIN PASSWORD :'owner_password';
CREATE ROLE aiss_app LOGIN PASSWORD :'app_password';
ALTER DATABASE :"db" OWNER TO aiss_owner;
ALTER SCHEMA public OWNER TO aiss_owner;
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SQL
