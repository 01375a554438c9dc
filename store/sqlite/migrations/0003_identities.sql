-- The customer graph: source identities resolved into unified customers,
-- the links that justify each merge, and the platform records (orders with
-- their lines, products, subscriptions, invoices) kept as sent.

CREATE TABLE identities (
    org_id         TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    id             TEXT NOT NULL,
    platform       TEXT NOT NULL,
    external_id    TEXT NOT NULL,
    customer_id    TEXT NOT NULL,
    email          TEXT NOT NULL,
    phone          TEXT NOT NULL,
    name           TEXT NOT NULL,
    consent        TEXT NOT NULL,
    no_merge_group TEXT NOT NULL,
    updated_at     INTEGER NOT NULL,
    PRIMARY KEY (org_id, id)
) STRICT, WITHOUT ROWID;
CREATE UNIQUE INDEX identities_external ON identities (org_id, platform, external_id);
CREATE INDEX identities_customer ON identities (org_id, customer_id, platform, external_id);
-- Queries name these indexes (INDEXED BY): without statistics the planner
-- prefers scanning an org's primary-key range to probing them.
CREATE INDEX identities_email ON identities (org_id, email) WHERE email <> '';
CREATE INDEX identities_phone ON identities (org_id, phone) WHERE phone <> '';

CREATE TABLE merge_links (
    org_id            TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    customer_id       TEXT NOT NULL,
    identity_id       TEXT NOT NULL,
    other_identity_id TEXT NOT NULL,
    reason            TEXT NOT NULL,
    PRIMARY KEY (org_id, customer_id, identity_id, other_identity_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE source_records (
    org_id      TEXT NOT NULL REFERENCES orgs (id) ON DELETE CASCADE,
    platform    TEXT NOT NULL,
    stream      TEXT NOT NULL,
    external_id TEXT NOT NULL,
    customer_id TEXT NOT NULL,
    identity_id TEXT NOT NULL,
    updated_at  INTEGER NOT NULL,
    data        TEXT NOT NULL,
    PRIMARY KEY (org_id, platform, stream, external_id)
) STRICT, WITHOUT ROWID;
-- One index serves a customer's records, merges (by customer) and moves (by
-- customer and identity). Order records, the bulk of ingest, are left out:
-- they are reached through the orders table's customer index.
CREATE INDEX source_records_customer ON source_records (org_id, customer_id, identity_id) WHERE stream <> 'orders';
