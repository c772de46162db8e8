-- Admin commands: an audit trail of every admin action, and uploads awaiting confirmation.
CREATE TABLE admin_audit (
    id        INTEGER PRIMARY KEY,
    at        TEXT NOT NULL,               -- ISO 8601, UTC
    user_id   INTEGER NOT NULL,
    user_name TEXT NOT NULL DEFAULT '',
    guild_id  INTEGER,                     -- NULL outside a guild
    action    TEXT NOT NULL,               -- reload, import, import-confirm, sync, status, ...
    detail    TEXT NOT NULL DEFAULT '',    -- options, file name, scope
    result    TEXT NOT NULL CHECK (result IN ('ok', 'failed', 'denied', 'refused', 'error')),
    message   TEXT NOT NULL DEFAULT ''     -- the diff, the errors, or why it was refused
);
CREATE INDEX admin_audit_by_action ON admin_audit(action, id);

-- An import shown as a preview and not yet confirmed or cancelled. Kept here (not in memory)
-- so the Confirm button still works after a restart; rows expire and are purged.
CREATE TABLE pending_imports (
    token      TEXT PRIMARY KEY,           -- random, also in the buttons' custom_id
    user_id    INTEGER NOT NULL,           -- the uploader: the only one who may confirm
    created_at TEXT NOT NULL,
    filename   TEXT NOT NULL,
    title      TEXT NOT NULL,
    content    BLOB NOT NULL
);
