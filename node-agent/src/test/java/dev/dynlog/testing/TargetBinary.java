package dev.dynlog.testing;

import java.nio.file.Path;
import java.util.Optional;

/**
 * A built target: the executable, plus the extra files some {@link ElfVariant}s produce.
 *
 * @param binary the executable to run (prints ground truth)
 * @param debugFile the separate debug file, for the stripped variants
 * @param debugRoot the directory to use instead of {@code /usr/lib/debug} (holds {@code
 *     .build-id/})
 * @param library the shared object holding the traced functions, for {@link
 *     ElfVariant#CPP_SHARED_OBJECT}
 */
public record TargetBinary(
    Path binary, Optional<Path> debugFile, Optional<Path> debugRoot, Optional<Path> library) {
  static TargetBinary of(Path binary) {
    return new TargetBinary(binary, Optional.empty(), Optional.empty(), Optional.empty());
  }
}
