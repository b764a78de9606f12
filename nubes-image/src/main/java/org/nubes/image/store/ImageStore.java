package org.nubes.image.store;

import com.fasterxml.jackson.core.type.TypeReference;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.nubes.core.json.Json;

/**
 * The images, image_members and image_uploads tables. Status changes are conditional updates
 * ("from this status to that one"), so that of two requests racing for one image exactly one wins.
 */
public final class ImageStore {
    private static final TypeReference<Map<String, String>> PROPERTIES = new TypeReference<>() {};
    private static final TypeReference<List<String>> TAGS = new TypeReference<>() {};

    private final Jdbi jdbi;

    public ImageStore(Jdbi jdbi) {
        this.jdbi = jdbi;
    }

    /** Inserts; false when the id is taken. */
    public boolean create(Image image) {
        try {
            jdbi.useHandle(h -> bindMeta(h.createUpdate("""
                            INSERT INTO images (id, name, owner, status, visibility, disk_format, container_format,
                              min_disk, min_ram, protected, os_hidden, properties, tags, created_at, updated_at)
                            VALUES (:id, :name, :owner, :status, :visibility, :disk_format, :container_format,
                              :min_disk, :min_ram, :protected, :os_hidden, :properties, :tags, :created, :updated)"""),
                    image.meta())
                    .bind("id", image.id()).bind("status", image.status())
                    .bind("created", timestamp(image.createdAt())).bind("updated", timestamp(image.updatedAt()))
                    .execute());
            return true;
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    public Optional<Image> get(String id) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM images WHERE id = :id")
                .bind("id", id).map((rs, c) -> map(rs)).findOne());
    }

    public List<Image> list() {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM images").map((rs, c) -> map(rs)).list());
    }

