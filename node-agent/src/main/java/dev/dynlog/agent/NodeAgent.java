package dev.dynlog.agent;

import dev.dynlog.api.redact.Redaction;
import dev.dynlog.api.v1alpha1.AssignedPod;
import dev.dynlog.api.v1alpha1.Capture;
import dev.dynlog.api.v1alpha1.Limits;
import dev.dynlog.api.v1alpha1.PodProbeStatus;
import dev.dynlog.api.v1alpha1.PodState;
import dev.dynlog.api.v1alpha1.ProbeSpec;
import dev.dynlog.api.v1alpha1.TracepointAssignment;
import dev.dynlog.api.v1alpha1.TracepointAssignmentSpec;
import dev.dynlog.plan.ProbePlan;
import dev.dynlog.proc.ContainerRef;
import dev.dynlog.proc.ProcessInfo;
import dev.dynlog.proc.ProcessTable;
import dev.dynlog.proc.SafeOpen;
import dev.dynlog.store.Placement;
import dev.dynlog.store.PodCounters;
import dev.dynlog.store.StoredTracepoint;
import dev.dynlog.store.TracepointInfo;
import dev.dynlog.store.TracepointRegistry;
import dev.dynlog.store.TracepointState;
import dev.dynlog.symbols.Binary;
import dev.dynlog.symbols.ResolveException;
import dev.dynlog.trace.Probe;
import dev.dynlog.trace.ProbeCounters;
import dev.dynlog.trace.ProcessGroup;
import dev.dynlog.trace.Row;
import dev.dynlog.trace.Target;
import dev.dynlog.trace.TraceOptions;
import dev.dynlog.trace.Tracer;
import dev.dynlog.trace.TracerException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The node agent's core, free of Kubernetes plumbing: it is told the {@link TracepointAssignment}s
 * of its node ({@link #apply}, {@link #delete}) and makes the kernel match them. For each assigned
 * pod it finds the processes of the pod's containers ({@link ProcessTable}), opens each one's
 * binary through the container's own root ({@link SafeOpen}), resolves each binary once per node
 * ({@link BinaryCache}), puts each container's processes in a kernel process group ({@link
 * ContainerGroups}: processes forked later join it before they run) and attaches one probe per
 * (pod, container, binary) to every process of that binary, filtered in the kernel to the
 * container's group. It reports each pod's state through a {@link StatusSink} and stores rows,
 * which carry the pod, container, namespace and node, under the tracepoint's name {@code
 * namespace/name}.
 *
 * <p>All changes run on one thread, in order: informer callbacks only enqueue. Every {@code tick}
 * it detaches assignments whose {@code expiresAt} has passed (also when the operator is gone), adds
 * processes that entered a container without being forked by one of its processes (e.g. {@code
 * kubectl exec}), detaches the pods whose processes are all gone, and attaches pods whose processes
 * appeared.
 *
 * <p>Every tick also charges each assignment's probes their CPU cost on this node ({@link
 * CpuBudget}, {@code limits.maxCpuPercent}): new hits × the per-hit trap cost the tracer calibrated
 * on this node for each probe's instructions ({@code Probe.trapNsPerHit}) plus the BPF run time the
 * kernel measured. Over budget for 3 consecutive seconds, the assignment is detached on this node
 * and its pods fail with reason {@value #CPU_BUDGET_EXCEEDED} and the measured calls/s and CPU,
 * until a new generation of its spec.
 */
public final class NodeAgent implements AutoCloseable {

  /** The {@code reason} of a pod detached by the CPU budget ({@code limits.maxCpuPercent}). */
  public static final String CPU_BUDGET_EXCEEDED = "CpuBudgetExceeded";

  /** Where the agent reports what it did with an assignment (the assignment's status). */
  public interface StatusSink {
    /**
     * The state of every pod of an assignment, for the generation it acted on; called when
     * something changed.
     */
    void report(String namespace, String name, long generation, List<PodProbeStatus> pods);
  }

  /**
   * How the agent runs.
   *
   * @param node this node's name (rows and metrics carry it)
   * @param tick how often expiry, new and exited processes are checked
   * @param log where one line per change goes (stderr)
   */
  public record Options(String node, Duration tick, PrintStream log) {}

  private final Options options;
  private final Tracer tracer;
  private final TracepointRegistry registry;
  private final ProcessTable processes;
  private final StatusSink status;
  private final Clock clock;
  private final BinaryCache binaries = new BinaryCache();
  private final ContainerGroups groups;
  private final Map<String, AssignmentRun> assignments = new TreeMap<>();
  private final ScheduledExecutorService loop;
  private volatile boolean closed;

  public NodeAgent(
      Options options,
      Tracer tracer,
      TracepointRegistry registry,
      ProcessTable processes,
      StatusSink status,
      Clock clock) {
    this.options = options;
    this.tracer = tracer;
    this.registry = registry;
    this.processes = processes;
    this.status = status;
    this.clock = clock;
    this.groups = new ContainerGroups(tracer);
    this.loop =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "dynlog-node-agent");
              t.setDaemon(true);
              return t;
            });
    long tickMs = Math.max(10, options.tick().toMillis());
    loop.scheduleWithFixedDelay(() -> run(this::tick), tickMs, tickMs, TimeUnit.MILLISECONDS);
  }

  /** The key of an assignment, and the name its rows are stored and queried under. */
  public static String key(String namespace, String name) {
    return Placement.key(namespace, name);
  }

  /** An assignment appeared or changed (or the informer re-listed it). */
  public void apply(TracepointAssignment a) {
    TracepointAssignment copy = a;
    submit(() -> upsert(copy));
  }

  /** An assignment was deleted. */
  public void delete(String namespace, String name) {
    submit(() -> remove(key(namespace, name), "the assignment was deleted"));
  }

  /** Waits until every change submitted so far has been applied (tests, shutdown). */
  public void sync() {
    try {
      loop.submit(() -> {}).get(60, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      throw new IllegalStateException("the node agent's loop did not answer: " + e, e);
    }
  }

  /** How many debug-information lookups were made (not served by the per-node cache). */
  public int resolutions() {
    return binaries.lookups();
  }

  private void submit(Runnable r) {
    if (!closed) loop.execute(() -> run(r));
  }

  /** Runs a change; a failure of one assignment never stops the loop. */
  private void run(Runnable r) {
    try {
      r.run();
    } catch (RuntimeException e) {
      options.log().println("dynlog agent: internal error: " + e);
    }
  }

  // ---------------------------------------------------------------- assignments

  /** One assignment and what the agent did with it. */
  private final class AssignmentRun {
    final String namespace;
    final String name;
    String tracepoint;
    long generation;
    ProbeSpec probe;
    Instant expiresAt;
    boolean expired;
    Pattern processName;
    String specProblem;
    final Map<String, PodRun> pods = new LinkedHashMap<>();
    StoredTracepoint stored;

    /**
     * Counters of probes already detached, by pod name, so that every pod's counters only grow
     * (also after the pod left the assignment, or came back under the same name).
     */
    final Map<String, ProbeCounters> retired = new TreeMap<>();

    List<PodProbeStatus> lastReport;
    long lastReportGeneration = -1;

    /** The CPU budget of this generation; tripped, it keeps the pods detached until the next. */
    CpuBudget budget;

    String overBudget;

    /** Per attached probe: hits, BPF run ns and calls at the previous tick. */
    final Map<Probe, long[]> lastSeen = new IdentityHashMap<>();

    long lastTickNs;

    AssignmentRun(String namespace, String name) {
      this.namespace = namespace;
      this.name = name;
    }

    String key() {
      return NodeAgent.key(namespace, tracepoint);
    }
  }

  /** One assigned pod: its state, and its probes (one per container and binary). */
  private final class PodRun {
    final AssignedPod pod;
    PodState state = PodState.Pending;
    String message = "not attached yet";
    String reason;
    final List<ProbeRun> probes = new ArrayList<>();
    final Set<String> containers = new HashSet<>();

    PodRun(AssignedPod pod) {
      this.pod = pod;
    }
  }

  /** One attached probe: a container's processes running one binary. */
  private record ProbeRun(String containerId, Probe probe, BinaryCache.Key binary) {}

  private void upsert(TracepointAssignment a) {
    if (closed) return;
    TracepointAssignmentSpec spec = a.getSpec();
    String ns = a.getMetadata().getNamespace();
    String key = key(ns, a.getMetadata().getName());
    long generation = a.getMetadata().getGeneration() == null ? 0 : a.getMetadata().getGeneration();
    if (spec == null || spec.getProbe() == null || !options.node().equals(spec.getNodeName())) {
      remove(key, "the assignment is not for node " + options.node());
      return;
    }
    AssignmentRun run = assignments.get(key);
    if (run != null && run.generation == generation) {
      // the same spec again (a resync, or the informer seeing our own status write): an expired
      // generation stays detached; only a new generation (a renewed ttl) attaches again
      if (!run.expired) reconcilePods(run, spec.getPods());
      report(run);
      return;
    }
    if (run != null) {
      detachAll(run, "generation " + run.generation + " replaced by " + generation);
    } else {
      run = new AssignmentRun(ns, a.getMetadata().getName());
      assignments.put(key, run);
    }
    run.tracepoint =
        spec.getTracepoint() == null ? a.getMetadata().getName() : spec.getTracepoint();
    run.generation = generation;
    run.probe = spec.getProbe();
    run.expired = false;
    run.specProblem = null;
    run.budget = new CpuBudget(Limits.effective(run.probe.getLimits()).getMaxCpuPercent());
    run.overBudget = null;
    run.lastSeen.clear();
    run.lastTickNs = System.nanoTime();
    run.expiresAt = null;
    try {
      if (spec.getExpiresAt() != null) run.expiresAt = Instant.parse(spec.getExpiresAt());
    } catch (DateTimeParseException e) {
      run.specProblem = "spec.expiresAt '" + spec.getExpiresAt() + "' is not an RFC 3339 time";
    }
    run.processName = null;
    if (run.probe.getProcessName() != null && !run.probe.getProcessName().isEmpty()) {
      try {
        run.processName = Pattern.compile(run.probe.getProcessName());
      } catch (PatternSyntaxException e) {
        run.specProblem =
            "processName '"
                + run.probe.getProcessName()
                + "' is not a regular expression: "
                + e.getDescription();
      }
    }
    register(run);
    options
        .log()
        .printf(
            "dynlog agent: %s generation %d: %s%n", run.key(), generation, run.probe.getFunction());
    reconcilePods(run, spec.getPods());
    report(run);
  }

  /**
   * Registers the assignment's rows under namespace/tracepoint, once; a new generation updates it.
   */
  private void register(AssignmentRun run) {
    TracepointInfo info =
        new TracepointInfo(
            run.key(),
            run.probe.getFunction(),
            "node " + options.node(),
            run.probe.getCapture().stream().map(Capture::getName).toList(),
            run.probe.isLatency(),
            ProbeSettings.labels(run.probe),
            // always the built-in list in a node agent (the plans' ProbeSettings.planOptions too);
            // a TracepointPolicy's additions and exemptions will come in through this Redaction
            RedactionGuard.of(Redaction.defaults(), run.probe.getCapture()));
    AssignmentRun r = run;
    if (run.stored != null
        && run.stored.state() != TracepointState.RUNNING
        && registry.find(run.key()).orElse(null) == run.stored) {
      // expired, then renewed: the rows so far stay queryable and the counters keep growing
      registry.resume(run.key(), info);
    } else if (run.stored == null || run.stored.state() != TracepointState.RUNNING) {
      run.stored =
          registry.register(
              info,
              new Placement(run.namespace, run.tracepoint, options.node()),
              () -> counters(r));
    } else {
      run.stored.update(info);
    }
  }

  /**
   * The counters of an assignment's probes per pod name: the pods assigned now (zero until
   * attached) and the pods that left, each with its attached and detached probes summed. Runs on
   * scrape threads; the loop changes the pods and probes under the same lock, so a detached probe
   * is counted exactly once, in {@code retired}, and no pod's counters go backwards.
   */
  private List<PodCounters> counters(AssignmentRun run) {
    synchronized (run) {
      return countersLocked(run);
    }
  }

  private List<PodCounters> countersLocked(AssignmentRun run) {
    Map<String, ProbeCounters> byPod = new TreeMap<>(run.retired);
    for (PodRun pod : run.pods.values()) {
      String name = pod.pod.getName();
      byPod.putIfAbsent(name, ProbeCounters.none(TraceOptions.defaultLatencyBoundsNs()));
      for (ProbeRun p : pod.probes) {
        try {
          byPod.put(name, ProbeCounters.sum(byPod.get(name), p.probe.counters()));
        } catch (TracerException e) {
          // the probe is being detached; its final counters go to retired
        }
      }
    }
    List<PodCounters> out = new ArrayList<>(byPod.size());
    byPod.forEach((pod, c) -> out.add(new PodCounters(pod, c)));
    return out;
  }

  /** Brings the assignment's pods to the list: attaches new ones, detaches those that left. */
  private void reconcilePods(AssignmentRun run, List<AssignedPod> wanted) {
    Map<String, AssignedPod> byUid = new LinkedHashMap<>();
    for (AssignedPod p : wanted == null ? List.<AssignedPod>of() : wanted) byUid.put(p.getUid(), p);
    for (var it = run.pods.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<String, PodRun> e = it.next();
      AssignedPod now = byUid.get(e.getKey());
      if (now == null
          || !Objects.equals(now.getContainerIDs(), e.getValue().pod.getContainerIDs())) {
        detach(run, e.getValue());
        synchronized (run) {
          it.remove();
        }
      }
    }
    for (AssignedPod p : byUid.values()) {
      if (!run.pods.containsKey(p.getUid())) {
        synchronized (run) {
          run.pods.put(p.getUid(), new PodRun(p));
        }
      }
    }
    for (PodRun pod : run.pods.values()) {
      if (pod.probes.isEmpty()) attach(run, pod);
    }
  }

  // ---------------------------------------------------------------- attaching

  /** One binary of a pod: the processes of one container running it. */
  private record Binaries(
      String containerId, BinaryCache.Key key, SafeOpen.OpenFile file, List<ProcessInfo> procs) {}

  private void attach(AssignmentRun run, PodRun pod) {
    if (closed) return;
    pod.reason = null;
    if (run.overBudget != null) {
      pod.state = PodState.Failed;
      pod.message = run.overBudget;
      pod.reason = CPU_BUDGET_EXCEEDED;
      return;
    }
    if (run.expired) {
      pod.state = PodState.Pending;
      pod.message = "the ttl expired at " + run.expiresAt + "; detached";
      return;
    }
    if (run.specProblem != null) {
      pod.state = PodState.Failed;
      pod.message = run.specProblem;
      return;
    }
    List<String> problems = new ArrayList<>();
    List<Binaries> found = new ArrayList<>();
    List<ProcessInfo> all;
    try {
      all = processes.all();
    } catch (IOException e) {
      pod.state = PodState.Failed;
      pod.message = "cannot read " + processes.root() + ": " + e.getMessage();
      return;
    }
    for (String status : pod.pod.getContainerIDs()) {
      String containerId;
      try {
        containerId = ContainerRef.fromStatus(status).id();
      } catch (IllegalArgumentException e) {
        problems.add(e.getMessage());
        continue;
      }
      String cname = containerName(pod.pod, status);
      List<ProcessInfo> inside = new ArrayList<>();
      for (ProcessInfo p : all) {
        if (p.container() != null
            && p.container().id().equals(containerId)
            && !p.zombie()
            && p.exe() != null) {
          inside.add(p);
        }
      }
      if (inside.isEmpty()) {
        problems.add(
            "no process in container " + cname + " (" + containerId.substring(0, 12) + ")");
        continue;
      }
      List<ProcessInfo> matching =
          inside.stream().filter(p -> ProcessTable.matches(p, run.processName)).toList();
      if (matching.isEmpty()) {
        problems.add(
            "no process in container "
                + cname
                + " matches processName "
                + run.processName.pattern()
                + "; processes are "
                + inside.stream().map(ProcessInfo::comm).distinct().sorted().toList());
        continue;
      }
      Map<BinaryCache.Key, Binaries> byBinary = new LinkedHashMap<>();
      for (ProcessInfo p : matching) {
        SafeOpen.OpenFile file;
        try {
          file =
              SafeOpen.open(
                  Path.of(processes.root().toString(), Integer.toString(p.pid()), "root"), p.exe());
        } catch (IOException e) {
          problems.add("container " + cname + ": " + e.getMessage());
          continue;
        }
        BinaryCache.Key key;
        try {
          key = binaries.key(file);
        } catch (ResolveException e) {
          file.close();
          problems.add("container " + cname + ": " + e.getMessage());
          continue;
        }
        Binaries b = byBinary.get(key);
        if (b == null) {
          byBinary.put(key, new Binaries(containerId, key, file, new ArrayList<>(List.of(p))));
        } else {
          file.close();
          b.procs.add(p);
        }
      }
      found.addAll(byBinary.values());
    }
    int processCount = 0;
    for (Binaries b : found) {
      try (SafeOpen.OpenFile file = b.file) {
        String cname = containerName(pod.pod, b.containerId);
        ProbePlan plan;
        try {
          plan = binaries.plan(b.key, file, run.probe);
        } catch (ResolveException e) {
          problems.add(e.getMessage());
          continue;
        }
        ProcessGroup group;
        try {
          group = groups.acquire(b.containerId);
        } catch (TracerException e) {
          problems.add("container " + cname + ": " + e.getMessage());
          continue;
        }
        Probe probe;
        try {
          Set<Integer> pids = new HashSet<>();
          for (ProcessInfo p : b.procs) pids.add(p.pid());
          groups.add(b.containerId, pids);
          Binary binary = binaries.binary(b.key);
          TraceOptions opts =
              ProbeSettings.traceOptions(run.key(), run.probe, binary::symbolize)
                  .withSource(
                      new Row.Source(run.namespace, pod.pod.getName(), cname, options.node()));
          StoredTracepoint stored = run.stored;
          probe = tracer.attach(plan, Target.groups(List.of(group)), opts, stored::append);
        } catch (TracerException | RuntimeException e) {
          groups.release(b.containerId);
          problems.add("container " + cname + ": " + e.getMessage());
          continue;
        }
        synchronized (run) {
          pod.probes.add(new ProbeRun(b.containerId, probe, b.key));
        }
        pod.containers.add(b.containerId);
        processCount += b.procs.size();
      }
    }
    if (!pod.probes.isEmpty()) {
      pod.state = PodState.Attached;
      pod.message =
          "attached in "
              + processCount
              + (processCount == 1 ? " process" : " processes")
              + (problems.isEmpty() ? "" : "; " + String.join("; ", problems));
    } else {
      pod.state = PodState.Failed;
      pod.message = problems.isEmpty() ? "nothing to attach to" : String.join("; ", problems);
    }
    options
        .log()
        .printf(
            "dynlog agent: %s pod %s: %s: %s%n",
            run.key(), pod.pod.getName(), pod.state, pod.message);
  }

  private static String containerName(AssignedPod pod, String statusOrId) {
    Map<String, String> names = pod.getContainerNames();
    if (names != null) {
      for (Map.Entry<String, String> e : names.entrySet()) {
        if (e.getKey().equals(statusOrId) || e.getKey().endsWith("://" + statusOrId))
          return e.getValue();
      }
    }
    int sep = statusOrId.indexOf("://");
    String id = sep >= 0 ? statusOrId.substring(sep + 3) : statusOrId;
    return id.length() > 12 ? id.substring(0, 12) : id;
  }

  // ---------------------------------------------------------------- detaching

  /**
   * Detaches a pod's probes; their final counters move to {@code retired} under the pod's name in
   * one step with their removal, so a scrape sees them exactly once.
   */
  private void detach(AssignmentRun run, PodRun pod) {
    Probe.detachAll(pod.probes.stream().map(ProbeRun::probe).toList());
    for (ProbeRun p : pod.probes) p.probe.close();
    synchronized (run) {
      for (ProbeRun p : pod.probes) {
        try {
          run.retired.merge(pod.pod.getName(), p.probe.counters(), ProbeCounters::sum);
        } catch (TracerException e) {
          // counters of a closed probe are kept in memory; this does not happen
        }
      }
      for (ProbeRun p : pod.probes) groups.release(p.containerId);
      pod.probes.clear();
    }
    pod.containers.clear();
  }

  private void detachAll(AssignmentRun run, String why) {
    Probe.detachAll(probes(List.of(run)));
    for (PodRun pod : run.pods.values()) detach(run, pod);
    options.log().printf("dynlog agent: %s: detached (%s)%n", run.key(), why);
  }

  /** Every attached probe of these assignments. */
  private static List<Probe> probes(Collection<AssignmentRun> runs) {
    List<Probe> out = new ArrayList<>();
    for (AssignmentRun r : runs) {
      for (PodRun p : r.pods.values()) for (ProbeRun pr : p.probes) out.add(pr.probe);
    }
    return out;
  }

  private void remove(String key, String why) {
    AssignmentRun run = assignments.remove(key);
    if (run == null) return;
    detachAll(run, why);
    if (run.stored != null) registry.stop(run.key(), TracepointState.STOPPED, why);
    binaries.retain(inUse());
  }

  private List<BinaryCache.Key> inUse() {
    List<BinaryCache.Key> keys = new ArrayList<>();
    for (AssignmentRun r : assignments.values()) {
      for (PodRun p : r.pods.values()) for (ProbeRun pr : p.probes) keys.add(pr.binary);
    }
    return keys;
  }

  // ---------------------------------------------------------------- periodic work

  private void tick() {
    if (closed) return;
    Instant now = clock.instant();
    Map<String, Set<Integer>> byContainer = containerProcesses();
    // Every uprobe this tick removes (expired assignments, pods whose processes are gone) is
    // detached in one batch first: detaching one waits for the kernel, many at once overlap.
    List<Probe> leaving = new ArrayList<>();
    for (AssignmentRun run : assignments.values()) {
      if (run.expired || run.overBudget != null) continue;
      boolean expiring = run.expiresAt != null && !now.isBefore(run.expiresAt);
      for (PodRun pod : run.pods.values()) {
        if (expiring || (!pod.probes.isEmpty() && !alive(pod, byContainer))) {
          for (ProbeRun p : pod.probes) leaving.add(p.probe);
        }
      }
    }
    Probe.detachAll(leaving);
    for (AssignmentRun run : assignments.values()) {
      if (!run.expired && run.expiresAt != null && !now.isBefore(run.expiresAt)) {
        run.expired = true;
        detachAll(run, "the ttl expired at " + run.expiresAt);
        for (PodRun pod : run.pods.values()) {
          pod.state = PodState.Pending;
          pod.message = "the ttl expired at " + run.expiresAt + "; detached";
        }
        if (run.stored != null)
          registry.stop(run.key(), TracepointState.EXPIRED, "the ttl expired at " + run.expiresAt);
        report(run);
        continue;
      }
      if (run.expired || run.overBudget != null) continue;
      boolean changed = false;
      for (PodRun pod : run.pods.values()) {
        if (pod.probes.isEmpty()) {
          if (pod.state != PodState.Attached && anyProcess(pod, byContainer)) {
            attach(run, pod);
            changed = true;
          }
          continue;
        }
        boolean alive = alive(pod, byContainer);
        for (String c : pod.containers) {
          try {
            groups.add(c, byContainer.getOrDefault(c, Set.of()));
          } catch (TracerException e) {
            options.log().println("dynlog agent: " + run.key() + ": " + e.getMessage());
          }
        }
        if (!alive) {
          detach(run, pod);
          pod.state = PodState.Pending;
          pod.message = "the pod's processes exited; detached until they are back";
          changed = true;
        }
      }
      if (checkBudget(run)) changed = true;
      if (changed) report(run);
    }
  }

  /**
   * Adds the cost of the run's probes since the previous tick to its CPU budget: per binary, new
   * hits × {@link Probe#trapNsPerHit()} (once, though each pod has its own probe there), plus every
   * probe's new BPF run time, both from the kernel's counters. When the budget trips, detaches
   * every pod of the run on this node and fails them with the figures; returns whether it did.
   */
  private boolean checkBudget(AssignmentRun run) {
    long now = System.nanoTime();
    long elapsed = now - run.lastTickNs;
    run.lastTickNs = now;
    if (run.overBudget != null) return false;
    long calls = 0;
    double cpuNs = 0;
    Set<Probe> live = Collections.newSetFromMap(new IdentityHashMap<>());
    Map<BinaryCache.Key, Double> trapNs = new HashMap<>();
    for (PodRun pod : run.pods.values()) {
      for (ProbeRun p : pod.probes) {
        ProbeCounters c;
        try {
          c = p.probe.counters();
        } catch (TracerException e) {
          continue;
        }
        live.add(p.probe);
        long[] now3 = {c.probeRunCount(), c.probeRunTimeNs(), c.calls()};
        long[] before = run.lastSeen.put(p.probe, now3);
        if (before == null) before = new long[3]; // counters start at zero when attached
        cpuNs += now3[1] - before[1]; // each probe's BPF program runs on every hit
        trapNs.merge(
            p.binary, (now3[0] - before[0]) * Math.max(0, p.probe.trapNsPerHit()), Math::max);
        calls += now3[2] - before[2];
      }
    }
    // The probes of one binary (one per pod) sit at the same instructions: a call traps once and
    // every probe's program runs on that trap, so the trap is charged once per binary.
    for (double t : trapNs.values()) cpuNs += t;
    run.lastSeen.keySet().retainAll(live);
    CpuBudget.Window w = run.budget.add(elapsed, calls, cpuNs);
    if (w == null) return false;
    if (run.stored != null) run.stored.cpuRatio(w.cpuRatio());
    if (!w.trip()) return false;
    run.overBudget = run.budget.message(w);
    detachAll(run, "over its CPU budget");
    for (PodRun pod : run.pods.values()) {
      pod.state = PodState.Failed;
      pod.message = run.overBudget;
      pod.reason = CPU_BUDGET_EXCEEDED;
    }
    if (run.stored != null) run.stored.budgetTripped();
    options.log().printf("dynlog agent: %s: %s%n", run.key(), run.overBudget);
    return true;
  }

  /** Whether a process is left in any of the containers an attached pod was attached in. */
  private static boolean alive(PodRun pod, Map<String, Set<Integer>> byContainer) {
    for (String c : pod.containers) {
      if (!byContainer.getOrDefault(c, Set.of()).isEmpty()) return true;
    }
    return false;
  }

  private boolean anyProcess(PodRun pod, Map<String, Set<Integer>> byContainer) {
    for (String status : pod.pod.getContainerIDs()) {
      try {
        if (!byContainer.getOrDefault(ContainerRef.fromStatus(status).id(), Set.of()).isEmpty())
          return true;
      } catch (IllegalArgumentException e) {
        // reported when attaching
      }
    }
    return false;
  }

  private Map<String, Set<Integer>> containerProcesses() {
    Map<String, Set<Integer>> out = new TreeMap<>();
    try {
      for (ProcessInfo p : processes.all()) {
        if (p.container() != null && !p.zombie()) {
          out.computeIfAbsent(p.container().id(), k -> new HashSet<>()).add(p.pid());
        }
      }
    } catch (IOException e) {
      options
          .log()
          .println("dynlog agent: cannot read " + processes.root() + ": " + e.getMessage());
    }
    return out;
  }

  private void report(AssignmentRun run) {
    List<PodProbeStatus> pods = new ArrayList<>();
    for (PodRun p : run.pods.values()) {
      pods.add(new PodProbeStatus(p.pod.getName(), p.pod.getUid(), p.state, p.message, p.reason));
    }
    if (pods.equals(run.lastReport) && run.generation == run.lastReportGeneration) return;
    run.lastReport = pods;
    run.lastReportGeneration = run.generation;
    try {
      status.report(run.namespace, run.name, run.generation, pods);
    } catch (RuntimeException e) {
      run.lastReport = null; // try again at the next change
      options.log().println("dynlog agent: cannot report " + run.key() + ": " + e.getMessage());
    }
  }

  /** Detaches everything and stops. Idempotent. */
  @Override
  public void close() {
    if (closed) return;
    try {
      loop.submit(
              () -> {
                closed = true;
                // every uprobe of every assignment at once: detaching waits for the kernel
                Probe.detachAll(probes(assignments.values()));
                for (AssignmentRun run : assignments.values()) {
                  detachAll(run, "the agent stopped");
                  if (run.stored != null && run.stored.state() == TracepointState.RUNNING) {
                    registry.stop(run.key(), TracepointState.STOPPED, "the agent stopped");
                  }
                }
                assignments.clear();
                groups.close();
                binaries.close();
              })
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      closed = true;
    }
    loop.shutdownNow();
  }
}
