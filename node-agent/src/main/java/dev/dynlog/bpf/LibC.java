package dev.dynlog.bpf;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/** The few libc calls the tracer needs (x86-64 Linux), bound through JNA. */
interface LibC extends Library {

  LibC INSTANCE = Native.load("c", LibC.class);

  int PROT_READ = 1;
  int PROT_WRITE = 2;
  int MAP_SHARED = 1;
  int MAP_POPULATE = 0x8000;
  int EPOLLIN = 1;
  int EPOLL_CTL_ADD = 1;
  int EPOLL_CLOEXEC = 0x80000;

  Pointer mmap(Pointer addr, long length, int prot, int flags, int fd, long offset);

  int munmap(Pointer addr, long length);

  int epoll_create1(int flags);

  int epoll_ctl(int epfd, int op, int fd, Pointer event);

  int epoll_wait(int epfd, Pointer events, int maxEvents, int timeoutMs);

  int close(int fd);

  /** {@code syscall(2)} with three arguments; returns -1 and sets errno on failure. */
  long syscall(long number, long arg1, Pointer arg2, long arg3);

  /** Gives free heap memory back to the kernel; returns 1 if some was released. */
  int malloc_trim(long pad);

  int vsnprintf(byte[] buf, long size, String format, Pointer vaList);

  String strerror(int errnum);
}
