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
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.SqlStatement;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.nubes.core.json.Json;

/**
 * The images and image_members tables. Status changes are conditional updates ("from this status
 * to that one"), so that of two requests racing for one image exactly one wins.
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

    /** Records the stored data and makes the image active, if it is still in status from. */
    public boolean activate(String id, String from, long size, String md5, String sha512, Instant now) {
        return jdbi.withHandle(h -> h.createUpdate("""
                        UPDATE images SET status = 'active', size = :size, checksum = :md5, os_hash_value = :sha,
                          updated_at = :now WHERE id = :id AND status = :from""")
                .bind("id", id).bind("from", from).bind("size", size).bind("md5", md5).bind("sha", sha512)
                .bind("now", timestamp(now)).execute()) == 1;
    }

    /** Records the size of staged data (Glance shows it while the image is uploading). */
    public void setSize(String id, Long size) {
        jdbi.useHandle(h -> h.createUpdate("UPDATE images SET size = :size WHERE id = :id")
                .bind("id", id).bind("size", size).execute());
    }

    public void delete(String id) {
        jdbi.useHandle(h -> h.createUpdate("DELETE FROM images WHERE id = :id").bind("id", id).execute());
    }

    public long countOwned(String owner) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM images WHERE owner = :o")
                .bind("o", owner).mapTo(Long.class).one());
    }

    /** Bytes of data the owner's images hold, staged data included. */
    public long bytesOwned(String owner) {
        return jdbi.withHandle(h -> h.createQuery("SELECT COALESCE(SUM(size), 0) FROM images WHERE owner = :o")
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
