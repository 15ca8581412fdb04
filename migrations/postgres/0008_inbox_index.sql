-- Nothing to do on PostgreSQL. SQLite's 0008 replaces the members' (user_id,
-- conversation_id) index with one ordered for the inbox. Tried here too, with INCLUDE:
-- inbox throughput grew less with data, but sends lost their HOT updates (each one moves
-- both members' index entries) and both endpoints were slower at 100 users in the same
-- run, so PostgreSQL keeps its index (docs/PERFORMANCE.md). Kept so that both databases
-- report the same schema version.
SELECT 1;
