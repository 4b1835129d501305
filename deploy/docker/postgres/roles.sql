-- Civitas database roles: one login role and one schema per service, and nothing more (least privilege).
-- Idempotent; run once per service as a superuser, connected to the civitas database:
--   psql -v ON_ERROR_STOP=1 -v svc=content -v password="$(cat db-content.password)" -d civitas -f roles.sql
-- Used by deploy/docker/postgres/init.sh; `./civitas up` applies the same statements.

\set role civitas_ :svc
SET client_min_messages = warning;

-- The role: can log in, nothing else (no superuser, no CREATEDB/CREATEROLE, no replication, no BYPASSRLS).
SELECT format('CREATE ROLE %I LOGIN', :'role')
 WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT NOREPLICATION NOBYPASSRLS
  PASSWORD :'password';
ALTER ROLE :"role" SET search_path = :"svc";

-- Its schema, which it owns: it creates its tables there (migrations) and can touch no other schema.
CREATE SCHEMA IF NOT EXISTS :"svc" AUTHORIZATION :"role";
ALTER SCHEMA :"svc" OWNER TO :"role";
REVOKE ALL ON SCHEMA :"svc" FROM PUBLIC;

-- The database: CONNECT for the service roles only; PUBLIC loses CONNECT and TEMPORARY. The public
-- schema holds only the extensions the superuser installs (unaccent, for French full-text search;
-- pg_trgm, for the admins' substring search of accounts):
-- everyone may use them, nobody but the superuser may create anything there.
SELECT current_database() AS dbname \gset
REVOKE ALL ON DATABASE :"dbname" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"dbname" TO :"role";
CREATE EXTENSION IF NOT EXISTS unaccent SCHEMA public;
CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public;
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO PUBLIC;

-- The maintenance database is for the superuser only.
SELECT 'REVOKE CONNECT, TEMPORARY ON DATABASE postgres FROM PUBLIC'
 WHERE EXISTS (SELECT 1 FROM pg_database WHERE datname = 'postgres') \gexec
