package org.nubes.objectstore.ring;

import java.nio.file.Path;

/** One storage device of the ring: in the all-in-one process, a directory. */
public record Device(int id, int zone, double weight, Path root) {}
