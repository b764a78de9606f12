package org.nubes.image.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.javalin.http.Context;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.nubes.core.auth.Access;
import org.nubes.core.http.ApiException;
import org.nubes.core.http.Http;
import org.nubes.core.http.Routes;
import org.nubes.core.json.Json;
import org.nubes.image.ImageConfig;
import org.nubes.image.service.Caller;
import org.nubes.image.service.ImageData;
import org.nubes.image.service.ImageQuery;
import org.nubes.image.service.Images;
import org.nubes.image.service.Members;
import org.nubes.image.store.Image;
import org.nubes.image.store.Member;

/** Every route of the image API: parse, call the service, render Glance's JSON. */
public final class ImageApi {
    static final String PATCH_TYPE = "application/openstack-images-v2.1-json-patch";
    private static final List<String> PATCH_TYPES = List.of(PATCH_TYPE, "application/openstack-images-v2.0-json-patch");
    private static final int COPY_BUFFER = 1 << 20;

    private final ImageConfig config;
    private final Images images;
    private final ImageData data;
    private final Members members;

    public ImageApi(ImageConfig config, Images images, ImageData data, Members members) {
        this.config = config;
        this.images = images;
        this.data = data;
        this.members = members;
    }

    public void register(Routes routes) {
        routes.getAndHead("/", Access.PUBLIC, this::versions);
        routes.getAndHead("/versions", Access.PUBLIC, this::versions);

        routes.get("/v2/images", Access.rule("get_images"), this::list);
        routes.post("/v2/images", Access.rule("add_image"), this::create);
        routes.get("/v2/images/{image_id}", Access.rule("get_image"), this::show);
        routes.patch("/v2/images/{image_id}", Access.rule("modify_image"), this::update);
        routes.delete("/v2/images/{image_id}", Access.rule("delete_image"), this::delete);
        routes.put("/v2/images/{image_id}/file", Access.rule("upload_image"), this::upload);
        routes.get("/v2/images/{image_id}/file", Access.rule("download_image"), this::download);
        routes.put("/v2/images/{image_id}/stage", Access.rule("upload_image"), this::stage);
        routes.post("/v2/images/{image_id}/import", Access.rule("modify_image"), this::importImage);
        routes.post("/v2/images/{image_id}/actions/deactivate", Access.rule("deactivate"),
                ctx -> { images.deactivate(caller(ctx), id(ctx)); Http.noContent(ctx); });
        routes.post("/v2/images/{image_id}/actions/reactivate", Access.rule("reactivate"),
                ctx -> { images.reactivate(caller(ctx), id(ctx)); Http.noContent(ctx); });
        routes.put("/v2/images/{image_id}/tags/{tag}", Access.rule("modify_image"),
                ctx -> { images.addTag(caller(ctx), id(ctx), ctx.pathParam("tag")); Http.noContent(ctx); });
        routes.delete("/v2/images/{image_id}/tags/{tag}", Access.rule("modify_image"),
                ctx -> { images.deleteTag(caller(ctx), id(ctx), ctx.pathParam("tag")); Http.noContent(ctx); });

        routes.get("/v2/images/{image_id}/members", Access.rule("get_members"), this::listMembers);
        routes.post("/v2/images/{image_id}/members", Access.rule("add_member"), this::addMember);
        routes.get("/v2/images/{image_id}/members/{member_id}", Access.rule("get_member"),
                ctx -> Http.json(ctx, ImageView.member(members.show(caller(ctx), id(ctx), ctx.pathParam("member_id")))));
        routes.put("/v2/images/{image_id}/members/{member_id}", Access.rule("modify_member"), this::updateMember);
        routes.delete("/v2/images/{image_id}/members/{member_id}", Access.rule("delete_member"),
                ctx -> { members.remove(caller(ctx), id(ctx), ctx.pathParam("member_id")); Http.noContent(ctx); });

        routes.get("/v2/schemas/image", Access.rule("get_schemas"), ctx -> Http.json(ctx, Schemas.image(config)));
        routes.get("/v2/schemas/images", Access.rule("get_schemas"), ctx -> Http.json(ctx, Schemas.images(config)));
        routes.get("/v2/schemas/member", Access.rule("get_schemas"), ctx -> Http.json(ctx, Schemas.member()));
        routes.get("/v2/schemas/members", Access.rule("get_schemas"), ctx -> Http.json(ctx, Schemas.members()));
        routes.get("/v2/info/import", Access.rule("get_info"), this::importInfo);
        routes.get("/v2/info/stores", Access.rule("get_info"), this::storesInfo);
        routes.get("/v2/info/usage", Access.rule("get_info"), this::usageInfo);
    }

