-- Trivia games (several rounds in a row), hints, per-server options and seasons.
-- Portable DDL (SQLite and PostgreSQL): BIGINT for Discord ids, TEXT, INTEGER, natural
-- keys only (a game's id is given by the store: max(id) + 1 inside the inserting
-- transaction, so it is never reused and needs no AUTOINCREMENT or sequence).

CREATE TABLE trivia_games (
    id          BIGINT PRIMARY KEY,
    guild_id    BIGINT NOT NULL,
    channel_id  BIGINT NOT NULL,
    total       INTEGER NOT NULL CHECK (total BETWEEN 1 AND 20),
    played      INTEGER NOT NULL DEFAULT 0,   -- rounds started so far
    topic       TEXT,                         -- a topic slug; NULL: any
    difficulty  TEXT,
    status      TEXT NOT NULL CHECK (status IN ('active', 'finished', 'cancelled')),
    started_by  BIGINT,
    started_at  TEXT NOT NULL,                -- ISO 8601, UTC
    next_at     TEXT                          -- when the next round starts; NULL while one runs
);
-- One game at a time per channel (partial unique indexes exist in SQLite and PostgreSQL).
CREATE UNIQUE INDEX trivia_one_active_game_per_channel
    ON trivia_games(channel_id) WHERE status = 'active';
CREATE INDEX trivia_games_by_status ON trivia_games(status);

-- A round of a game knows its game and its number in it (NULL: a single round).
ALTER TABLE trivia_rounds ADD COLUMN game_id BIGINT;
ALTER TABLE trivia_rounds ADD COLUMN game_round INTEGER;
CREATE INDEX trivia_rounds_by_game ON trivia_rounds(game_id);

-- Who asked for a hint in a round (once each); their right answer scores less.
CREATE TABLE trivia_hints (
    round_id BIGINT NOT NULL,
    user_id  BIGINT NOT NULL,
    used_at  TEXT NOT NULL,
    PRIMARY KEY (round_id, user_id)
);

-- Per-server options beside trivia_settings.round_seconds; NULL means the default.
CREATE TABLE trivia_options (
    guild_id        BIGINT PRIMARY KEY,
    right_points    INTEGER CHECK (right_points BETWEEN 1 AND 100),
    reveal_evidence INTEGER CHECK (reveal_evidence IN (0, 1)),
    use_generated   INTEGER CHECK (use_generated IN (0, 1)),
    updated_by      BIGINT,
    updated_at      TEXT NOT NULL
);

-- Seasons: numbered per server from 1; the current one has no end.
CREATE TABLE trivia_seasons (
    guild_id   BIGINT NOT NULL,
    number     INTEGER NOT NULL,
    name       TEXT NOT NULL,
    started_at TEXT NOT NULL,
    ended_at   TEXT,
    started_by BIGINT,
    PRIMARY KEY (guild_id, number)
);

-- A member's score in one season; trivia_scores stays the all-time score.
CREATE TABLE trivia_season_scores (
    guild_id    BIGINT NOT NULL,
    season      INTEGER NOT NULL,
    user_id     BIGINT NOT NULL,
    points      INTEGER NOT NULL DEFAULT 0,
    correct     INTEGER NOT NULL DEFAULT 0,
    answered    INTEGER NOT NULL DEFAULT 0,
    streak      INTEGER NOT NULL DEFAULT 0,
    best_streak INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, season, user_id)
);
CREATE INDEX trivia_season_scores_by_points ON trivia_season_scores(guild_id, season, points);

-- Scores kept before seasons existed become each server's first season, which began
-- with its first round.
INSERT INTO trivia_seasons(guild_id, number, name, started_at, ended_at, started_by)
SELECT g.guild_id, 1, 'Season 1',
       COALESCE(
           (SELECT MIN(r.started_at) FROM trivia_rounds r WHERE r.guild_id = g.guild_id),
           '1970-01-01T00:00:00.000000+00:00'
       ),
       NULL, NULL
FROM (SELECT DISTINCT guild_id FROM trivia_scores) g;

INSERT INTO trivia_season_scores(
    guild_id, season, user_id, points, correct, answered, streak, best_streak
)
SELECT guild_id, 1, user_id, points, correct, answered, streak, best_streak FROM trivia_scores;
