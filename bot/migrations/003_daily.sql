-- Daily quote: one schedule per guild, one claim per (guild, local day), and the no-repeat bag.
CREATE TABLE daily_schedules (
    guild_id      INTEGER PRIMARY KEY,
    channel_id    INTEGER NOT NULL,
    local_time    TEXT NOT NULL,              -- 'HH:MM', 24 h, wall clock in `timezone`
    timezone      TEXT NOT NULL,              -- IANA name, e.g. 'Europe/Berlin'
    topic         TEXT,                       -- topic slug, or NULL for every quote
    enabled       INTEGER NOT NULL DEFAULT 1, -- 0 after /daily off
    next_due      INTEGER,                    -- UTC epoch seconds; NULL when off or paused
    due_day       TEXT,                       -- the local day ('YYYY-MM-DD') next_due posts for
    paused_reason TEXT,                       -- why posting stopped (channel deleted, ...)
    failures      INTEGER NOT NULL DEFAULT 0, -- transient failures in a row (retry back-off)
    last_error    TEXT,
    updated_at    INTEGER NOT NULL,
    updated_by    INTEGER
);
-- The scheduler asks only for the earliest due rows: no scan of every row.
CREATE INDEX daily_schedules_due ON daily_schedules(next_due) WHERE next_due IS NOT NULL;

-- Claimed BEFORE sending (status 'sending'), then 'posted' with the message id. The primary
-- key is the "at most one post per guild per local day" guarantee.
CREATE TABLE daily_posts (
    guild_id   INTEGER NOT NULL,
    day        TEXT NOT NULL,                 -- local calendar day in the guild's zone
    status     TEXT NOT NULL CHECK (status IN ('sending', 'posted', 'missed', 'unconfirmed')),
    quote_id   TEXT,
    nonce      TEXT,                          -- sent as Discord's nonce (enforce_nonce)
    channel_id INTEGER,
    message_id INTEGER,
    claimed_at INTEGER NOT NULL,              -- UTC epoch seconds
    posted_at  INTEGER,
    attempts   INTEGER NOT NULL DEFAULT 1,
    note       TEXT,
    PRIMARY KEY (guild_id, day)
) WITHOUT ROWID;

-- The shuffle bag: quotes already posted in the current cycle. No foreign key to passages on
-- purpose: a reload re-inserts changed interviews, and the bag must survive that; quotes that
-- are gone simply stop counting.
CREATE TABLE daily_bag (
    guild_id INTEGER NOT NULL,
    quote_id TEXT NOT NULL,
    used_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, quote_id)
) WITHOUT ROWID;
