package org.nubes.compute.driver;

import java.io.ByteArrayInputStream;
import java.util.Map;
import org.nubes.compute.driver.fake.FakeDriver;

/** The fake driver keeps the promises every driver makes. */
class FakeDriverContractTest extends VirtDriverContract {
    private final FakeDriver driver = new FakeDriver("contract-host", 8, 8192, 100);

    @Override
    protected VirtDriver driver() {
        return driver;
    }

    @Override
    protected VirtDriver.Guest guest(String instanceId) {
        return new VirtDriver.Guest(instanceId, "contract", "contract", new VirtDriver.Limits(1, 64, 1), "image",
                Map.of(), () -> new ByteArrayInputStream(new byte[0]), null, Map.of(), null);
    }
}
