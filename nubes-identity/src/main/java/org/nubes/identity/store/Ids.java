package org.nubes.identity.store;

import java.util.HexFormat;
import java.util.UUID;

/** Keystone's ids: a uuid4 as 32 hex digits. */
public final class Ids {
    private Ids() {}

    public static String newId() {
        UUID uuid = UUID.randomUUID();
        return HexFormat.of().toHexDigits(uuid.getMostSignificantBits())
                + HexFormat.of().toHexDigits(uuid.getLeastSignificantBits());
    }
}
