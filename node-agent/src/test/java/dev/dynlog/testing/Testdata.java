package dev.dynlog.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The checked-in fixture binaries of the quick test tier ({@code src/test/resources/testdata}, see
 * its README and {@code build.sh}) and the oracles' output stored with each: {@code
 * NAME.readelf.txt}, {@code NAME.dwarfdump.txt}, {@code NAME.objdump.txt}. Reading them needs no
 * tool and no compiler.
 *
 * @param name the binary's file name, e.g. {@code c-O2}
 */
public record Testdata(String name) {
  /** C program {@code src/cprog.c}, gcc 12 {@code -g -O0}. */
  public static final Testdata C_O0 = new Testdata("c-O0");

  /** C program {@code src/cprog.c}, gcc 12 {@code -g -O2}. */
  public static final Testdata C_O2 = new Testdata("c-O2");

  /** C program {@code src/cprog.c}, gcc 12 {@code -g -O2 -gz=zlib} (SHF_COMPRESSED DWARF). */
  public static final Testdata C_O2_ZLIB = new Testdata("c-O2-zlib");

  /** C++ program {@code src/cppprog.cpp}, g++ 12 {@code -g -O2}. */
  public static final Testdata CPP_O2 = new Testdata("cpp-O2");

  /** Go program {@code src/go}, go1.26.8 default flags (optimised; zlib-compressed DWARF 5). */
  public static final Testdata GO = new Testdata("go-fixture");

  /** Every fixture binary. */
  public static List<Testdata> all() {
    return List.of(C_O0, C_O2, C_O2_ZLIB, CPP_O2, GO);
  }

  /** The C and C++ fixtures. */
  public static List<Testdata> systemV() {
    return List.of(C_O0, C_O2, C_O2_ZLIB, CPP_O2);
  }

  /** The binary. */
  public Path binary() {
    return file(name);
  }

  /** Stored {@code readelf -W -h -l -S -s -n} of the binary, as text. */
  public String readelf() {
    try {
      return Files.readString(file(name + ".readelf.txt"), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Stored {@code llvm-dwarfdump-14 --debug-info} of the binary (for Go: the main unit and chosen
   * types).
   */
  public Path dwarfdump() {
    return file(name + ".dwarfdump.txt");
  }

  /**
   * Stored {@code objdump -d -z --insn-width=16} of the binary (for Go: main.* and assembly
   * functions).
   */
  public Path objdump() {
    return file(name + ".objdump.txt");
  }

  /** True for the Go fixture. */
  public boolean go() {
    return name.startsWith("go");
  }

  @Override
  public String toString() {
    return name;
  }

  private static Path file(String fileName) {
    URL url = Testdata.class.getResource("/testdata/" + fileName);
    if (url == null) {
      throw new AssertionError(
          "test resource testdata/"
              + fileName
              + " is missing; node-agent/src/test/resources/"
              + "testdata/build.sh makes it");
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new AssertionError(url + " is not a file", e);
    }
  }
}
