-- A game's final table survives a restart: closing a game and posting its table are two
-- steps (a database write, then a Discord send). The close marks the table due in the same
-- write; the post clears the mark; a start posts every table still due.
-- Portable DDL (SQLite and PostgreSQL): plain ADD COLUMN, INTEGER flag, TEXT.
ALTER TABLE trivia_games ADD COLUMN final_due INTEGER NOT NULL DEFAULT 0;  -- 1: table not posted yet
ALTER TABLE trivia_games ADD COLUMN final_note TEXT;                       -- shown above the table
