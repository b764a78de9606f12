package org.nubes.compute.driver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.nubes.compute.driver.VirtDriver.Capability;
import org.nubes.compute.driver.VirtDriver.PowerState;

/**
 * What every virt driver promises the compute agent, run against each driver by a subclass: the
 * power states each operation leads to, destroy of a missing server succeeding, and that an
 * operation outside the driver's capabilities fails with the standard "not supported" error.
 */
public abstract class VirtDriverContract {
    private final List<String> spawned = new ArrayList<>();

    /** The driver under test (the same one for every test of a class). */
    protected abstract VirtDriver driver();

    /** A guest the driver can boot, with the given id. */
    protected abstract VirtDriver.Guest guest(String instanceId);

    /** Waits until the server's power state is the one expected (drivers may take a moment). */
    protected void awaitPower(String id, PowerState expected) throws InterruptedException {
        for (int tries = 0; tries < 200 && driver().powerState(id) != expected; tries++) {
            Thread.sleep(50);
        }
        assertThat(driver().powerState(id)).isEqualTo(expected);
    }

    private String spawn() throws DriverException {
        String id = UUID.randomUUID().toString();
        spawned.add(id);
        driver().spawn(guest(id));
        return id;
    }

    @AfterEach
    void destroyAll() throws DriverException {
        for (String id : spawned) {
            driver().destroy(id);
        }
        spawned.clear();
    }

    @Test
    void powerOperationsLeadToNovasPowerStates() throws Exception {
        String id = spawn();
        awaitPower(id, PowerState.RUNNING);
        assertThat(driver().instances()).contains(id);
        if (supports(Capability.POWER)) {
            driver().powerOff(id);
            awaitPower(id, PowerState.SHUTDOWN);
            driver().powerOn(id);
            awaitPower(id, PowerState.RUNNING);
        }
        if (supports(Capability.PAUSE)) {
            driver().pause(id);
            awaitPower(id, PowerState.PAUSED);
            driver().unpause(id);
            awaitPower(id, PowerState.RUNNING);
        }
        if (supports(Capability.SUSPEND)) {
            driver().suspend(id);
            awaitPower(id, PowerState.SUSPENDED);
            driver().resume(id);
            awaitPower(id, PowerState.RUNNING);
        }
        if (supports(Capability.REBOOT)) {
            driver().reboot(id, true);
            awaitPower(id, PowerState.RUNNING);
        }
    }

    @Test
    void destroyRemovesTheServerAndADestroyOfAMissingOneSucceeds() throws Exception {
        String id = spawn();
        driver().destroy(id);
        assertThat(driver().powerState(id)).isEqualTo(PowerState.NOSTATE);
        assertThat(driver().instances()).doesNotContain(id);
        assertThatCode(() -> driver().destroy(id)).doesNotThrowAnyException();
        assertThatCode(() -> driver().destroy(UUID.randomUUID().toString())).doesNotThrowAnyException();
    }

    @Test
    void snapshotsAndConsolesGiveData() throws Exception {
        String id = spawn();
        awaitPower(id, PowerState.RUNNING);
        if (supports(Capability.SNAPSHOT)) {
            AtomicReference<Long> bytes = new AtomicReference<>();
            driver().snapshot(id, data -> {
                try (InputStream in = data.get()) {
                    bytes.set(in.transferTo(new ByteArrayOutputStream()));
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            assertThat(bytes.get()).isPositive();
        }
        if (supports(Capability.CONSOLE)) {
            assertThat(driver().consoleOutput(id, -1)).isNotNull();
        }
    }

    @Test
    void anOperationOutsideTheCapabilitiesIsNotSupported() throws Exception {
        String id = spawn();
        for (Capability missing : java.util.EnumSet.complementOf(driver().capabilities())) {
            assertThatCode(() -> call(missing, id)).isInstanceOf(DriverException.NotSupported.class);
        }
    }

    private boolean supports(Capability capability) {
        return driver().capabilities().contains(capability);
    }

    private void call(Capability capability, String id) throws DriverException {
        switch (capability) {
            case POWER -> driver().powerOff(id);
            case REBOOT -> driver().reboot(id, false);
            case PAUSE -> driver().pause(id);
            case SUSPEND -> driver().suspend(id);
            case SNAPSHOT -> driver().snapshot(id, data -> { });
            case CONSOLE -> driver().consoleOutput(id, 10);
            case RESIZE -> driver().resize(id, new VirtDriver.Limits(1, 64, 1));
            case DIAGNOSTICS -> driver().diagnostics(id);
        }
    }
}
