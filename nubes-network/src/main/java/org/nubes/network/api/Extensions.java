package org.nubes.network.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Optional;
import org.nubes.core.json.Json;

/** The API extensions Nubes honours, by Neutron's aliases; clients decide what to send by them. */
final class Extensions {
    record Extension(String alias, String name, String description) {
        ObjectNode json() {
            ObjectNode json = Json.object().put("name", name).put("alias", alias).put("description", description)
                    .put("updated", "2013-01-01T10:00:00-00:00");
            json.putArray("links");
            return json;
        }
    }

    static final List<Extension> ALL = List.of(
            new Extension("allowed-address-pairs", "Allowed Address Pairs", "Provides allowed address pairs"),
            new Extension("auto-allocated-topology", "Auto Allocated Topology Services", "Auto Allocated Topology Services."),
            new Extension("binding", "Port Binding", "Expose port bindings of a virtual port to external application"),
            new Extension("external-net", "Neutron external network", "Adds external network attribute to network resource."),
            new Extension("ext-gw-mode", "Neutron L3 Configurable external gateway mode",
                    "Extension of the router abstraction for specifying whether SNAT should occur on the external gateway"),
            new Extension("extraroute", "Neutron Extra Route", "Extra routes configuration for L3 router"),
            new Extension("net-mtu", "Network MTU", "Provides MTU attribute for a network resource."),
            new Extension("pagination", "Pagination support", "Extension that indicates that pagination is enabled."),
            new Extension("port-security", "Port Security", "Provides port security"),
            new Extension("project-id", "project_id field enabled", "Extension that indicates that project_id field is enabled."),
            new Extension("quotas", "Quota management support", "Expose functions for quotas management per project"),
            new Extension("quota_details", "Quota details management support", "Expose functions for quotas usage statistics per project"),
            new Extension("rbac-policies", "RBAC Policies", "Allows creation and modification of policies that control tenant access to resources."),
            new Extension("router", "Neutron L3 Router", "Router abstraction for basic L3 forwarding between L2 Neutron networks and access to external networks via a NAT gateway."),
            new Extension("security-group", "security-group", "The security groups extension."),
            new Extension("sorting", "Sorting support", "Extension that indicates that sorting is enabled."),
            new Extension("standard-attr-description", "standard-attr-description", "Extension to add descriptions to standard attributes"),
            new Extension("standard-attr-revisions", "Resource revision numbers", "This extension will display the revision number of neutron resources."),
            new Extension("standard-attr-tag", "Tag support for resources with standard attribute: subnet, trunk, network_segment_range, router, network, policy, subnetpool, port, security_group, floatingip",
                    "Enables to set tag on resources with standard attribute."),
            new Extension("standard-attr-timestamp", "Resource timestamps", "Adds created_at and updated_at fields to all Neutron resources that have Neutron standard attributes."));

    private Extensions() {}

    static Optional<Extension> find(String alias) {
        return ALL.stream().filter(e -> e.alias().equals(alias)).findFirst();
    }
}
