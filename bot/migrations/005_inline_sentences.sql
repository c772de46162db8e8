-- An answer's sentences move into its own row as a JSON array (like its paragraphs).
--
-- The catalog now reads answers by id when it shows them instead of holding every answer
-- in memory, so an answer must be one row read; and a load wrote ~4.5 sentence rows per
-- answer, most of the time of loading a large corpus.
ALTER TABLE passages ADD COLUMN sentences TEXT NOT NULL DEFAULT '[]';

UPDATE passages SET sentences = (
    SELECT json_group_array(text) FROM (
        SELECT text FROM sentences WHERE passage_id = passages.id ORDER BY idx
    )
);

DROP TABLE sentences;
