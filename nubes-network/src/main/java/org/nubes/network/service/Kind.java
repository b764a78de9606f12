package org.nubes.network.service;

/** Neutron's resources: their names in bodies and URLs, and their not-found fault. */
public enum Kind {
    NETWORK("network", "networks", "NetworkNotFound", "Network %s could not be found."),
    SUBNET("subnet", "subnets", "SubnetNotFound", "Subnet %s could not be found."),
    PORT("port", "ports", "PortNotFound", "Port %s could not be found."),
    SECURITY_GROUP("security_group", "security-groups", "SecurityGroupNotFound", "Security group %s does not exist"),
    SECURITY_GROUP_RULE("security_group_rule", "security-group-rules", "SecurityGroupRuleNotFound",
            "Security group rule %s does not exist"),
    ROUTER("router", "routers", "RouterNotFound", "Router %s could not be found"),
    FLOATINGIP("floatingip", "floatingips", "FloatingIPNotFound", "Floating IP %s could not be found"),
    RBAC_POLICY("rbac_policy", "rbac-policies", "RbacPolicyNotFound", "RBAC policy with ID %s not found");

    /** The key of one resource in bodies, and its kind column. */
    public final String singular;
    /** The collection in URLs. */
    public final String path;
    private final String notFoundType;
    private final String notFoundMessage;

    Kind(String singular, String path, String notFoundType, String notFoundMessage) {
        this.singular = singular;
        this.path = path;
        this.notFoundType = notFoundType;
        this.notFoundMessage = notFoundMessage;
    }

    /** The key of a list in bodies: networks, security_groups, rbac_policies, ... */
    public String plural() {
        return singular.equals("rbac_policy") ? "rbac_policies" : singular + "s";
    }

    public NeutronError notFound(String id) {
        return NeutronError.notFound(notFoundType, notFoundMessage, id);
    }

    /** The kinds with standard attributes that take tags. */
    public boolean taggable() {
        return this != SECURITY_GROUP_RULE && this != RBAC_POLICY;
    }
}
