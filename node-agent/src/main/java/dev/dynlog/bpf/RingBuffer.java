package dev.dynlog.bpf;

import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Consumer of a {@code BPF_MAP_TYPE_RINGBUF} map, reading the kernel's memory-mapped ring directly
 * (no per-event native callback).
 *
 * <p>Layout (kernel/bpf/ringbuf.c): page 0 holds {@code consumer_pos} (mapped read-write), page 1
 * {@code producer_pos} (read-only), then the data area of {@code size} bytes mapped twice in a row,
 * so a record that wraps around is contiguous. Each record starts with an 8-byte header: a 32-bit
 * length with the BUSY (bit 31) and DISCARD (bit 30) flags, and the page offset; records are 8-byte
 * aligned. The consumer publishes its position with a release store; the producer's position is
 * read with an acquire load. Waiting uses epoll on the map's file descriptor.
 *
 * <p>Single consumer: {@link #poll} must be called from one thread at a time.
 */
public final class RingBuffer implements AutoCloseable {

  /**
   * Receives one record; {@code offset}/{@code length} delimit it in {@code buf} (little endian).
   */
  @FunctionalInterface
  public interface RecordHandler {
    void onRecord(ByteBuffer buf, int offset, int length);
  }

  private static final VarHandle LONGS =
      MethodHandles.byteBufferViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
  private static final int BUSY = 1 << 31;
  private static final int DISCARD = 1 << 30;
  private static final int HEADER = 8;
  private static final int PAGE = 4096;

  private final LibC c = LibC.INSTANCE;
  private final String name;
  private final long mask;
  private final Pointer consumerMap;
  private final Pointer producerMap;
  private final long producerLen;
  private final ByteBuffer consumer;
  private final ByteBuffer data; // producer page + data area twice
  private final int epollFd;
  private final Memory epollEvents = new Memory(12 * 4);
  private long consumerPos;

  /** Bytes ahead of the record being handled whose two cache lines {@link #drain} loads early. */
  private static final int PREFETCH_DISTANCE = 1024;

  @SuppressWarnings("unused")
  private long prefetched;

  private boolean closed;

  /** Maps the ring of {@code map} (a BPF_MAP_TYPE_RINGBUF of {@code map.maxEntries()} bytes). */
  public RingBuffer(BpfMap map) throws BpfException {
    this.name = map.name();
    long size = map.maxEntries();
    this.mask = size - 1;
    consumerMap =
        c.mmap(null, PAGE, LibC.PROT_READ | LibC.PROT_WRITE, LibC.MAP_SHARED, map.fd(), 0);
    if (Pointer.nativeValue(consumerMap) == -1) {
      throw new BpfException(
          "cannot mmap the consumer page of ring buffer "
              + name
              + ": "
              + BpfException.errno(Native.getLastError()));
    }
    producerLen = PAGE + 2 * size;
    // MAP_POPULATE: fault the pages in now rather than on the hot path
    producerMap =
        c.mmap(
            null, producerLen, LibC.PROT_READ, LibC.MAP_SHARED | LibC.MAP_POPULATE, map.fd(), PAGE);
    if (Pointer.nativeValue(producerMap) == -1) {
      int err = Native.getLastError();
      c.munmap(consumerMap, PAGE);
      throw new BpfException(
          "cannot mmap the data pages of ring buffer " + name + ": " + BpfException.errno(err));
    }
    consumer = consumerMap.getByteBuffer(0, PAGE).order(ByteOrder.LITTLE_ENDIAN);
    data = producerMap.getByteBuffer(0, producerLen).order(ByteOrder.LITTLE_ENDIAN);
    consumerPos = (long) LONGS.getAcquire(consumer, 0);
    epollFd = c.epoll_create1(LibC.EPOLL_CLOEXEC);
    if (epollFd < 0)
      throw new BpfException("epoll_create1 failed: " + BpfException.errno(Native.getLastError()));
    Memory ev = new Memory(12);
    ev.clear();
    ev.setInt(0, LibC.EPOLLIN);
    if (c.epoll_ctl(epollFd, LibC.EPOLL_CTL_ADD, map.fd(), ev) != 0) {
      throw new BpfException(
          "cannot epoll the ring buffer "
              + name
              + ": "
              + BpfException.errno(Native.getLastError()));
    }
  }

  /**
   * Consumes every complete record available now, without waiting.
   *
   * @return the number of records handed to {@code handler} (discarded records excluded)
   */
  public int drain(RecordHandler handler) {
    int n = 0;
    long cons = consumerPos;
    long prod = (long) LONGS.getAcquire(data, 0);
    long ahead = 0;
    while (cons < prod) {
      int at = PAGE + (int) (cons & mask);
      // Software prefetch: each record's header address depends on the previous record's length,
      // so a plain walk waits for one cache miss after another. Loading the lines a little ahead
      // of the records being handled (only where the kernel has written) overlaps those misses.
      long next = cons + PREFETCH_DISTANCE;
      if (next + 64 < prod) {
        ahead +=
            data.getLong(PAGE + (int) (next & mask & ~7L))
                + data.getLong(PAGE + (int) ((next + 64) & mask & ~7L));
      }
      int hdr = data.getInt(at);
      VarHandle.acquireFence(); // the record's bytes are read after its header
      if ((hdr & BUSY) != 0) break;
      int len = hdr & ~(BUSY | DISCARD);
      if ((hdr & DISCARD) == 0) {
        handler.onRecord(data, at + HEADER, len);
        n++;
      }
      cons += (len + HEADER + 7) & ~7L;
      LONGS.setRelease(consumer, 0, cons);
      if (cons >= prod) prod = (long) LONGS.getAcquire(data, 0);
    }
    consumerPos = cons;
    prefetched = ahead; // keeps the loads: the JIT must not drop them as unused
    return n;
  }

  /**
   * Drains available records; when there are none, waits up to {@code timeoutMs} for the kernel's
   * notification and drains again.
   */
  public int poll(RecordHandler handler, int timeoutMs) {
    int n = drain(handler);
    if (n > 0) return n;
    c.epoll_wait(epollFd, epollEvents, 4, timeoutMs);
    return drain(handler);
  }

  /** Bytes written by the kernel and not consumed yet. */
  public long pending() {
    return (long) LONGS.getAcquire(data, 0) - consumerPos;
  }

  @Override
  public synchronized void close() {
    if (closed) return;
    closed = true;
    c.close(epollFd);
    c.munmap(producerMap, producerLen);
    c.munmap(consumerMap, PAGE);
  }
}