    /** Glance answers its version list with 300 at the root and 200 at /versions. */
    private void versions(Context ctx) {
        String base = Http.baseUrl(ctx);
        ObjectNode body = Json.object();
        var list = body.putArray("versions");
        String[][] versions = {{"v2.16", "CURRENT"}, {"v2.15", "SUPPORTED"}, {"v2.9", "SUPPORTED"}, {"v2.0", "SUPPORTED"}};
        for (String[] v : versions) {
            ObjectNode version = list.addObject().put("id", v[0]).put("status", v[1]);
            version.putArray("links").addObject().put("rel", "self").put("href", base + "/v2/");
        }
        Http.json(ctx, ctx.path().equals("/") ? 300 : 200, body);
    }

    private static Caller caller(Context ctx) {
        return new Caller(Http.caller(ctx), (rule, target) -> Http.enforce(ctx, rule, target));
    }

    private static String id(Context ctx) {
        return ctx.pathParam("image_id");
    }

    private void list(Context ctx) {
        Map<String, List<String>> params = ctx.queryParamMap();
        Images.Page page = images.list(caller(ctx), ImageQuery.parse(params));
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("images");
        page.images().forEach(i -> list.add(ImageView.image(i)));
        String query = query(params, null);
        body.put("first", "/v2/images" + (query.isEmpty() ? "" : "?" + query));
        body.put("schema", "/v2/schemas/images");
        if (page.more()) {
            body.put("next", "/v2/images?" + query(params, page.images().getLast().id()));
        }
        Http.json(ctx, body);
    }

    /** The request's query without its marker, and with the given one (if any) at the end. */
    private static String query(Map<String, List<String>> params, String marker) {
        List<String> parts = new ArrayList<>();
        params.forEach((k, values) -> {
            if (!k.equals("marker")) {
                values.forEach(v -> parts.add(encode(k) + "=" + encode(v)));
            }
        });
        if (marker != null) {
            parts.add("marker=" + encode(marker));
        }
        return String.join("&", parts);
    }

    private static String encode(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private void create(Context ctx) {
        Image image = images.create(caller(ctx), Http.jsonBody(ctx));
        ctx.header("Location", Http.baseUrl(ctx) + "/v2/images/" + image.id());
        ctx.header("OpenStack-image-import-methods", String.join(",", ImageData.IMPORT_METHODS));
        Http.json(ctx, 201, ImageView.image(image));
    }

    private void show(Context ctx) {
        Http.json(ctx, ImageView.image(images.show(caller(ctx), id(ctx))));
    }

    private void update(Context ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].strip();
        if (!PATCH_TYPES.contains(type)) {
            ctx.header("Accept-Patch", String.join(", ", PATCH_TYPES));
            throw new ApiException(ApiException.Kind.UNSUPPORTED_MEDIA_TYPE,
                    "Unsupported Content-Type '%s': a patch is sent as %s.".formatted(type, PATCH_TYPE));
        }
        JsonNode operations;
        try {
            operations = Json.MAPPER.readTree(ctx.bodyAsBytes());
        } catch (IOException e) {
            throw ApiException.badRequest("Malformed request body: it is not valid JSON.");
        }
        Http.json(ctx, ImageView.image(images.update(caller(ctx), id(ctx), operations)));
    }

    private void delete(Context ctx) {
        images.delete(caller(ctx), id(ctx));
        Http.noContent(ctx);
    }

    /**
     * The request body goes straight from the socket to the store, never whole into memory. Its
     * Content-Length (-1 when chunked) lets a quota or size failure answer before any data is read.
     */
    private void upload(Context ctx) throws IOException {
        requireOctetStream(ctx);
        data.upload(caller(ctx), id(ctx), ctx.req().getInputStream(), ctx.req().getContentLengthLong());
        Http.noContent(ctx);
    }

    private void stage(Context ctx) throws IOException {
        requireOctetStream(ctx);
        data.stage(caller(ctx), id(ctx), ctx.req().getInputStream(), ctx.req().getContentLengthLong());
        Http.noContent(ctx);
    }

    private static void requireOctetStream(Context ctx) {
        String type = ctx.contentType() == null ? "" : ctx.contentType().split(";")[0].strip();
        if (!type.equals("application/octet-stream")) {
            throw new ApiException(ApiException.Kind.UNSUPPORTED_MEDIA_TYPE,
                    "Unsupported Content-Type '%s': image data is sent as application/octet-stream.".formatted(type));
        }
    }

    private void importImage(Context ctx) {
        JsonNode method = Http.jsonBody(ctx).path("method");
        if (!method.path("name").isTextual()) {
            throw ApiException.badRequest("Import request requires a 'method' with a 'name'.");
        }
        data.importImage(caller(ctx), id(ctx), method.path("name").asText());
        ctx.status(202);
    }

