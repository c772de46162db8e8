-- Trivia: curated questions (replaced with the corpus), rounds with their answers,
-- per-guild scores, the questions each guild has seen, and the per-guild round time.
CREATE TABLE trivia_questions (
    id           TEXT PRIMARY KEY,          -- hash of the folded question wording
    question     TEXT NOT NULL,
    answer       TEXT NOT NULL,
    distractors  TEXT NOT NULL,             -- JSON array
    difficulty   TEXT NOT NULL CHECK (difficulty IN ('easy', 'medium', 'hard')),
    evidence     TEXT NOT NULL,             -- the exact transcript phrase
    interview_id TEXT NOT NULL,
    passage_id   TEXT NOT NULL,
    speaker      TEXT,                      -- NULL: the evidence is the interviewer's
    source       TEXT NOT NULL,
    line         INTEGER
);

CREATE TABLE trivia_settings (
    guild_id      INTEGER PRIMARY KEY,
    round_seconds REAL NOT NULL CHECK (round_seconds > 0),
    updated_by    INTEGER,
    updated_at    TEXT NOT NULL
);

-- AUTOINCREMENT: a round id is never reused, so an old message's buttons never reach a new round.
CREATE TABLE trivia_rounds (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    guild_id    INTEGER NOT NULL,
    channel_id  INTEGER NOT NULL,
    message_id  INTEGER,
    question_id TEXT NOT NULL,
    question    TEXT NOT NULL,              -- JSON snapshot: the reveal never depends on reloads
    choices     TEXT NOT NULL,              -- JSON array, in button order
    correct     INTEGER NOT NULL,
    started_at  TEXT NOT NULL,              -- ISO 8601, UTC
    ends_at     TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('active', 'finished', 'cancelled')),
    started_by  INTEGER
);
CREATE UNIQUE INDEX trivia_one_active_round_per_channel
    ON trivia_rounds(channel_id) WHERE status = 'active';
CREATE INDEX trivia_rounds_active ON trivia_rounds(status) WHERE status = 'active';

CREATE TABLE trivia_answers (
    round_id    INTEGER NOT NULL REFERENCES trivia_rounds(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL,
    choice      INTEGER NOT NULL,
    correct     INTEGER NOT NULL,
    points      INTEGER NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (round_id, user_id)         -- one answer per member per round
) WITHOUT ROWID;

CREATE TABLE trivia_scores (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    points      INTEGER NOT NULL DEFAULT 0,
    correct     INTEGER NOT NULL DEFAULT 0,
    answered    INTEGER NOT NULL DEFAULT 0,
    streak      INTEGER NOT NULL DEFAULT 0,
    best_streak INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (guild_id, user_id)
) WITHOUT ROWID;
CREATE INDEX trivia_scores_by_points ON trivia_scores(guild_id, points DESC);

CREATE TABLE trivia_seen (
    guild_id    INTEGER NOT NULL,
    question_id TEXT NOT NULL,
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (guild_id, question_id)
) WITHOUT ROWID;
