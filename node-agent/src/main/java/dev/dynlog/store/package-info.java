/**
 * The agent's memory of what it captured: per tracepoint, a bounded buffer of recent rows that
 * queries read and live followers subscribe to. {@link dev.dynlog.store.TracepointRegistry} holds
 * every {@link dev.dynlog.store.StoredTracepoint} by name (registered when it attaches, stopped
 * when it detaches and kept for the retention period), each with its {@link
 * dev.dynlog.store.TracepointInfo}, {@link dev.dynlog.store.TracepointState}, a supplier of its
 * kernel counters, its {@link dev.dynlog.store.RowBuffer} (a ring bounded by rows and by bytes
 * estimated by {@link dev.dynlog.store.RowSizer}; the oldest rows are evicted first and counted)
 * and its {@link dev.dynlog.store.LabelCounts} (rows counted per value of the captures declared as
 * low-cardinality labels, {@link dev.dynlog.store.LabelSpec}). A {@link
 * dev.dynlog.store.Subscription} receives new matching rows through a bounded queue and counts what
 * it missed, so a slow follower never slows the tracer. Bounds: {@link
 * dev.dynlog.store.StoreConfig}, per tracepoint and for all tracepoints together (a {@code
 * StoreBudget} shared by a registry's buffers: when they hold too much, the largest gives up its
 * oldest rows). A node agent's tracepoint has a {@link dev.dynlog.store.Placement} (namespace,
 * Tracepoint name, node) and counters per pod ({@link dev.dynlog.store.PodCounters}), whose {@code
 * pod} metric label {@link dev.dynlog.store.PodSeries} bounds. A tracepoint's {@link
 * dev.dynlog.store.WhereGuard} says which captured values a query may not filter on (redacted
 * ones).
 *
 * <p>May use: {@code dev.dynlog.trace} (for {@code Row} and {@code ProbeCounters}).
 */
package dev.dynlog.store;
