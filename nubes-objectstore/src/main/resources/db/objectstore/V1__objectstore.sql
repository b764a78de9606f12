-- Object storage (Swift v1) account and container listings. Runs on H2 (PostgreSQL mode) and
-- PostgreSQL. The object data lives on the ring's devices; these rows are what listings and the
-- count and byte headers read, updated in the request that stored the data.
-- Names sort as Swift sorts them, by code point (V2 makes that so on PostgreSQL).
-- Timestamps are Swift's text form (1700000000.12345), which sorts in time order.

CREATE TABLE os_accounts (
    account     VARCHAR(256)  PRIMARY KEY,
    metadata    TEXT          NOT NULL,
    created     VARCHAR(20)   NOT NULL
);

CREATE TABLE os_containers (
    account      VARCHAR(256)  NOT NULL,
    name         VARCHAR(256)  NOT NULL,
    object_count BIGINT        NOT NULL,
    bytes_used   BIGINT        NOT NULL,
    metadata     TEXT          NOT NULL,
    read_acl     TEXT,
    write_acl    TEXT,
    created      VARCHAR(20)   NOT NULL,
    modified     VARCHAR(20)   NOT NULL,
    PRIMARY KEY (account, name)
);

-- One row per object name; a delete keeps the row (deleted = TRUE) with the delete's timestamp,
-- so that an older write arriving late cannot bring the object back.
CREATE TABLE os_objects (
    account      VARCHAR(256)  NOT NULL,
    container    VARCHAR(256)  NOT NULL,
    name         VARCHAR(1024) NOT NULL,
    size         BIGINT        NOT NULL,
    etag         VARCHAR(32)   NOT NULL,
    content_type VARCHAR(256)  NOT NULL,
    last_modified VARCHAR(20)  NOT NULL,
    deleted      BOOLEAN       NOT NULL,
    PRIMARY KEY (account, container, name)
);
