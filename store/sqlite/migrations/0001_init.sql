-- Times are unix microseconds (UTC), money is integer minor units, lists and
-- maps are JSON text.

CREATE TABLE orgs (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    created_at INTEGER NOT NULL
) STRICT;

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
) STRICT;

CREATE TABLE memberships (
    org_id     TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    user_id    TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX memberships_org_joined ON memberships (org_id, created_at, user_id);
CREATE INDEX memberships_user ON memberships (user_id, created_at, org_id);

CREATE TABLE refresh_tokens (
    id         TEXT PRIMARY KEY,
    family_id  TEXT NOT NULL,
    user_id    TEXT NOT NULL,
    org_id     TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER,
    revoked_at INTEGER
) STRICT;
CREATE INDEX refresh_tokens_family ON refresh_tokens (family_id);

-- Audit events may belong to no org (a failed sign-in), so org_id has no
-- foreign key.
CREATE TABLE audit_events (
    id         TEXT PRIMARY KEY,
    org_id     TEXT NOT NULL,
    actor_id   TEXT NOT NULL,
    action     TEXT NOT NULL,
    target     TEXT NOT NULL,
    ip         TEXT NOT NULL,
    user_agent TEXT NOT NULL,
    request_id TEXT NOT NULL,
    details    TEXT,
    created_at INTEGER NOT NULL
) STRICT;
CREATE INDEX audit_events_org_time ON audit_events (org_id, created_at, id);

CREATE TABLE customers (
    org_id     TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id         TEXT NOT NULL,
    email      TEXT NOT NULL,
    name       TEXT NOT NULL,
    phone      TEXT NOT NULL,
    consent    TEXT NOT NULL,
    platforms  TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX customers_email ON customers (org_id, email);

-- Orders may arrive before their customer (separate sync streams), so
-- customer_id is not a foreign key.
CREATE TABLE orders (
    org_id       TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id           TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    platform     TEXT NOT NULL,
    external_id  TEXT NOT NULL,
    placed_at    INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    currency     TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
) STRICT, WITHOUT ROWID;
CREATE INDEX orders_customer ON orders (org_id, customer_id, placed_at, id);

CREATE TABLE campaigns (
    org_id   TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id       TEXT NOT NULL,
    platform TEXT NOT NULL,
    channel  TEXT NOT NULL,
    name     TEXT NOT NULL,
    PRIMARY KEY (org_id, id)
) STRICT, WITHOUT ROWID;

CREATE TABLE campaign_metrics (
    org_id        TEXT NOT NULL,
    campaign_id   TEXT NOT NULL,
    day           INTEGER NOT NULL,
    spend_minor   INTEGER NOT NULL,
    impressions   INTEGER NOT NULL,
    clicks        INTEGER NOT NULL,
    conversions   INTEGER NOT NULL,
    revenue_minor INTEGER NOT NULL,
    currency      TEXT NOT NULL,
    PRIMARY KEY (org_id, campaign_id, day),
    FOREIGN KEY (org_id, campaign_id) REFERENCES campaigns (org_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX campaign_metrics_day ON campaign_metrics (org_id, day, campaign_id);

-- System jobs may belong to no org, so org_id has no foreign key.
CREATE TABLE jobs (
    id              TEXT PRIMARY KEY,
    org_id          TEXT NOT NULL,
    kind            TEXT NOT NULL,
    payload         TEXT,
    status          TEXT NOT NULL,
    attempts        INTEGER NOT NULL,
    max_attempts    INTEGER NOT NULL,
    run_at          INTEGER NOT NULL,
    locked_by       TEXT NOT NULL,
    locked_until    INTEGER NOT NULL,
    idempotency_key TEXT NOT NULL,
    progress        TEXT,
    result          TEXT,
    error           TEXT NOT NULL,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
) STRICT;
CREATE UNIQUE INDEX jobs_idempotency ON jobs (org_id, idempotency_key) WHERE idempotency_key <> '';
CREATE INDEX jobs_runnable ON jobs (status, run_at, created_at, id);
CREATE INDEX jobs_org_created ON jobs (org_id, created_at, id);

CREATE TABLE eyes_runs (
    id          TEXT PRIMARY KEY,
    org_id      TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    job_id      TEXT NOT NULL,
    status      TEXT NOT NULL,
    as_of       INTEGER NOT NULL,
    report      TEXT,
    error       TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    finished_at INTEGER,
    UNIQUE (org_id, version)
) STRICT;

CREATE TABLE eyes_scores (
    run_id       TEXT NOT NULL REFERENCES eyes_runs (id) ON DELETE CASCADE,
    org_id       TEXT NOT NULL,
    customer_id  TEXT NOT NULL,
    segment_id   TEXT NOT NULL,
    segment_name TEXT NOT NULL,
    cluster      INTEGER NOT NULL,
    rfm_segment  TEXT NOT NULL,
    churn30      REAL NOT NULL,
    churn60      REAL NOT NULL,
    churn90      REAL NOT NULL,
    p_alive      REAL NOT NULL,
    expected_clv REAL NOT NULL,
    reasons      TEXT NOT NULL,
    x            REAL NOT NULL,
    y            REAL NOT NULL,
    consent      TEXT NOT NULL,
    PRIMARY KEY (run_id, customer_id)
) STRICT, WITHOUT ROWID;
