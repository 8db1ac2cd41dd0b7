package dev.dynlog.bpf;

import com.sun.jna.Callback;
import com.sun.jna.Library;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/**
 * The part of libbpf 1.x ({@code libbpf.so.1}) dynlog uses, bound through JNA. Pointer-returning
 * functions return null and set errno on failure; int-returning ones return a negative errno.
 */
interface LibBpf extends Library {

  /** libbpf's print callback: {@code int (*)(enum libbpf_print_level, const char *, va_list)}. */
  interface PrintFn extends Callback {
    int invoke(int level, String format, Pointer vaList);
  }

  Pointer libbpf_set_print(PrintFn fn);

  Pointer bpf_object__open_mem(Pointer buf, long size, Pointer opts);

  int bpf_object__load(Pointer obj);

  void bpf_object__close(Pointer obj);

  Pointer bpf_object__find_program_by_name(Pointer obj, String name);

  Pointer bpf_object__find_map_by_name(Pointer obj, String name);

  int bpf_map__fd(Pointer map);

  int bpf_map__max_entries(Pointer map);

  int bpf_program__fd(Pointer prog);

  int bpf_program__set_expected_attach_type(Pointer prog, int type);

  Pointer bpf_program__attach_uprobe_opts(
      Pointer prog, int pid, String binaryPath, long fileOffset, Pointer opts);

  Pointer bpf_program__attach(Pointer prog);

  int bpf_link__destroy(Pointer link);

  int bpf_map_update_elem(int fd, Pointer key, Pointer value, long flags);

  int bpf_map_lookup_elem(int fd, Pointer key, Pointer value);

  int bpf_map_delete_elem(int fd, Pointer key);

  int bpf_map_get_next_key(int fd, Pointer key, Pointer nextKey);

  int bpf_obj_get_info_by_fd(int fd, Pointer info, IntByReference infoLen);

  int bpf_enable_stats(int type);

  int libbpf_num_possible_cpus();
}
