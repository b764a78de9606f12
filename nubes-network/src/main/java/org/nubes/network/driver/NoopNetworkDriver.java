package org.nubes.network.driver;

import java.nio.file.Path;
import java.util.List;

/** Wires nothing and keeps nothing: for the fake compute driver and for hosts without privileges. */
public final class NoopNetworkDriver implements NetworkDriver {
    @Override
    public void setGroupMembers(String groupId, List<String> addresses) {}

    @Override
    public void ensureNetwork(NetworkSpec network) {}

    @Override
    public void deleteNetwork(String networkId) {}

    @Override
    public void plugPort(PortSpec port, Path serverNetns, String deviceName) {}

    @Override
    public void unplugPort(String portId) {}

    @Override
    public void applyPortSecurity(PortSecurity security) {}

    @Override
    public void ensureRouter(String routerId) {}

    @Override
    public void deleteRouter(String routerId) {}

    @Override
    public void addRouterInterface(String routerId, PortSpec port) {}

    @Override
    public void removeRouterInterface(String routerId, String portId) {}

    @Override
    public void setRouterGateway(String routerId, PortSpec gatewayPort, boolean enableSnat) {}

    @Override
    public void clearRouterGateway(String routerId) {}

    @Override
    public void setRoutes(String routerId, List<Route> routes) {}

    @Override
    public void associateFloatingIp(String routerId, String floatingIp, String fixedIp) {}

    @Override
    public void disassociateFloatingIp(String routerId, String floatingIp) {}

    @Override
    public void destroyAll() {}

    @Override
    public void close() {}
}