    /**
     * Streams the data to the client, straight from the store to the socket. A single byte range
     * (Range: bytes=a-b, a-, or -n) answers 206, one that misses the data 416.
     */
    private void download(Context ctx) throws IOException {
        Image image = data.readable(caller(ctx), id(ctx));
        if (image == null) {
            Http.noContent(ctx);
            return;
        }
        long size = image.size();
        ByteRange range = ByteRange.parse(ctx.header("Range"), size);
        if (range == ByteRange.UNSATISFIABLE) {
            ctx.header("Content-Range", "bytes */" + size);
            throw new ApiException(ApiException.Kind.RANGE_NOT_SATISFIABLE,
                    "The requested range is outside the image's %d bytes.".formatted(size));
        }
        var res = ctx.res();
        res.setContentType("application/octet-stream");
        if (range == null) {
            res.setStatus(200);
            res.setHeader("Content-MD5", image.checksum());
            range = new ByteRange(0, size - 1);
        } else {
            res.setStatus(206);
            res.setHeader("Content-Range", "bytes %d-%d/%d".formatted(range.first(), range.last(), size));
        }
        long length = range.last() - range.first() + 1;
        res.setHeader("Content-Length", Long.toString(length));
        if (length == 0) {
            return;
        }
        try (InputStream in = data.open(image, range.first(), length)) {
            OutputStream out = res.getOutputStream();
            byte[] buffer = new byte[COPY_BUFFER];
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
            }
            out.flush();
        }
    }

    /** One byte range of a Range header, first and last byte included. */
    record ByteRange(long first, long last) {
        static final ByteRange UNSATISFIABLE = new ByteRange(-1, -1);

        /** The range asked for; null for the whole data (no header, or one this server ignores). */
        static ByteRange parse(String header, long size) {
            if (header == null || !header.strip().startsWith("bytes=") || header.contains(",")) {
                return null;  // absent, or several ranges: RFC 9110 lets a server send everything
            }
            String[] ends = header.strip().substring(6).split("-", -1);
            try {
                if (ends.length != 2 || (ends[0].isBlank() && ends[1].isBlank())) {
                    return null;
                }
                if (ends[0].isBlank()) {
                    long suffix = Long.parseLong(ends[1].strip());
                    return suffix <= 0 || size == 0 ? UNSATISFIABLE : new ByteRange(Math.max(0, size - suffix), size - 1);
                }
                long first = Long.parseLong(ends[0].strip());
                long last = ends[1].isBlank() ? size - 1 : Long.parseLong(ends[1].strip());
                if (last < first) {
                    return null;  // syntactically invalid: ignored
                }
                return first >= size ? UNSATISFIABLE : new ByteRange(first, Math.min(last, size - 1));
            } catch (NumberFormatException e) {
                return null;
            }
        }
    }

    private void listMembers(Context ctx) {
        ObjectNode body = Json.object();
        ArrayNode list = body.putArray("members");
        for (Member m : members.list(caller(ctx), id(ctx))) {
            list.add(ImageView.member(m));
        }
        body.put("schema", "/v2/schemas/members");
        Http.json(ctx, body);
    }

    private void addMember(Context ctx) {
        JsonNode member = Http.jsonBody(ctx).get("member");
        if (member == null || !member.isTextual()) {
            throw ApiException.badRequest("Member to be added not specified");
        }
        Http.json(ctx, ImageView.member(members.add(caller(ctx), id(ctx), member.asText())));
    }

    private void updateMember(Context ctx) {
        JsonNode status = Http.jsonBody(ctx).get("status");
        if (status == null || !status.isTextual()) {
            throw ApiException.badRequest("Status not specified");
        }
        Http.json(ctx, ImageView.member(members.setStatus(caller(ctx), id(ctx), ctx.pathParam("member_id"), status.asText())));
    }

    private void importInfo(Context ctx) {
        ObjectNode body = Json.object();
        ObjectNode methods = body.putObject("import-methods");
        methods.put("description", "Import methods this cloud offers.").put("type", "array");
        ImageData.IMPORT_METHODS.forEach(methods.putArray("value")::add);
        Http.json(ctx, body);
    }

    /** Glance's usage: sizes in MiB, rounded up; -1 is no limit. */
    private void usageInfo(Context ctx) {
        var usage = images.usage(caller(ctx));
        long quotaBytes = config.quotaBytes();
        ObjectNode body = Json.object();
        ObjectNode u = body.putObject("usage");
        u.putObject("image_size_total").put("limit", quotaBytes < 0 ? -1 : quotaBytes / MIB).put("usage", mib(usage.bytes()));
        u.putObject("image_count_total").put("limit", config.quotaImages()).put("usage", usage.images());
        u.putObject("image_stage_total").put("limit", quotaBytes < 0 ? -1 : quotaBytes / MIB).put("usage", mib(usage.stagedBytes()));
        u.putObject("image_count_uploading").put("limit", -1).put("usage", usage.uploading());
        Http.json(ctx, body);
    }

    private static final long MIB = 1024 * 1024;

    private static long mib(long bytes) {
        return (bytes + MIB - 1) / MIB;
    }

    private void storesInfo(Context ctx) {
        ObjectNode body = Json.object();
        body.putArray("stores").addObject().put("id", "file")
                .put("description", "Image data on the local file system").put("default", "true");
        Http.json(ctx, body);
    }
}
