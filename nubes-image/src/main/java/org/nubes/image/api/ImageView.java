package org.nubes.image.api;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import org.nubes.core.json.Json;
import org.nubes.image.store.Image;
import org.nubes.image.store.Member;

/** Images and members as Glance renders them: flat objects, custom properties beside core attributes. */
final class ImageView {
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss'Z'").withZone(ZoneOffset.UTC);

    private ImageView() {}

    static ObjectNode image(Image i) {
        var m = i.meta();
        ObjectNode node = Json.object();
        node.put("status", i.status()).put("name", m.name());
        m.tags().forEach(node.putArray("tags")::add);
        node.put("container_format", m.containerFormat()).put("created_at", time(i.createdAt()))
                .put("disk_format", m.diskFormat()).put("updated_at", time(i.updatedAt()))
                .put("visibility", m.visibility()).put("self", "/v2/images/" + i.id())
                .put("min_disk", m.minDisk()).put("protected", m.isProtected()).put("id", i.id())
                .put("file", "/v2/images/" + i.id() + "/file").put("checksum", i.checksum())
                .put("os_hash_algo", i.hashValue() == null ? null : "sha512").put("os_hash_value", i.hashValue())
                .put("os_hidden", m.hidden()).put("owner", m.owner()).put("size", i.size())
                .put("min_ram", m.minRam()).put("schema", "/v2/schemas/image").putNull("virtual_size");
        m.properties().forEach(node::put);
        return node;
    }

    static ObjectNode member(Member m) {
        return Json.object().put("created_at", time(m.createdAt())).put("image_id", m.imageId())
                .put("member_id", m.memberId()).put("schema", "/v2/schemas/member").put("status", m.status())
                .put("updated_at", time(m.updatedAt()));
    }

    static String time(Instant instant) {
        return TIME.format(instant.truncatedTo(ChronoUnit.SECONDS));
    }
}
