package org.nubes.network.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jdbi.v3.core.Handle;
import org.nubes.core.http.ApiException;
import org.nubes.core.json.Json;
import org.nubes.network.store.ResourceStore;
import org.nubes.network.store.ResourceStore.Row;

/**
 * Security group rules: direction, ethertype, protocol by name or number, a port range that makes
 * sense for the protocol, and a remote that is a prefix or a group, never both. A rule equal to
 * one the group has is refused.
 */
public final class SecurityGroupRules implements Collection {
    private static final Map<String, Integer> PROTOCOLS = Map.ofEntries(
            Map.entry("ah", 51), Map.entry("dccp", 33), Map.entry("egp", 8), Map.entry("esp", 50), Map.entry("gre", 47),
            Map.entry("icmp", 1), Map.entry("icmpv6", 58), Map.entry("igmp", 2), Map.entry("ipip", 4),
            Map.entry("ipv6-encap", 41), Map.entry("ipv6-frag", 44), Map.entry("ipv6-icmp", 58), Map.entry("ipv6-nonxt", 59),
            Map.entry("ipv6-opts", 60), Map.entry("ipv6-route", 43), Map.entry("ospf", 89), Map.entry("pgm", 113),
            Map.entry("rsvp", 46), Map.entry("sctp", 132), Map.entry("tcp", 6), Map.entry("udp", 17),
            Map.entry("udplite", 136), Map.entry("vrrp", 112));
    /** Protocols whose port range is a range of ports. */
    private static final Set<Integer> PORTED = Set.of(6, 17, 33, 132, 136);
    private static final Set<Integer> ICMP = Set.of(1, 58);
    private static final Set<String> CREATE = Set.of("security_group_id", "direction", "ethertype", "protocol",
            "port_range_min", "port_range_max", "remote_ip_prefix", "remote_group_id", "description", "project_id",
            "tenant_id");

    private final Resources resources;
    private final ResourceStore store;
    private final Quotas quotas;
    private final SecurityGroups groups;

    public SecurityGroupRules(Resources resources, Quotas quotas, SecurityGroups groups) {
        this.resources = resources;
        this.store = resources.store();
        this.quotas = quotas;
        this.groups = groups;
    }

    @Override
    public Kind kind() {
        return Kind.SECURITY_GROUP_RULE;
    }

    @Override
    public Row create(Handle h, Caller caller, JsonNode request) {
        Input in = Input.of(request, "security_group_rule", "POST", CREATE);
        Row group = resources.owned(h, caller, Kind.SECURITY_GROUP, in.required("security_group_id"));
        String direction = in.required("direction");
        if (!direction.equals("ingress") && !direction.equals("egress")) {
            throw NeutronError.badAttribute("direction", "'%s' is not in ['ingress', 'egress']", direction);
        }
        String ethertype = in.string("ethertype", "IPv4");
        if (!ethertype.equals("IPv4") && !ethertype.equals("IPv6")) {
            throw NeutronError.badAttribute("ethertype", "'%s' is not in ['IPv4', 'IPv6']", ethertype);
        }
        String protocol = protocol(in);
        Integer number = number(protocol);
        Integer min = port(in, "port_range_min");
        Integer max = port(in, "port_range_max");
        checkRange(number, min, max);
        String prefix = in.string("remote_ip_prefix", null);
        String remoteGroup = in.string("remote_group_id", null);
        if (prefix != null && remoteGroup != null) {
            throw rule("SecurityGroupRemoteGroupAndRemoteIpPrefix", "Only remote_ip_prefix or remote_group_id may be provided.");
        }
        if (prefix != null) {
            prefix = normalizedPrefix(prefix);
            if (!prefix.contains(ethertype.equals("IPv4") ? "." : ":")) {
                throw rule("SecurityGroupRuleParameterConflict",
                        "Conflicting value ethertype %s for CIDR %s".formatted(ethertype, prefix));
            }
        }
        if (remoteGroup != null) {
            resources.get(h, caller, Kind.SECURITY_GROUP, remoteGroup);
        }
        quotas.check(h, group.projectId(), Kind.SECURITY_GROUP_RULE, 1);
        ObjectNode attributes = Json.object()
                .put("security_group_id", group.id())
                .put("direction", direction)
                .put("ethertype", ethertype)
                .put("protocol", protocol)
                .put("port_range_min", min)
                .put("port_range_max", max)
                .put("remote_ip_prefix", prefix)
                .put("remote_group_id", remoteGroup)
                .put("description", in.string("description", ""));
        for (Row existing : store.children(h, "security_group_rule", group.id())) {
            if (same(existing.body(), attributes)) {
                throw NeutronError.conflict("SecurityGroupRuleExists", "Security group rule already exists. Rule id is %s.",
                        existing.id());
            }
        }
        Row rule = resources.insert(h, Kind.SECURITY_GROUP_RULE, group.projectId(), group.id(), attributes);
        groups.revise(h, group.id());
        return rule;
    }

