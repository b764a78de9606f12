-- A network's subnets are looked up on every port create; by parent alone that read every port
-- of the network as well.
DROP INDEX neutron_resources_parent;
CREATE INDEX neutron_resources_parent_kind ON neutron_resources (parent_id, kind);
