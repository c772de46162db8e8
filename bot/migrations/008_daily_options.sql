-- Richer daily posts (issue 18): a role to mention (opt-in) and a discussion thread.
-- Portable DDL (SQLite and PostgreSQL): plain ADD COLUMN, BIGINT ids, INTEGER flags.
ALTER TABLE daily_schedules ADD COLUMN mention_role_id BIGINT;           -- NULL: mention nobody
ALTER TABLE daily_schedules ADD COLUMN thread INTEGER NOT NULL DEFAULT 0; -- 1: open a thread on each post
-- The thread opened on a post. A posted day's `note` says what of the mention or thread
-- could not be made (the post itself went out).
ALTER TABLE daily_posts ADD COLUMN thread_id BIGINT;
