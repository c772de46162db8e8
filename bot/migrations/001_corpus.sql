-- Interviews, their speakers, answers (passages) with sentences, topics and links.
CREATE TABLE interviews (
    id           TEXT PRIMARY KEY,
    title        TEXT NOT NULL,
    interviewee  TEXT,
    interviewer  TEXT,
    publication  TEXT,
    date         TEXT,
    url          TEXT,
    source       TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    loaded_at    TEXT NOT NULL
);

CREATE TABLE speakers (
    interview_id TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    ord          INTEGER NOT NULL,
    PRIMARY KEY (interview_id, name)
);

CREATE TABLE passages (
    id           TEXT PRIMARY KEY,
    interview_id TEXT NOT NULL REFERENCES interviews(id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    speaker      TEXT NOT NULL,
    role         TEXT NOT NULL CHECK (role IN ('interviewee', 'interviewer')),
    question     TEXT,
    paragraphs   TEXT NOT NULL,  -- JSON array of the answer's paragraphs
    line         INTEGER NOT NULL
);
CREATE INDEX passages_by_interview ON passages(interview_id, position);

CREATE TABLE sentences (
    passage_id TEXT NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
    idx        INTEGER NOT NULL,
    text       TEXT NOT NULL,
    PRIMARY KEY (passage_id, idx)
) WITHOUT ROWID;

CREATE TABLE topics (
    slug     TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    curated  INTEGER NOT NULL,
    aliases  TEXT NOT NULL,  -- JSON array
    keywords TEXT NOT NULL   -- JSON array
);

CREATE TABLE passage_topics (
    topic_slug TEXT NOT NULL REFERENCES topics(slug) ON DELETE CASCADE,
    passage_id TEXT NOT NULL REFERENCES passages(id) ON DELETE CASCADE,
    PRIMARY KEY (topic_slug, passage_id)
) WITHOUT ROWID;
CREATE INDEX passage_topics_by_passage ON passage_topics(passage_id);

CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