    @Override
    public Row update(Handle h, Caller caller, String id, JsonNode request) {
        throw ApiException.badRequest("Security group rules cannot be updated; delete the rule and create a new one.");
    }

    @Override
    public void delete(Handle h, Caller caller, String id) {
        Row rule = resources.owned(h, caller, Kind.SECURITY_GROUP_RULE, id);
        store.delete(h, rule.id());
        groups.revise(h, rule.parentId());
    }

    /** The protocol as given (a lower-case name, or a number 0-255), or null for any. */
    private static String protocol(Input in) {
        JsonNode value = in.node("protocol");
        if (value == null || value.isNull()) {
            return null;
        }
        String text = value.asText().toLowerCase();
        if (text.isEmpty() || text.equals("any")) {
            return null;
        }
        if (PROTOCOLS.containsKey(text)) {
            return text;
        }
        if (text.matches("\\d{1,3}") && Integer.parseInt(text) <= 255) {
            return String.valueOf(Integer.parseInt(text));
        }
        throw new NeutronError(ApiException.Kind.BAD_REQUEST, "SecurityGroupRuleInvalidProtocol",
                "Security group rule protocol %s not supported. Only protocol values %s and integer representations [0 to 255] are supported."
                        .formatted(text, PROTOCOLS.keySet().stream().sorted().toList()));
    }

    private static Integer port(Input in, String key) {
        JsonNode value = in.node(key);
        if (value == null || value.isNull()) {
            return null;
        }
        int port = in.integer(key, 0);
        if (port < 0 || port > 65535) {
            throw rule("SecurityGroupInvalidPortValue", "Invalid value for port %d.".formatted(port));
        }
        return port;
    }

    private static void checkRange(Integer protocol, Integer min, Integer max) {
        if (min == null && max == null) {
            return;
        }
        if (protocol == null) {
            throw rule("SecurityGroupProtocolRequiredWithPorts", "Must also specify protocol if port range is given.");
        }
        if (PORTED.contains(protocol)) {
            if (min == null || max == null || min == 0 || max == 0 || min > max) {
                throw rule("SecurityGroupInvalidPortRange",
                        "For TCP/UDP protocols, port_range_min must be <= port_range_max");
            }
        } else if (ICMP.contains(protocol)) {
            if ((min != null && min > 255) || (max != null && max > 255)) {
                throw rule("SecurityGroupInvalidIcmpValue", "Invalid value for ICMP type or code: values must be 0-255.");
            }
            if (min == null) {
                throw rule("SecurityGroupMissingIcmpType", "ICMP code (port-range-max) %d is provided but ICMP type (port-range-min) is missing."
                        .formatted(max));
            }
        } else {
            throw rule("SecurityGroupInvalidProtocolForPortRange",
                    "Invalid protocol %d for port range, only supported for TCP, UDP, UDPLITE, SCTP and DCCP.".formatted(protocol));
        }
    }

    private static String normalizedPrefix(String prefix) {
        String text = prefix.contains("/") ? prefix : prefix + (prefix.contains(":") ? "/128" : "/32");
        String[] parts = text.split("/", 2);
        Ip ip = Ip.parse(parts[0]).orElseThrow(() -> NeutronError.badAttribute("remote_ip_prefix", "'%s' is not a valid IP subnet", prefix));
        int length;
        try {
            length = Integer.parseInt(parts[1]);
        } catch (NumberFormatException e) {
            throw NeutronError.badAttribute("remote_ip_prefix", "'%s' is not a valid IP subnet", prefix);
        }
        if (length < 0 || length > Ip.bits(ip.version())) {
            throw NeutronError.badAttribute("remote_ip_prefix", "'%s' is not a valid IP subnet", prefix);
        }
        int host = Ip.bits(ip.version()) - length;
        Ip network = new Ip(ip.version(), ip.value().shiftRight(host).shiftLeft(host));
        return new Cidr(network, length).toString();
    }

    /** Same direction, ethertype, protocol (by number), ports and remote. */
    private static boolean same(ObjectNode a, ObjectNode b) {
        for (String key : new String[] {"direction", "ethertype", "port_range_min", "port_range_max", "remote_ip_prefix",
                "remote_group_id"}) {
            if (!Objects.equals(a.get(key), b.get(key))) {
                return false;
            }
        }
        return Objects.equals(number(a.path("protocol").asText(null)), number(b.path("protocol").asText(null)));
    }

    private static Integer number(String protocol) {
        if (protocol == null) {
            return null;
        }
        return PROTOCOLS.containsKey(protocol) ? PROTOCOLS.get(protocol) : Integer.valueOf(protocol);
    }

    private static NeutronError rule(String type, String message) {
        return new NeutronError(ApiException.Kind.BAD_REQUEST, type, message);
    }
}
