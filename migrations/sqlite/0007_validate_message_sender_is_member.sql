-- Nothing to do on SQLite: PostgreSQL validates the foreign key its 0006 added. (Kept so
-- that both databases report the same schema version.)
SELECT 1;
