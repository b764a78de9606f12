-- Networking service (Neutron v2.0). Runs on H2 (PostgreSQL mode) and PostgreSQL.
-- Every Neutron resource is one row: its attributes as a JSON object in body, and the few
-- columns it is looked up by. parent_id is the network of a subnet or port, the group of a
-- security group rule, the network of an RBAC policy; device_id is a port's device.
-- Lists filter, sort and page the visible rows by attribute, which is what Neutron's query
-- options are defined on.

CREATE TABLE neutron_resources (
    id         VARCHAR(36)  PRIMARY KEY,
    kind       VARCHAR(32)  NOT NULL,
    project_id VARCHAR(64)  NOT NULL,
    parent_id  VARCHAR(36),
    device_id  VARCHAR(255),
    body       TEXT         NOT NULL
);
CREATE INDEX neutron_resources_kind_project ON neutron_resources (kind, project_id);
CREATE INDEX neutron_resources_parent ON neutron_resources (parent_id);
CREATE INDEX neutron_resources_device ON neutron_resources (device_id);

-- One row per address handed out: the primary key is what keeps two ports off one address.
CREATE TABLE neutron_ip_allocations (
    subnet_id  VARCHAR(36)  NOT NULL,
    ip_address VARCHAR(64)  NOT NULL,
    port_id    VARCHAR(36)  NOT NULL,
    PRIMARY KEY (subnet_id, ip_address)
);
CREATE INDEX neutron_ip_allocations_port ON neutron_ip_allocations (port_id);

CREATE TABLE neutron_mac_addresses (
    network_id  VARCHAR(36) NOT NULL,
    mac_address VARCHAR(17) NOT NULL,
    port_id     VARCHAR(36) NOT NULL,
    PRIMARY KEY (network_id, mac_address)
);
CREATE INDEX neutron_mac_addresses_port ON neutron_mac_addresses (port_id);

CREATE TABLE neutron_quotas (
    project_id VARCHAR(64) NOT NULL,
    resource   VARCHAR(32) NOT NULL,
    hard_limit INTEGER     NOT NULL,
    PRIMARY KEY (project_id, resource)
);

-- Lock rows: a transaction that counts a project's resources against its quota, or creates
-- its default security group, first locks the project's row.
CREATE TABLE neutron_locks (
    name VARCHAR(128) PRIMARY KEY
);
