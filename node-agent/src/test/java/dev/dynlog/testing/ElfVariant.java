package dev.dynlog.testing;

/** Extra builds for the ELF and DWARF reader: other debug-info encodings and layouts. */
public enum ElfVariant {
  /** C++ (g++ -O2) with {@code -gdwarf-4} instead of the default DWARF 5. */
  CPP_DWARF4,
  /** C++ (g++ -O2) with {@code -gz=zlib}: SHF_COMPRESSED debug sections. */
  CPP_COMPRESSED_ZLIB,
  /**
   * C++ (g++ -O2) with legacy {@code .zdebug_*} sections ({@code objcopy
   * --compress-debug-sections=zlib-gnu}).
   */
  CPP_ZDEBUG_GNU,
  /**
   * C++ (g++ -O2) stripped of everything, its debug info in a separate file found by build-id under
   * {@link TargetBinary#debugRoot()}{@code /.build-id/xx/yyyy.debug}; no .gnu_debuglink.
   */
  CPP_BUILD_ID_DEBUG_FILE,
  /**
   * C++ (g++ -O2) built without a build-id and stripped; {@code .gnu_debuglink} names the separate
   * debug file {@link TargetBinary#debugFile()}, which sits next to the binary.
   */
  CPP_DEBUGLINK,
  /** The traced C++ functions in a shared object ({@code -shared -fPIC}), loaded by the target. */
  CPP_SHARED_OBJECT,
  /**
   * Go (newest pinned version, default flags) linked with {@code -ldflags=-compressdwarf=false}.
   */
  GO_UNCOMPRESSED_DWARF
}
