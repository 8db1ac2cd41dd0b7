package dev.dynlog.symbols;

import dev.dynlog.types.Type;
import java.util.List;

/**
 * One function found in a binary's debug information.
 *
 * @param name qualified source name: {@code pkg/path.Func}, {@code pkg.(*T).Method}, {@code
 *     ns::Class::method}
 * @param linkageName the mangled/linker name (C++), or null
 * @param language language of its compile unit
 * @param producer DW_AT_producer of its compile unit (e.g. "Go cmd/compile go1.22.5; regabi")
 * @param lowPc entry address (virtual address in the ELF), or 0 when the function has no code
 * @param ranges all address ranges of the function's code, first containing lowPc; GCC ".cold"
 *     parts included
 * @param parameters parameters in declaration order (receiver or {@code this} first), then Go
 *     results
 * @param returnType C/C++ return type, or null for void and for Go (Go results are in parameters)
 * @param inlined true when the compiler inlined this function into callers at least once
 * @param declaration true when only a declaration is present (no code)
 * @param dieOffset offset of the subprogram DIE in .debug_info (for tests and error messages)
 */
public record Function(
    String name,
    String linkageName,
    Language language,
    String producer,
    long lowPc,
    List<Range> ranges,
    List<Variable> parameters,
    Type returnType,
    boolean inlined,
    boolean declaration,
    long dieOffset) {

  /** A half-open address range [low, high). */
  public record Range(long low, long high) {
    public boolean contains(long pc) {
      return pc >= low && pc < high;
    }

    public long size() {
      return high - low;
    }
  }

  public List<Variable> arguments() {
    return parameters.stream().filter(v -> !v.result()).toList();
  }

  public List<Variable> results() {
    return parameters.stream().filter(Variable::result).toList();
  }

  /** True when the producer says Go and the register ABI (Go ≥ 1.17, "regabi") is in use. */
  public boolean goRegisterAbi() {
    return language == Language.GO && producer != null && producer.contains("regabi");
  }
}
