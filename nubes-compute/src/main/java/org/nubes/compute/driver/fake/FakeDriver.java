package org.nubes.compute.driver.fake;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.nubes.compute.driver.DriverException;
import org.nubes.compute.driver.VirtDriver;

/**
 * A hypervisor in memory: servers are records with a power state, a console and a disk of a few
 * bytes. It keeps real accounting of what the host has, so the scheduler sees true capacity, and
 * tests can make the next operation fail with {@link #failNext}.
 */
public final class FakeDriver implements VirtDriver {
    private final HostInfo host;
    private final Map<String, Guest> guests = new ConcurrentHashMap<>();
    private final Map<String, String> failures = new ConcurrentHashMap<>();

    private static final class Guest {
        volatile PowerState state = PowerState.RUNNING;
        volatile Limits limits;
        final String hostname;
        final Instant started = Instant.now();
        final List<String> console = new ArrayList<>();
        byte[] disk;

        Guest(VirtDriver.Guest spec) {
            this.limits = spec.limits();
            this.hostname = spec.hostname();
            this.disk = ("fake disk of " + spec.instanceId() + " from image " + spec.imageId() + "\n")
                    .getBytes(StandardCharsets.UTF_8);
        }

        synchronized void log(String line) {
            console.add(line);
        }
    }

    public FakeDriver(String hostname, int vcpus, int memoryMb, int diskGb) {
        this.host = new HostInfo(hostname, "fake", 1000, "127.0.0.1", vcpus, memoryMb, diskGb,
                "{\"arch\": \"x86_64\", \"model\": \"fake\", \"vendor\": \"nubes\", \"topology\": "
                        + "{\"cells\": 1, \"sockets\": 1, \"cores\": " + vcpus + ", \"threads\": 1}, \"features\": []}");
    }

    /** Makes the next call of the operation (a method name such as "spawn") fail with the message. */
    public void failNext(String operation, String message) {
        failures.put(operation, message);
    }

    /** Simulates a server dying outside the cloud's control. */
    public void crash(String instanceId) {
        Guest guest = guests.get(instanceId);
        if (guest != null) {
            guest.state = PowerState.SHUTDOWN;
            guest.log("[fake] the server was stopped from outside");
        }
    }

    @Override
    public String name() {
        return "fake";
    }

    @Override
    public EnumSet<Capability> capabilities() {
        return EnumSet.allOf(Capability.class);
    }

    @Override
    public HostInfo host() {
        return host;
    }

    @Override
    public void spawn(VirtDriver.Guest spec) throws DriverException {
        injected("spawn");
        Guest guest = new Guest(spec);
        guest.log("[fake] booting " + spec.name() + " from image " + spec.imageId());
        guest.log("[fake] " + spec.limits().vcpus() + " vCPUs, " + spec.limits().memoryMb() + " MiB");
        guest.log(spec.hostname() + " login:");
        guests.put(spec.instanceId(), guest);
    }

    @Override
    public void destroy(String instanceId) throws DriverException {
        injected("destroy");
        guests.remove(instanceId);
    }

    @Override
    public void powerOff(String instanceId) throws DriverException {
        set(instanceId, "powerOff", PowerState.SHUTDOWN, "[fake] power off");
    }

    @Override
    public void powerOn(String instanceId) throws DriverException {
        set(instanceId, "powerOn", PowerState.RUNNING, "[fake] power on");
    }

    @Override
    public void reboot(String instanceId, boolean hard) throws DriverException {
        set(instanceId, "reboot", PowerState.RUNNING, hard ? "[fake] hard reboot" : "[fake] reboot");
    }

    @Override
    public void pause(String instanceId) throws DriverException {
        set(instanceId, "pause", PowerState.PAUSED, "[fake] paused");
    }

    @Override
    public void unpause(String instanceId) throws DriverException {
        set(instanceId, "unpause", PowerState.RUNNING, "[fake] unpaused");
    }

    @Override
    public void suspend(String instanceId) throws DriverException {
        set(instanceId, "suspend", PowerState.SUSPENDED, "[fake] suspended");
    }

    @Override
    public void resume(String instanceId) throws DriverException {
        set(instanceId, "resume", PowerState.RUNNING, "[fake] resumed");
    }

    @Override
    public void resize(String instanceId, Limits limits) throws DriverException {
        injected("resize");
        Guest guest = guest(instanceId);
        guest.limits = limits;
        guest.log("[fake] resized to " + limits.vcpus() + " vCPUs, " + limits.memoryMb() + " MiB");
    }

    @Override
    public void snapshot(String instanceId, ImageSink sink) throws DriverException {
        injected("snapshot");
        byte[] disk = guest(instanceId).disk;
        sink.write(() -> new ByteArrayInputStream(disk));
    }

    @Override
    public String consoleOutput(String instanceId, int maxLines) throws DriverException {
        injected("consoleOutput");
        Guest guest = guest(instanceId);
        synchronized (guest) {
            List<String> lines = guest.console;
            int from = maxLines < 0 ? 0 : Math.max(0, lines.size() - maxLines);
            return lines.subList(from, lines.size()).stream().map(l -> l + "\n").reduce("", String::concat);
        }
    }

    @Override
    public Diagnostics diagnostics(String instanceId) throws DriverException {
        injected("diagnostics");
        Guest guest = guest(instanceId);
        long uptime = Math.max(0, Instant.now().getEpochSecond() - guest.started.getEpochSecond());
        return new Diagnostics(guest.state == PowerState.RUNNING ? "running" : guest.state.name().toLowerCase(java.util.Locale.ROOT),
                "fake", false, uptime, guest.limits.vcpus(), guest.limits.memoryMb(), Map.of());
    }

    @Override
    public PowerState powerState(String instanceId) {
        Guest guest = guests.get(instanceId);
        return guest == null ? PowerState.NOSTATE : guest.state;
    }

    @Override
    public List<String> instances() {
        return List.copyOf(guests.keySet());
    }

    private void set(String instanceId, String operation, PowerState state, String line) throws DriverException {
        injected(operation);
        Guest guest = guest(instanceId);
        guest.state = state;
        guest.log(line);
    }

    private Guest guest(String instanceId) throws DriverException {
        Guest guest = guests.get(instanceId);
        if (guest == null) {
            throw new DriverException("Instance " + instanceId + " could not be found on host " + host.hypervisorHostname() + ".");
        }
        return guest;
    }

    private void injected(String operation) throws DriverException {
        String message = failures.remove(operation);
        if (message != null) {
            throw new DriverException(message);
        }
    }
}
