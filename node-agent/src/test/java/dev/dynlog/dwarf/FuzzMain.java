package dev.dynlog.dwarf;

import dev.dynlog.elf.DebugFileLocator;
import dev.dynlog.elf.ElfFile;
import dev.dynlog.elf.Section;
import dev.dynlog.symbols.ResolveException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Mutates real binaries (byte flips in ELF headers, section and program headers and debug sections,
 * large values in DWARF fields, truncation) and runs the reader on each mutant in this JVM, which
 * {@link FuzzTest} starts with a small heap. Every mutant must give a result or a {@link
 * ResolveException} within the time limit; anything else (another exception, an Error such as
 * StackOverflowError or OutOfMemoryError, a hang) is reported and makes the exit status 1.
 *
 * <p>Arguments: seed iterations workDir (binary names...)+ where each binary is {@code
 * path|function,function|type}.
 */
public final class FuzzMain {
  private static final long TIMEOUT_SECONDS = 30;
  private static final DebugFileLocator NO_ROOT =
      new DebugFileLocator(List.of(Path.of("/nonexistent-debug-root")));

  private record Subject(
      Path path,
      byte[] bytes,
      List<long[]> headerRanges,
      List<long[]> debugRanges,
      List<String> functions,
      String type) {}

  public static void main(String[] args) throws Exception {
    long seed = Long.parseLong(args[0]);
    int iterations = Integer.parseInt(args[1]);
    Path work = Path.of(args[2]);
    List<Subject> subjects = new ArrayList<>();
    for (int i = 3; i < args.length; i++) subjects.add(subject(args[i]));
    ExecutorService pool =
        Executors.newCachedThreadPool(
            r -> {
              Thread t = new Thread(r, "fuzz");
              t.setDaemon(true);
              return t;
            });
    int ok = 0;
    int rejected = 0;
    List<String> failures = new ArrayList<>();
    for (int it = 0; it < iterations; it++) {
      Subject s = subjects.get(it % subjects.size());
      Random rnd = new Random(seed * 1_000_003L + it);
      byte[] image = s.bytes().clone();
      String mutation = mutate(rnd, s, image);
      Path mutant = work.resolve("mutant-" + (it % 4));
      if (mutation.startsWith("truncate ")) {
        image = Arrays.copyOf(image, Integer.parseInt(mutation.substring(9)));
      }
      Files.write(mutant, image);
      Future<String> f = pool.submit(() -> exercise(mutant, s));
      try {
        String outcome = f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        if (outcome.equals("ok")) ok++;
        else rejected++;
      } catch (TimeoutException e) {
        f.cancel(true);
        failures.add(
            "iteration "
                + it
                + " ("
                + s.path().getFileName()
                + ", "
                + mutation
                + "): no answer within "
                + TIMEOUT_SECONDS
                + " s");
      } catch (ExecutionException e) {
        Throwable c = e.getCause();
        StringBuilder sb =
            new StringBuilder("iteration " + it + " (" + s.path() + ", " + mutation + "): " + c);
        for (StackTraceElement el : c.getStackTrace()) {
          if (sb.length() > 3000) break;
          sb.append("\n    at ").append(el);
        }
        failures.add(sb.toString());
      }
    }
    failures.forEach(System.out::println);
    System.out.println(
        "fuzz: iterations="
            + iterations
            + " valid="
            + ok
            + " rejected="
            + rejected
            + " failures="
            + failures.size());
    System.out.flush();
    System.exit(failures.isEmpty() ? 0 : 1);
  }

