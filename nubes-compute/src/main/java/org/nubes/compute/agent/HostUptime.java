package org.nubes.compute.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;

/** The host's uptime line as `uptime` prints it (what os-hypervisors/{id}/uptime shows), from /proc. */
final class HostUptime {
    private HostUptime() {}

    static String line() {
        try {
            long seconds = (long) Double.parseDouble(Files.readString(Path.of("/proc/uptime")).split("\\s+")[0]);
            String[] load = Files.readString(Path.of("/proc/loadavg")).split("\\s+");
            long days = seconds / 86_400;
            long hours = seconds % 86_400 / 3600;
            long minutes = seconds % 3600 / 60;
            String up = (days > 0 ? days + (days == 1 ? " day, " : " days, ") : "")
                    + (hours > 0 ? "%2d:%02d".formatted(hours, minutes) : minutes + " min");
            return " %s up %s,  0 users,  load average: %s, %s, %s".formatted(
                    LocalTime.now().format(DateTimeFormatter.ofPattern("HH:mm:ss")), up, load[0], load[1], load[2]);
        } catch (IOException | RuntimeException e) {
            return "";
        }
    }
}
