package org.nubes.image.store;

import java.util.List;
import java.util.Map;

/** The attributes of an image its owner may change (core attributes, tags and custom properties). */
public record ImageMeta(
        String name,
        String owner,
        String visibility,
        String diskFormat,
        String containerFormat,
        int minDisk,
        int minRam,
        boolean isProtected,
        boolean hidden,
        List<String> tags,
        Map<String, String> properties) {

    public ImageMeta {
        tags = List.copyOf(tags);
        properties = Map.copyOf(properties);
    }
}
