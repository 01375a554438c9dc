-- Platform connections, the saved read state of their streams, and their
-- sync runs. Credentials are stored only as ciphertext.

CREATE TABLE connections (
    id             TEXT PRIMARY KEY,
    org_id         TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    platform       TEXT NOT NULL,
    name           TEXT NOT NULL,
    credentials    BLOB NOT NULL,
    config         TEXT,
    health         TEXT NOT NULL,
    last_error     TEXT NOT NULL,
    failures       INTEGER NOT NULL,
    next_retry_at  INTEGER NOT NULL,
    last_sync_at   INTEGER NOT NULL,
    schedule_every INTEGER NOT NULL,
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    UNIQUE (org_id, id)
) STRICT;
CREATE INDEX connections_org_created ON connections (org_id, created_at, id);
CREATE INDEX connections_schedule ON connections (schedule_every, health) WHERE schedule_every > 0;

CREATE TABLE stream_states (
    org_id        TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    stream        TEXT NOT NULL,
    state         TEXT,
    version       INTEGER NOT NULL,
    updated_at    INTEGER NOT NULL,
    PRIMARY KEY (org_id, connection_id, stream),
    FOREIGN KEY (org_id, connection_id) REFERENCES connections (org_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE TABLE sync_runs (
    id            TEXT PRIMARY KEY,
    org_id        TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    job_id        TEXT NOT NULL,
    mode          TEXT NOT NULL,
    streams       TEXT NOT NULL,
    trigger       TEXT NOT NULL,
    status        TEXT NOT NULL,
    progress      TEXT,
    error         TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    started_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    FOREIGN KEY (org_id, connection_id) REFERENCES connections (org_id, id) ON DELETE CASCADE
) STRICT;
CREATE INDEX sync_runs_connection ON sync_runs (org_id, connection_id, created_at, id);
