package org.nubes.compute.driver;

import java.io.InputStream;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What a compute host needs from a hypervisor. Servers are named by their instance id; runtime
 * ids (container ids, process ids) never leave the driver. Every method may be called again for
 * the same server after a failure or a restart: spawn cleans up after itself when it fails;
 * destroy of a missing server succeeds. An operation outside {@link #capabilities()} throws
 * {@link DriverException.NotSupported}.
 */
public interface VirtDriver {
    enum Capability { POWER, REBOOT, PAUSE, SUSPEND, SNAPSHOT, CONSOLE, RESIZE, DIAGNOSTICS }

    /** Nova's power_state values. */
    enum PowerState {
        NOSTATE(0), RUNNING(1), PAUSED(3), SHUTDOWN(4), CRASHED(6), SUSPENDED(7);

        public final int code;

        PowerState(int code) {
            this.code = code;
        }
    }

    /** The size a server gets. */
    record Limits(int vcpus, int memoryMb, int rootGb) {}

    /** Everything the driver needs to build a server. */
    record Guest(
            String instanceId,
            String name,
            String hostname,
            Limits limits,
            String imageId,
            Map<String, String> imageProperties,
            Supplier<InputStream> imageData,
            String userData,
            Map<String, String> metadata,
            String publicKey,
            List<String> portIds) {

        public Guest {
            portIds = portIds == null ? List.of() : List.copyOf(portIds);
        }

        /** A guest without network ports. */
        public Guest(String instanceId, String name, String hostname, Limits limits, String imageId,
                Map<String, String> imageProperties, Supplier<InputStream> imageData, String userData,
                Map<String, String> metadata, String publicKey) {
            this(instanceId, name, hostname, limits, imageId, imageProperties, imageData, userData, metadata, publicKey,
                    List.of());
        }
    }

    /**
     * Adds the port to the server's ports (the last of them), connected at once when the server
     * runs, else when it starts. A driver whose servers have no network interfaces keeps nothing.
     */
    default void attachInterface(String instanceId, String portId) throws DriverException {}

    /** Takes the port from the server's ports (the networking service disconnects it). */
    default void detachInterface(String instanceId, String portId) throws DriverException {}

    /**
     * The narrow callback through which a driver has a server's port (by id, in the order of
     * Guest.portIds: eth0, eth1, ...) connected to the server's network namespace: the networking
     * service does that; the driver says where and when (before the server starts, so its
     * interfaces are there at boot).
     */
    @FunctionalInterface
    interface Plugger {
        void plug(String portId, java.nio.file.Path networkNamespace, String device) throws DriverException;
    }

    /** What the host has, as os-hypervisors shows it. */
    record HostInfo(String hypervisorHostname, String hypervisorType, int hypervisorVersion, String hostIp,
            int vcpus, int memoryMb, int diskGb, String cpuInfoJson) {}

    /** Nova's standardised diagnostics (2.48). */
    record Diagnostics(String state, String driver, boolean configDrive, long uptimeSeconds, int cpuCount,
            int memoryMb, Map<String, Object> extra) {}

    /** Where a snapshot's bytes go. */
    @FunctionalInterface
    interface ImageSink {
        void write(Supplier<InputStream> data);
    }

    String name();

    EnumSet<Capability> capabilities();

    HostInfo host();

    void spawn(Guest guest) throws DriverException;

    void destroy(String instanceId) throws DriverException;

    void powerOff(String instanceId) throws DriverException;

    void powerOn(String instanceId) throws DriverException;

    void reboot(String instanceId, boolean hard) throws DriverException;

    void pause(String instanceId) throws DriverException;

    void unpause(String instanceId) throws DriverException;

    void suspend(String instanceId) throws DriverException;

    void resume(String instanceId) throws DriverException;

    /** Changes a server's size in place; the server keeps its power state. */
    void resize(String instanceId, Limits limits) throws DriverException;

    /** Writes the server's disk as an image. */
    void snapshot(String instanceId, ImageSink sink) throws DriverException;

    /** The console log, at most the last maxLines lines (-1: all). */
    String consoleOutput(String instanceId, int maxLines) throws DriverException;

    Diagnostics diagnostics(String instanceId) throws DriverException;

    /** What the hypervisor sees, or NOSTATE when it does not know the server. */
    PowerState powerState(String instanceId);

    /** The servers the hypervisor runs now, for adopting them after a restart. */
    List<String> instances();
}
