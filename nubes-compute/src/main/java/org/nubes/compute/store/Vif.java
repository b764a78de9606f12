package org.nubes.compute.store;

import java.util.List;
import java.util.Map;

/**
 * One network interface of a server: a port of the networking service as the compute service
 * keeps it (Nova's network info cache), which the server's addresses show. createdHere: the port
 * was made for the server (deleted with it), not given by the user (then only unbound).
 */
public record Vif(String portId, String networkId, String networkName, String macAddress, List<FixedIp> fixedIps,
        boolean createdHere, String vifType, Map<String, String> vifDetails, List<SecurityGroup> securityGroups,
        List<String> floatingIps) {

    public Vif {
        fixedIps = List.copyOf(fixedIps);
        vifDetails = vifDetails == null ? Map.of() : Map.copyOf(vifDetails);
        securityGroups = securityGroups == null ? List.of() : List.copyOf(securityGroups);
        floatingIps = floatingIps == null ? List.of() : List.copyOf(floatingIps);
    }

    public Vif withSecurityGroups(List<SecurityGroup> groups) {
        return new Vif(portId, networkId, networkName, macAddress, fixedIps, createdHere, vifType, vifDetails, groups, floatingIps);
    }

    public Vif withFloatingIps(List<String> addresses) {
        return new Vif(portId, networkId, networkName, macAddress, fixedIps, createdHere, vifType, vifDetails, securityGroups,
                addresses);
    }

    /** A security group of the port, by id and by the name the server shows. */
    public record SecurityGroup(String id, String name) {}

    /** One address of the port on one of its subnets. */
    public record FixedIp(String address, String subnetId, int version) {}
}