  /**
   * Runs the public API on a mutant; returns "ok" or "rejected: message". Unexpected throwables
   * escape.
   */
  private static String exercise(Path mutant, Subject s) {
    try (DwarfBinary b = DwarfBinary.open(mutant, NO_ROOT)) {
      b.buildId();
      try {
        b.functionNames(null);
        b.type(s.type());
      } catch (IllegalStateException e) {
        if (!(e.getCause() instanceof ResolveException)) throw e;
      }
      for (String fn : s.functions()) {
        for (var f : b.lookup(fn)) {
          b.symbolize(f.lowPc());
          b.fileOffset(f.lowPc());
          b.read(f.lowPc(), 4);
          f.parameters().forEach(v -> v.type().stripped());
        }
      }
      try {
        b.lookup("no_such_function_zz");
      } catch (ResolveException expected) {
        if (expected.getMessage() == null || expected.getMessage().isBlank())
          throw new AssertionError("empty message");
      }
      return "ok";
    } catch (ResolveException e) {
      if (e.getMessage() == null || e.getMessage().isBlank())
        throw new AssertionError("ResolveException without message", e);
      return "rejected: " + e.getMessage();
    }
  }

  private static String mutate(Random rnd, Subject s, byte[] image) {
    int kind = rnd.nextInt(6);
    switch (kind) {
      case 0 -> {
        int n = 1 + rnd.nextInt(4);
        for (int i = 0; i < n; i++) image[rnd.nextInt(64)] ^= (byte) (1 << rnd.nextInt(8));
        return "ELF header flips x" + n;
      }
      case 1 -> {
        long[] r = s.headerRanges().get(rnd.nextInt(s.headerRanges().size()));
        int n = 1 + rnd.nextInt(8);
        for (int i = 0; i < n; i++)
          image[(int) (r[0] + rnd.nextInt((int) r[1]))] = (byte) rnd.nextInt(256);
        return "section/program header bytes x"
            + n
            + " in [0x"
            + Long.toHexString(r[0])
            + ", +"
            + r[1]
            + ")";
      }
      case 2, 3 -> {
        long[] r = s.debugRanges().get(rnd.nextInt(s.debugRanges().size()));
        int n = 1 + rnd.nextInt(32);
        for (int i = 0; i < n; i++)
          image[(int) (r[0] + rnd.nextInt((int) r[1]))] ^= (byte) (1 << rnd.nextInt(8));
        return "debug section flips x"
            + n
            + " in [0x"
            + Long.toHexString(r[0])
            + ", +"
            + r[1]
            + ")";
      }
      case 4 -> {
        long[] r = s.debugRanges().get(rnd.nextInt(s.debugRanges().size()));
        int n = 1 + rnd.nextInt(4);
        long[] big = {0xffffffffL, 0x7fffffffL, 0x80000000L, 0xfffffff0L, 0x10000L};
        for (int i = 0; i < n && r[1] > 4; i++) {
          int at = (int) (r[0] + rnd.nextInt((int) r[1] - 4));
          long v = big[rnd.nextInt(big.length)];
          for (int k = 0; k < 4; k++) image[at + k] = (byte) (v >>> (8 * k));
        }
        return "large 32-bit values x" + n + " in debug section at 0x" + Long.toHexString(r[0]);
      }
      default -> {
        return "truncate " + (64 + rnd.nextInt(image.length - 64));
      }
    }
  }

  private static Subject subject(String spec) throws Exception {
    String[] parts = spec.split("\\|");
    Path p = Path.of(parts[0]);
    byte[] bytes = Files.readAllBytes(p);
    List<long[]> headers = new ArrayList<>();
    List<long[]> debug = new ArrayList<>();
    try (ElfFile elf = ElfFile.open(p)) {
      ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
      headers.add(new long[] {b.getLong(40), 64L * Short.toUnsignedInt(b.getShort(60))});
      headers.add(new long[] {b.getLong(32), 56L * Short.toUnsignedInt(b.getShort(56))});
      for (Section s : elf.sections()) {
        if ((s.name().startsWith(".debug_") || s.name().startsWith(".zdebug_")) && s.size() > 8) {
          debug.add(new long[] {s.offset(), s.size()});
        }
      }
    }
    if (debug.isEmpty()) throw new IllegalArgumentException(p + " has no debug sections to mutate");
    return new Subject(p, bytes, headers, debug, List.of(parts[1].split(",")), parts[2]);
  }
}
