package dev.dynlog.elf;

/** Contents of {@code .gnu_debuglink}: the debug file's name and the CRC-32 of its contents. */
public record DebugLink(String fileName, int crc) {}
