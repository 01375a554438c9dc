-- Audiences pushed to platforms (segment write-back) and the customers
-- currently in each, so every push sends only the difference.

CREATE TABLE audiences (
    org_id         TEXT NOT NULL,
    connection_id  TEXT NOT NULL,
    destination    TEXT NOT NULL,
    destination_id TEXT NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (org_id, connection_id, destination),
    FOREIGN KEY (org_id, connection_id) REFERENCES connections (org_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE TABLE audience_members (
    org_id        TEXT NOT NULL,
    connection_id TEXT NOT NULL,
    destination   TEXT NOT NULL,
    customer_id   TEXT NOT NULL,
    added_at      INTEGER NOT NULL,
    PRIMARY KEY (org_id, connection_id, destination, customer_id),
    FOREIGN KEY (org_id, connection_id, destination)
        REFERENCES audiences (org_id, connection_id, destination) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
