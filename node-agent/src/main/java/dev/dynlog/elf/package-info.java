/**
 * ELF64 x86-64 reading for dynlog: {@link dev.dynlog.elf.ElfFile} maps a file and parses section
 * and program headers (virtual address → file offset through PT_LOAD, as uprobes need), symbols,
 * the GNU build-id and {@code .gnu_debuglink}; compressed debug sections ({@code SHF_COMPRESSED}
 * zlib and legacy {@code .zdebug_*}) are inflated on demand into buffers that grow with the data;
 * {@link dev.dynlog.elf.DebugFileLocator} finds and verifies separate debug files. Every offset and
 * count read from a file is checked against the file size, so corrupt input raises an {@link
 * dev.dynlog.elf.ElfFormatException} naming the file and the field.
 *
 * <p>May use: no other dynlog package (the JDK only).
 */
package dev.dynlog.elf;
