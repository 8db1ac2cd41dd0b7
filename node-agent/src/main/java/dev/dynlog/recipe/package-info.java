/**
 * The probe vocabulary shared by the calling conventions ({@code abi}), the planner ({@code plan})
 * and the kernel side ({@code bpf}): what the one BPF program can be told to read at a probe site.
 * A site's recipe is a list of {@link dev.dynlog.recipe.Read}s; each read assembles a root buffer
 * from {@link dev.dynlog.recipe.Piece}s (the low bytes of a {@link dev.dynlog.recipe.Register} of
 * {@code pt_regs}, or stack bytes at {@code RSP + offset}), optionally follows a bounded chain of
 * (add offset, dereference) steps, copies a number of bytes, and takes them as one of the {@link
 * dev.dynlog.recipe.Read.Kind}s ({@code BYTES}, {@code GO_STRING}, {@code GO_SLICE}, {@code
 * C_STRING}, {@code STD_STRING}).
 *
 * <p>{@link dev.dynlog.recipe.RecipeLimits} is the one set of bounds (probes, reads per site,
 * pieces and dereferences per read, bytes per read, latency buckets) that the planner plans within,
 * {@code bpf.RecipeEncoder} checks and {@code src/main/bpf/dynlog.bpf.c} declares in its {@code
 * enum limits}. The register offsets, read-kind codes and limits are checked against the compiled
 * BPF object's BTF by {@code LayoutTest}.
 *
 * <p>May use: no other dynlog package (the JDK only).
 */
package dev.dynlog.recipe;
