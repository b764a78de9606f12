-- The hashes of staged data, computed while it was staged, so that the glance-direct import only
-- renames the staged data to the image's key and takes these over as checksum and os_hash_value.
ALTER TABLE images ADD COLUMN staged_checksum VARCHAR(32);
ALTER TABLE images ADD COLUMN staged_hash_value VARCHAR(128);

-- One row per upload or staging in progress: the bytes it has reserved against its owner's
-- image.quota_bytes. In the database, so the quota holds across API nodes.
CREATE TABLE image_uploads (
    image_id   VARCHAR(36)  PRIMARY KEY REFERENCES images (id) ON DELETE CASCADE,
    owner      VARCHAR(255) NOT NULL,
    bytes      BIGINT       NOT NULL,
    started_at TIMESTAMP    NOT NULL
);
CREATE INDEX image_uploads_owner ON image_uploads (owner);
