-- Image service (Glance v2). Runs on H2 (PostgreSQL mode) and PostgreSQL.
-- Custom properties (a JSON object of strings) and tags (a JSON array) live in the row: they are
-- always read with the image and never queried on their own.

CREATE TABLE images (
    id               VARCHAR(36)  PRIMARY KEY,
    name             VARCHAR(255),
    owner            VARCHAR(255),
    status           VARCHAR(20)  NOT NULL,
    visibility       VARCHAR(20)  NOT NULL,
    disk_format      VARCHAR(32),
    container_format VARCHAR(32),
    size             BIGINT,
    checksum         VARCHAR(32),
    os_hash_value    VARCHAR(128),
    min_disk         INTEGER      NOT NULL,
    min_ram          INTEGER      NOT NULL,
    protected        BOOLEAN      NOT NULL,
    os_hidden        BOOLEAN      NOT NULL,
    properties       TEXT         NOT NULL,
    tags             TEXT         NOT NULL,
    created_at       TIMESTAMP    NOT NULL,
    updated_at       TIMESTAMP    NOT NULL
);
CREATE INDEX images_owner ON images (owner);

CREATE TABLE image_members (
    image_id   VARCHAR(36)  NOT NULL REFERENCES images (id) ON DELETE CASCADE,
    member_id  VARCHAR(255) NOT NULL,
    status     VARCHAR(20)  NOT NULL,
    created_at TIMESTAMP    NOT NULL,
    updated_at TIMESTAMP    NOT NULL,
    PRIMARY KEY (image_id, member_id)
);
CREATE INDEX image_members_member ON image_members (member_id);
