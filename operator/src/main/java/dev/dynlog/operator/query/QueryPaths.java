package dev.dynlog.operator.query;

/** The aggregated API's group, version and paths. */
public final class QueryPaths {

  /** The API group served. */
  public static final String GROUP = "query.dynlog.dev";

  /** The version served. */
  public static final String VERSION = "v1alpha1";

  /** {@code /apis/query.dynlog.dev}: the APIGroup. */
  public static final String GROUP_PATH = "/apis/" + GROUP;

  /** {@code /apis/query.dynlog.dev/v1alpha1}: the APIResourceList. */
  public static final String VERSION_PATH = GROUP_PATH + "/" + VERSION;

  /** The resource (with its subresource) listed in discovery. */
  public static final String RESOURCE = "tracepoints/events";

  private QueryPaths() {}

  /**
   * The namespace and name of an events path {@code
   * VERSION_PATH/namespaces/NS/tracepoints/NAME/events}, or null when {@code path} is not one.
   */
  public static String[] events(String path) {
    String prefix = VERSION_PATH + "/namespaces/";
    if (!path.startsWith(prefix)) {
      return null;
    }
    String[] parts = path.substring(prefix.length()).split("/", -1);
    if (parts.length != 4
        || parts[0].isEmpty()
        || !parts[1].equals("tracepoints")
        || parts[2].isEmpty()
        || !parts[3].equals("events")) {
      return null;
    }
    return new String[] {parts[0], parts[2]};
  }

  /** The path of a Tracepoint's events on a node agent. */
  public static String agentEvents(String namespace, String name) {
    return "/api/v1/namespaces/" + namespace + "/tracepoints/" + name + "/events";
  }
}
