package org.nubes.image;

import java.nio.file.Path;
import java.util.Map;

/**
 * Identity and image on random ports in a JVM of their own, for {@link LargeImageMemoryTest}: the
 * image store is the directory given as the only argument. Prints the image API's URL and a
 * member's token as "url=..." and "token=..." lines, then serves until its standard input closes,
 * and cleans up on the way out.
 */
public final class LargeImageServer {
    private LargeImageServer() {}

    public static void main(String[] args) throws Exception {
        Path store = Path.of(args[0]);
        try (ImageTestServer server = new ImageTestServer(Map.of("image.store_dir", store.toString()))) {
            ImageTestServer.Project project = server.project("large", "member");
            System.out.println("url=" + server.url());
            System.out.println("token=" + project.client().token());
            System.out.flush();
            while (System.in.read() >= 0) {
                // Nothing is sent; end of input is the signal to stop.
            }
        }
    }
}
