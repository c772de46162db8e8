-- Per-server settings of the quote commands: the look of quote cards (/quote-settings).
-- Portable DDL (SQLite and PostgreSQL): BIGINT for Discord ids, TEXT for the rest.
CREATE TABLE quote_settings (
    guild_id   BIGINT PRIMARY KEY,
    card_theme TEXT NOT NULL DEFAULT 'accent' CHECK (card_theme IN ('accent', 'light', 'dark')),
    updated_at TEXT NOT NULL,                 -- ISO 8601, UTC
    updated_by BIGINT                         -- the member who changed it
);
