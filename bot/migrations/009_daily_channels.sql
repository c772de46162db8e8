-- Several daily schedules per server, one per channel (issue 18): the three daily tables
-- are keyed by (guild, channel). Rebuilt and copied, since neither database can change a
-- primary key in place. Existing rows go to their server's one schedule's channel: its
-- posts (so a day already posted is not posted again) and its no-repeat bag. A post of a
-- server without a schedule keeps the channel it was sent to (or is dropped with none).
-- Portable DDL (SQLite and PostgreSQL): BIGINT ids, INTEGER flags and epochs, TEXT.

CREATE TABLE daily_schedules_009 (
    guild_id        BIGINT NOT NULL,
    channel_id      BIGINT NOT NULL,
    local_time      TEXT NOT NULL,
    timezone        TEXT NOT NULL,
    topic           TEXT,
    enabled         INTEGER NOT NULL DEFAULT 1,
    next_due        BIGINT,
    due_day         TEXT,
    paused_reason   TEXT,
    failures        INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    updated_at      BIGINT NOT NULL,
    updated_by      BIGINT,
    mention_role_id BIGINT,
    thread          INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, channel_id)
);
INSERT INTO daily_schedules_009 (guild_id, channel_id, local_time, timezone, topic, enabled,
    next_due, due_day, paused_reason, failures, last_error, updated_at, updated_by,
    mention_role_id, thread)
SELECT guild_id, channel_id, local_time, timezone, topic, enabled, next_due, due_day,
    paused_reason, failures, last_error, updated_at, updated_by, mention_role_id, thread
FROM daily_schedules;

-- The primary key is the "at most one post per schedule per local day" guarantee.
CREATE TABLE daily_posts_009 (
    guild_id   BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    day        TEXT NOT NULL,
    status     TEXT NOT NULL CHECK (status IN ('sending', 'posted', 'missed', 'unconfirmed')),
    quote_id   TEXT,
    nonce      TEXT,
    message_id BIGINT,
    thread_id  BIGINT,
    claimed_at BIGINT NOT NULL,
    posted_at  BIGINT,
    attempts   INTEGER NOT NULL DEFAULT 1,
    note       TEXT,
    PRIMARY KEY (guild_id, channel_id, day)
) WITHOUT ROWID;
INSERT INTO daily_posts_009 (guild_id, channel_id, day, status, quote_id, nonce, message_id,
    thread_id, claimed_at, posted_at, attempts, note)
SELECT p.guild_id, COALESCE(s.channel_id, p.channel_id), p.day, p.status, p.quote_id, p.nonce,
    p.message_id, p.thread_id, p.claimed_at, p.posted_at, p.attempts, p.note
FROM daily_posts p LEFT JOIN daily_schedules s ON s.guild_id = p.guild_id
WHERE COALESCE(s.channel_id, p.channel_id) IS NOT NULL;

CREATE TABLE daily_bag_009 (
    guild_id   BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    quote_id   TEXT NOT NULL,
    used_at    BIGINT NOT NULL,
    PRIMARY KEY (guild_id, channel_id, quote_id)
) WITHOUT ROWID;
INSERT INTO daily_bag_009 (guild_id, channel_id, quote_id, used_at)
SELECT b.guild_id, s.channel_id, b.quote_id, b.used_at
FROM daily_bag b JOIN daily_schedules s ON s.guild_id = b.guild_id;

DROP TABLE daily_bag;
DROP TABLE daily_posts;
DROP TABLE daily_schedules;
ALTER TABLE daily_schedules_009 RENAME TO daily_schedules;
ALTER TABLE daily_posts_009 RENAME TO daily_posts;
ALTER TABLE daily_bag_009 RENAME TO daily_bag;
-- The scheduler asks only for the earliest due rows: no scan of every row.
CREATE INDEX daily_schedules_due ON daily_schedules(next_due) WHERE next_due IS NOT NULL;
