-- A tiny migration for DatabaseTest; written in the dialect subset shared by H2 (PostgreSQL mode) and PostgreSQL.
CREATE TABLE things (
    id         VARCHAR(64)  PRIMARY KEY,
    name       VARCHAR(255) NOT NULL UNIQUE,
    enabled    BOOLEAN      NOT NULL,
    created_at TIMESTAMP    NOT NULL,
    extra      TEXT
);

CREATE TABLE thing_tags (
    thing_id VARCHAR(64)  NOT NULL REFERENCES things (id) ON DELETE CASCADE,
    tag      VARCHAR(255) NOT NULL,
    PRIMARY KEY (thing_id, tag)
);
