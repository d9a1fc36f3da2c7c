-- The dashboard's read-only role (run once by the database owner, with psql):
--   psql -v reader_password=... -f docker/postgres/readonly-role.sql
-- The dashboard only reads: this role can connect and SELECT, nothing else, on the tables the
-- owner (the scheduler's role, which runs `slm-tracker ingest init`) creates now or later.
-- Every transaction is read-only and every statement stops after 15 s (the dashboard sets its
-- own SLM_QUERY_TIMEOUT too).
\set ON_ERROR_STOP on
SELECT format('CREATE ROLE slm_reader LOGIN PASSWORD %L', :'reader_password')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'slm_reader') \gexec
SELECT format('GRANT CONNECT ON DATABASE %I TO slm_reader', current_database()) \gexec
GRANT USAGE ON SCHEMA public TO slm_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA public TO slm_reader;
ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT ON TABLES TO slm_reader;
REVOKE CREATE ON SCHEMA public FROM slm_reader;
ALTER ROLE slm_reader SET default_transaction_read_only = on;
ALTER ROLE slm_reader SET statement_timeout = '15s';
