-- Identity (Keystone v3). Runs on H2 (PostgreSQL mode) and PostgreSQL.
-- Global roles keep domain_id = '' so that (name, domain_id) can be unique on both databases.

CREATE TABLE domains (
    id          VARCHAR(64)  PRIMARY KEY,
    name        VARCHAR(255) NOT NULL UNIQUE,
    description TEXT,
    enabled     BOOLEAN      NOT NULL,
    extra       TEXT         NOT NULL
);

CREATE TABLE projects (
    id          VARCHAR(64)  PRIMARY KEY,
    name        VARCHAR(64)  NOT NULL,
    domain_id   VARCHAR(64)  NOT NULL REFERENCES domains (id),
    parent_id   VARCHAR(64),
    description TEXT,
    enabled     BOOLEAN      NOT NULL,
    extra       TEXT         NOT NULL,
    UNIQUE (domain_id, name)
);
CREATE INDEX projects_parent ON projects (parent_id);

CREATE TABLE project_tags (
    project_id VARCHAR(64)  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    tag        VARCHAR(255) NOT NULL,
    PRIMARY KEY (project_id, tag)
);

CREATE TABLE users (
    id                  VARCHAR(64)  PRIMARY KEY,
    name                VARCHAR(255) NOT NULL,
    domain_id           VARCHAR(64)  NOT NULL REFERENCES domains (id),
    enabled             BOOLEAN      NOT NULL,
    password_hash       VARCHAR(128),
    password_changed_at TIMESTAMP,
    default_project_id  VARCHAR(64),
    extra               TEXT         NOT NULL,
    created_at          TIMESTAMP    NOT NULL,
    UNIQUE (domain_id, name)
);

CREATE TABLE user_groups (
    id          VARCHAR(64)  PRIMARY KEY,
    name        VARCHAR(255) NOT NULL,
    domain_id   VARCHAR(64)  NOT NULL REFERENCES domains (id),
    description TEXT,
    extra       TEXT         NOT NULL,
    UNIQUE (domain_id, name)
);

CREATE TABLE group_members (
    group_id VARCHAR(64) NOT NULL REFERENCES user_groups (id) ON DELETE CASCADE,
    user_id  VARCHAR(64) NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    PRIMARY KEY (group_id, user_id)
);
CREATE INDEX group_members_user ON group_members (user_id);

CREATE TABLE roles (
    id          VARCHAR(64)  PRIMARY KEY,
    name        VARCHAR(255) NOT NULL,
    domain_id   VARCHAR(64)  NOT NULL,
    description TEXT,
    extra       TEXT         NOT NULL,
    UNIQUE (name, domain_id)
);

CREATE TABLE implied_roles (
    prior_role_id   VARCHAR(64) NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    implied_role_id VARCHAR(64) NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    PRIMARY KEY (prior_role_id, implied_role_id)
);

-- kind: UserProject, GroupProject, UserDomain, GroupDomain, UserSystem, GroupSystem
CREATE TABLE assignments (
    kind      VARCHAR(16) NOT NULL,
    actor_id  VARCHAR(64) NOT NULL,
    target_id VARCHAR(64) NOT NULL,
    role_id   VARCHAR(64) NOT NULL REFERENCES roles (id) ON DELETE CASCADE,
    inherited BOOLEAN     NOT NULL,
    PRIMARY KEY (kind, actor_id, target_id, role_id, inherited)
);
CREATE INDEX assignments_actor ON assignments (actor_id);
CREATE INDEX assignments_target ON assignments (target_id);

CREATE TABLE regions (
    id               VARCHAR(255) PRIMARY KEY,
    description      TEXT         NOT NULL,
    parent_region_id VARCHAR(255),
    extra            TEXT         NOT NULL
);

CREATE TABLE services (
    id      VARCHAR(64)  PRIMARY KEY,
    type    VARCHAR(255) NOT NULL,
    enabled BOOLEAN      NOT NULL,
    extra   TEXT         NOT NULL
);

CREATE TABLE endpoints (
    id         VARCHAR(64)  PRIMARY KEY,
    service_id VARCHAR(64)  NOT NULL REFERENCES services (id),
    interface  VARCHAR(8)   NOT NULL,
    region_id  VARCHAR(255),
    url        TEXT         NOT NULL,
    enabled    BOOLEAN      NOT NULL,
    extra      TEXT         NOT NULL
);

CREATE TABLE application_credentials (
    id           VARCHAR(64)  PRIMARY KEY,
    name         VARCHAR(255) NOT NULL,
    user_id      VARCHAR(64)  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    project_id   VARCHAR(64)  NOT NULL,
    secret_hash  VARCHAR(128) NOT NULL,
    description  TEXT,
    expires_at   TIMESTAMP,
    unrestricted BOOLEAN      NOT NULL,
    created_at   TIMESTAMP    NOT NULL,
    UNIQUE (user_id, name)
);

CREATE TABLE application_credential_roles (
    application_credential_id VARCHAR(64) NOT NULL REFERENCES application_credentials (id) ON DELETE CASCADE,
    role_id                   VARCHAR(64) NOT NULL,
    PRIMARY KEY (application_credential_id, role_id)
);

CREATE TABLE credentials (
    id         VARCHAR(64)  PRIMARY KEY,
    user_id    VARCHAR(64)  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    project_id VARCHAR(64),
    type       VARCHAR(255) NOT NULL,
    blob       TEXT         NOT NULL,
    extra      TEXT         NOT NULL
);
CREATE INDEX credentials_user ON credentials (user_id);

-- A token is revoked when every non-null field of an event matches it and it was issued at or
-- before issued_before (Keystone's revocation events).
CREATE TABLE revocation_events (
    id            VARCHAR(64) PRIMARY KEY,
    user_id       VARCHAR(64),
    project_id    VARCHAR(64),
    domain_id     VARCHAR(64),
    audit_id      VARCHAR(64),
    issued_before TIMESTAMP   NOT NULL,
    revoked_at    TIMESTAMP   NOT NULL
);
