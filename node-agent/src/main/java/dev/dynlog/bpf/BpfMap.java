package dev.dynlog.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.IntByReference;

/** One map of the loaded BPF object, accessed by file descriptor through the bpf syscall. */
public final class BpfMap {
  private static final long BPF_ANY = 0;

  private final LibBpf lib;
  private final String name;
  private final int fd;
  private final int maxEntries;

  BpfMap(LibBpf lib, String name, int fd, int maxEntries) {
    this.lib = lib;
    this.name = name;
    this.fd = fd;
    this.maxEntries = maxEntries;
  }

  public String name() {
    return name;
  }

  public int fd() {
    return fd;
  }

  public int maxEntries() {
    return maxEntries;
  }

  /** Writes a value (BPF_ANY). */
  public void update(Memory key, Memory value) throws BpfException {
    int rc = lib.bpf_map_update_elem(fd, key, value, BPF_ANY);
    if (rc != 0)
      throw new BpfException("cannot update BPF map " + name + ": " + BpfException.errno(rc));
  }

  /** Reads a value into {@code value}; false when the key is absent. */
  public boolean lookup(Memory key, Memory value) throws BpfException {
    int rc = lib.bpf_map_lookup_elem(fd, key, value);
    if (rc == 0) return true;
    if (-rc == 2) return false; // ENOENT
    throw new BpfException("cannot read BPF map " + name + ": " + BpfException.errno(rc));
  }

  /** Deletes a key; false when it was already gone. */
  public boolean delete(Pointer key) throws BpfException {
    int rc = lib.bpf_map_delete_elem(fd, key);
    if (rc == 0) return true;
    if (-rc == 2) return false;
    throw new BpfException("cannot delete from BPF map " + name + ": " + BpfException.errno(rc));
  }

  /** Next key after {@code key} (null = first) into {@code next}; false at the end. */
  public boolean nextKey(Pointer key, Memory next) throws BpfException {
    int rc = lib.bpf_map_get_next_key(fd, key, next);
    if (rc == 0) return true;
    if (-rc == 2) return false;
    throw new BpfException("cannot iterate BPF map " + name + ": " + BpfException.errno(rc));
  }

  /** The kernel's id of the map (as {@code bpftool map list} shows it). */
  public int id() throws BpfException {
    Memory info = new Memory(128);
    info.clear();
    IntByReference len = new IntByReference(128);
    int rc = lib.bpf_obj_get_info_by_fd(fd, info, len);
    if (rc != 0)
      throw new BpfException("cannot read BPF map info of " + name + ": " + BpfException.errno(rc));
    return info.getInt(4);
  }

  /** A 4-byte key holding an int (array maps). */
  public static Memory intKey(int k) {
    Memory m = new Memory(4);
    m.setInt(0, k);
    return m;
  }
}