    /**
     * The images a project could see at all: its own, public and community ones, and shared ones
     * it is a member of. The service narrows this down further by Glance's list rules.
     */
    public List<Image> listVisibleTo(String project) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT * FROM images WHERE owner = :p OR visibility IN ('public', 'community')
                          OR (visibility = 'shared' AND id IN (SELECT image_id FROM image_members WHERE member_id = :p))""")
                .bind("p", project).map((rs, c) -> map(rs)).list());
    }

    /** Writes the owner-settable attributes only, never status or data, which uploads change. */
    public void updateMeta(String id, ImageMeta meta, Instant now) {
        jdbi.useHandle(h -> bindMeta(h.createUpdate("""
                        UPDATE images SET name = :name, owner = :owner, visibility = :visibility,
                          disk_format = :disk_format, container_format = :container_format, min_disk = :min_disk,
                          min_ram = :min_ram, protected = :protected, os_hidden = :os_hidden,
                          properties = :properties, tags = :tags, updated_at = :updated WHERE id = :id"""), meta)
                .bind("id", id).bind("updated", timestamp(now)).execute());
    }

    /** Moves the image from one status to another; false when it was not in the first. */
    public boolean transition(String id, String from, String to, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate(
                        "UPDATE images SET status = :to, updated_at = :now WHERE id = :id AND status = :from")
                .bind("id", id).bind("from", from).bind("to", to).bind("now", timestamp(now)).execute()) == 1;
    }

    /**
     * Records the stored data and makes the image active, if it is still in status from; the
     * upload's quota reservation ends in the same transaction, so that no other upload of the
     * owner ever sees the bytes counted neither as stored nor as reserved.
     */
    public boolean activate(String id, String from, long size, String md5, String sha512, Instant now) {
        return jdbi.inTransaction(h -> {
            int updated = h.createUpdate("""
                            UPDATE images SET status = 'active', size = :size, checksum = :md5, os_hash_value = :sha,
                              updated_at = :now WHERE id = :id AND status = :from""")
                    .bind("id", id).bind("from", from).bind("size", size).bind("md5", md5).bind("sha", sha512)
                    .bind("now", timestamp(now)).execute();
            endReservation(h, id);
            return updated == 1;
        });
    }

    /**
     * Records staged data, if the image is still uploading: its size (Glance shows it while the
     * image is uploading, and it counts against the quota) and its hashes, which the import takes
     * over. The staging's quota reservation ends in the same transaction.
     */
    public boolean staged(String id, long size, String md5, String sha512) {
        return jdbi.inTransaction(h -> {
            int updated = h.createUpdate("""
                            UPDATE images SET size = :size, staged_checksum = :md5, staged_hash_value = :sha
                            WHERE id = :id AND status = 'uploading'""")
                    .bind("id", id).bind("size", size).bind("md5", md5).bind("sha", sha512).execute();
            endReservation(h, id);
            return updated == 1;
        });
    }

    /** uploading -> importing, only once the staged data is complete (its hashes are recorded). */
    public boolean beginImport(String id, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE images SET status = 'importing', updated_at = :now
                        WHERE id = :id AND status = 'uploading' AND staged_hash_value IS NOT NULL""")
                .bind("id", id).bind("now", timestamp(now)).execute()) == 1;
    }

    /** importing -> active with the size and hashes recorded when the data was staged. */
    public boolean activateStaged(String id, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE images SET status = 'active', checksum = staged_checksum, os_hash_value = staged_hash_value,
                          staged_checksum = NULL, staged_hash_value = NULL, updated_at = :now
                        WHERE id = :id AND status = 'importing'""")
                .bind("id", id).bind("now", timestamp(now)).execute()) == 1;
    }

    /**
     * importing -> queued with no size, as Glance reverts a failed import; one statement, so a
     * staging that starts right after cannot have its size cleared. The staged hashes stay with
     * the staged data, which stays too.
     */
    public boolean failImport(String id, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE images SET status = 'queued', size = NULL, updated_at = :now
                        WHERE id = :id AND status = 'importing'""")
                .bind("id", id).bind("now", timestamp(now)).execute()) == 1;
    }

    /**
     * Reserves bytes for the upload (or staging) of an image against its owner's quota: grants up
     * to wanted bytes in all for this upload, at least minimum, and returns the grant; or returns
     * -1 and changes nothing when even minimum does not fit beside what the owner stores and what
     * the owner's other uploads have reserved. Reservations live in the image_uploads table, so
     * the quota holds across API nodes: a reservation locks the owner's image rows, so that the
     * owner's reservations are decided one at a time.
     */
    public long reserve(String id, String owner, long minimum, long wanted, long quota, Instant now) {
        return jdbi.inTransaction(h -> {
            h.createQuery("SELECT id FROM images WHERE owner = :o ORDER BY id FOR UPDATE")
                    .bind("o", owner).mapTo(String.class).list();
            long available = quota - bytesInUse(h, owner, id);
            if (available < minimum) {
                return -1L;
            }
            long granted = Math.min(wanted, available);
            int updated = h.createUpdate("UPDATE image_uploads SET bytes = :b WHERE image_id = :id")
                    .bind("id", id).bind("b", granted).execute();
            if (updated == 0) {
                h.createUpdate("""
                                INSERT INTO image_uploads (image_id, owner, bytes, started_at)
                                VALUES (:id, :o, :b, :now)""")
                        .bind("id", id).bind("o", owner).bind("b", granted).bind("now", timestamp(now)).execute();
            }
            return granted;
        });
    }

    /** Ends the quota reservation of an image's upload; ending none succeeds. */
    public void release(String id) {
        jdbi.useHandle(h -> endReservation(h, id));
    }

    private static void endReservation(Handle h, String id) {
        h.createUpdate("DELETE FROM image_uploads WHERE image_id = :id").bind("id", id).execute();
    }

    /** Bytes the owner's images hold plus what uploads of other images than this one have reserved. */
    public long bytesInUse(String owner, String exceptImage) {
        return jdbi.withHandle(h -> bytesInUse(h, owner, exceptImage));
    }

    /**
     * One statement, so both sums come from one snapshot. The sizes include staged data. Only
     * reservations of images still taking data count: a row that outlived its upload (its node
     * died after the image moved on) must not hold quota that the image's size already counts.
     */
    private static long bytesInUse(Handle h, String owner, String exceptImage) {
        return h.createQuery("""
                        SELECT COALESCE((SELECT SUM(size) FROM images WHERE owner = :o), 0)
                          + COALESCE((SELECT SUM(u.bytes) FROM image_uploads u JOIN images i ON i.id = u.image_id
                                      WHERE u.owner = :o AND u.image_id <> :id AND i.status IN ('saving', 'uploading')), 0)""")
                .bind("o", owner).bind("id", exceptImage).mapTo(Long.class).one();
    }

    public void delete(String id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM images WHERE id = :id").bind("id", id).execute());
    }

    public long countOwned(String owner) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM images WHERE owner = :o")
                .bind("o", owner).mapTo(Long.class).one());
    }

    /** What a project uses: images, bytes, bytes staged, images taking data now. */
    public record Usage(long images, long bytes, long stagedBytes, long uploading) {}

    public Usage usage(String owner) {
        return jdbi.withHandle(h -> h.createQuery("""
                        SELECT COUNT(*) AS images, COALESCE(SUM(size), 0) AS bytes,
                          COALESCE(SUM(CASE WHEN status = 'uploading' THEN size ELSE 0 END), 0) AS staged,
                          COALESCE(SUM(CASE WHEN status IN ('saving', 'uploading', 'importing') THEN 1 ELSE 0 END), 0) AS busy
                        FROM images WHERE owner = :o""")
                .bind("o", owner)
                .map((rs, c) -> new Usage(rs.getLong("images"), rs.getLong("bytes"), rs.getLong("staged"), rs.getLong("busy")))
                .one());
    }

    public boolean addMember(Member m) {
        try {
            jdbi.useHandle(h -> h.createUpdate("""
                            INSERT INTO image_members (image_id, member_id, status, created_at, updated_at)
                            VALUES (:image, :member, :status, :created, :updated)""")
                    .bind("image", m.imageId()).bind("member", m.memberId()).bind("status", m.status())
                    .bind("created", timestamp(m.createdAt())).bind("updated", timestamp(m.updatedAt())).execute());
            return true;
        } catch (UnableToExecuteStatementException e) {
            if (e.getCause() instanceof SQLException sql && "23505".equals(sql.getSQLState())) {
                return false;
            }
            throw e;
        }
    }

    public Optional<Member> member(String imageId, String memberId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM image_members WHERE image_id = :i AND member_id = :m")
                .bind("i", imageId).bind("m", memberId).map((rs, c) -> mapMember(rs)).findOne());
    }

    public List<Member> members(String imageId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT * FROM image_members WHERE image_id = :i ORDER BY created_at, member_id")
                .bind("i", imageId).map((rs, c) -> mapMember(rs)).list());
    }

    /** Image id to member status, for every image shared with the project. */
    public Map<String, String> memberships(String projectId) {
        return jdbi.withHandle(h -> h.createQuery("SELECT image_id, status FROM image_members WHERE member_id = :m")
                .bind("m", projectId)
                .reduceRows(new java.util.HashMap<String, String>(), (map, row) -> {
                    map.put(row.getColumn("image_id", String.class), row.getColumn("status", String.class));
                    return map;
                }));
    }

    public void updateMember(String imageId, String memberId, String status, Instant now) {
        jdbi.useHandle(h -> h.createUpdate(
                        "UPDATE image_members SET status = :s, updated_at = :now WHERE image_id = :i AND member_id = :m")
                .bind("i", imageId).bind("m", memberId).bind("s", status).bind("now", timestamp(now)).execute());
    }

    public void deleteMember(String imageId, String memberId) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM image_members WHERE image_id = :i AND member_id = :m")
                .bind("i", imageId).bind("m", memberId).execute());
    }

    private static <S extends SqlStatement<S>> S bindMeta(S statement, ImageMeta m) {
        return statement.bind("name", m.name()).bind("owner", m.owner()).bind("visibility", m.visibility())
                .bind("disk_format", m.diskFormat()).bind("container_format", m.containerFormat())
                .bind("min_disk", m.minDisk()).bind("min_ram", m.minRam()).bind("protected", m.isProtected())
                .bind("os_hidden", m.hidden()).bind("properties", Json.string(m.properties()))
                .bind("tags", Json.string(m.tags()));
    }

    private static Image map(ResultSet rs) throws SQLException {
        ImageMeta meta = new ImageMeta(rs.getString("name"), rs.getString("owner"), rs.getString("visibility"),
                rs.getString("disk_format"), rs.getString("container_format"), rs.getInt("min_disk"),
                rs.getInt("min_ram"), rs.getBoolean("protected"), rs.getBoolean("os_hidden"),
                read(rs.getString("tags"), TAGS), read(rs.getString("properties"), PROPERTIES));
        Long size = rs.getObject("size", Long.class);
        return new Image(rs.getString("id"), meta, rs.getString("status"), size,
                rs.getString("checksum"), rs.getString("os_hash_value"),
                instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    private static Member mapMember(ResultSet rs) throws SQLException {
        return new Member(rs.getString("image_id"), rs.getString("member_id"), rs.getString("status"),
                instant(rs, "created_at"), instant(rs, "updated_at"));
    }

    private static <T> T read(String json, TypeReference<T> type) {
        try {
            return Json.MAPPER.readValue(json, type);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** TIMESTAMP columns hold UTC wall-clock time whatever the JVM's zone (as the identity stores do). */
    private static Instant instant(ResultSet rs, String column) throws SQLException {
        LocalDateTime utc = rs.getObject(column, LocalDateTime.class);
        return utc == null ? null : utc.toInstant(ZoneOffset.UTC);
    }

    private static Argument timestamp(Instant instant) {
        return (position, statement, context) -> statement.setObject(position,
                LocalDateTime.ofInstant(instant.truncatedTo(ChronoUnit.MICROS), ZoneOffset.UTC), Types.TIMESTAMP);
    }
}
