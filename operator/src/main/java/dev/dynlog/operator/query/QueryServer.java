package dev.dynlog.operator.query;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import dev.dynlog.api.v1alpha1.Tracepoint;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.util.Arrays;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLPeerUnverifiedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The aggregated API {@code query.dynlog.dev/v1alpha1} (APIService {@code
 * v1alpha1.query.dynlog.dev}) on the JDK's {@code HttpsServer}: discovery, {@code /healthz}, and a
 * Tracepoint's events. An events request is served only when its client certificate is the front
 * proxy's ({@link FrontProxyAuthenticator}) and a SubjectAccessReview allows the user it names
 * ({@link AccessReviewer}); then its agents are asked ({@link EventsFanOut}, {@link FollowFanOut}).
 * The TLS handshake asks for a client certificate but does not need one.
 */
public final class QueryServer implements AutoCloseable {

  private static final Logger LOG = LoggerFactory.getLogger(QueryServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int THREADS = 16;

  /** A Kubernetes object name (DNS subdomain), so a path segment never reaches an agent raw. */
  private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  private final HttpsServer server;
  private final ExecutorService requests;
  private final ExecutorService agents;
  private final FrontProxyAuthenticator authenticator;
  private final AccessReviewer reviewer;
  private final EventsFanOut fanOut;
  private final FollowFanOut follow;
  private final TlsIdentity identity;

  /**
   * Binds the port and starts serving.
   *
   * @throws IOException when the port cannot be bound
   */
  public QueryServer(KubernetesClient client, QuerySettings settings) throws IOException {
    identity =
        settings.tlsCert() == null
            ? TlsIdentity.generate()
            : TlsIdentity.fromPem(settings.tlsCert(), settings.tlsKey());
    Clock clock = Clock.systemUTC();
    authenticator =
        new FrontProxyAuthenticator(
            client, settings.authConfigMapNamespace(), settings.authConfigMapName(), clock);
    reviewer = new AccessReviewer(client, clock);
    agents = Executors.newCachedThreadPool(daemon("dynlog-query-agent"));
    AgentClient agentClient =
        new AgentClient(AgentTokens.of(client, settings.agentTokenFile()), settings.agentTimeout());
    fanOut = new EventsFanOut(client, agentClient, agents);
    follow = new FollowFanOut(fanOut, agentClient, agents);
    SSLContext tls = identity.sslContext();
    server = HttpsServer.create(new InetSocketAddress(settings.port()), 0);
    server.setHttpsConfigurator(
        new HttpsConfigurator(tls) {
          @Override
          public void configure(HttpsParameters params) {
            SSLParameters ssl = tls.getDefaultSSLParameters();
            ssl.setWantClientAuth(true);
            params.setSSLParameters(ssl);
          }
        });
    requests = Executors.newFixedThreadPool(THREADS, daemon("dynlog-query-http"));
    server.setExecutor(requests);
    server.createContext("/", this::handle);
    server.start();
    LOG.info(
        "aggregated query API on https port {} ({} certificate)",
        port(),
        identity.selfSigned() ? "self-signed" : "given");
  }

  /** The port actually bound. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The serving certificate (self-signed or from the PEM files). */
  public X509Certificate certificate() {
    return identity.chain().get(0);
  }

  @Override
  public void close() {
    server.stop(0);
    follow.close();
    requests.shutdownNow();
    agents.shutdownNow();
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String path = ex.getRequestURI().getRawPath();
      if (!ex.getRequestMethod().equals("GET")) {
        status(ex, 405, "method " + ex.getRequestMethod() + " is not allowed; only GET");
      } else if (path.equals("/healthz") || path.equals("/readyz") || path.equals("/livez")) {
        send(ex, 200, "text/plain", "ok\n");
      } else if (path.equals(QueryPaths.GROUP_PATH) || path.equals(QueryPaths.GROUP_PATH + "/")) {
        send(ex, 200, "application/json", Discovery.apiGroup());
      } else if (path.equals(QueryPaths.VERSION_PATH)
          || path.equals(QueryPaths.VERSION_PATH + "/")) {
        send(ex, 200, "application/json", Discovery.resourceList());
      } else {
        String[] target = QueryPaths.events(path);
        if (target == null) {
          status(
              ex,
              404,
              "no such path '"
                  + Excerpts.quote(path)
                  + "'; this server serves "
                  + QueryPaths.VERSION_PATH
                  + "/namespaces/{namespace}/tracepoints/{name}/events");
        } else {
          events(ex, target[0], target[1]);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("query request {} failed", ex.getRequestURI(), e);
      try {
        status(ex, 500, "internal error: " + e.getMessage());
      } catch (IOException | RuntimeException alreadyAnswered) {
        // headers were already sent; the connection is closed
      }
    }
  }

  private void events(HttpExchange ex, String namespace, String name) throws IOException {
    Caller caller;
    try {
      caller = authenticator.authenticate(peer(ex), ex.getRequestHeaders());
    } catch (NotAuthenticatedException e) {
      status(ex, 401, e.getMessage());
      return;
    } catch (IllegalStateException e) {
      status(ex, 500, e.getMessage());
      return;
    }
    if (!NAME.matcher(namespace).matches() || !NAME.matcher(name).matches()) {
      status(ex, 404, "no tracepoint '" + name + "' in namespace '" + namespace + "'");
      return;
    }
    try {
      if (!reviewer.mayRead(caller, namespace, name)) {
        status(ex, 403, KubeStatus.forbidden(caller, namespace, name));
        return;
      }
    } catch (KubernetesClientException e) {
      status(ex, 500, "cannot ask the API server for a SubjectAccessReview: " + e.getMessage());
      return;
    }
    EventsParameters params;
    try {
      params =
          EventsParameters.parse(
              ex.getRequestURI().getRawQuery(), ex.getRequestHeaders().getFirst("Accept"));
    } catch (BadParameterException e) {
      status(ex, 400, e.getMessage());
      return;
    }
    Tracepoint tp = fanOut.tracepoint(namespace, name);
    if (tp == null) {
      status(
          ex,
          404,
          "tracepoints.dynlog.dev \"" + name + "\" not found in namespace \"" + namespace + "\"");
      return;
    }
    if (params.follow()) {
      follow.stream(ex, namespace, name, params);
      return;
    }
    FanOutResult result;
    try {
      result = fanOut.query(namespace, name, params);
    } catch (BadParameterException e) {
      status(ex, 400, e.getMessage());
      return;
    }
    for (String w : result.warnings()) {
      ex.getResponseHeaders().add("Warning", Warnings.header(w));
    }
    if (params.format().equals("jsonl")) {
      StringBuilder body = new StringBuilder();
      for (String w : result.warnings()) body.append(Warnings.line(w)).append('\n');
      for (AgentRow row : result.rows()) body.append(row.json()).append('\n');
      send(ex, 200, "application/x-ndjson", body.toString());
    } else {
      send(ex, 200, "application/json", json(namespace, name, result));
    }
  }

  private static String json(String namespace, String name, FanOutResult result)
      throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (JsonGenerator g = JSON.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("tracepoint", name);
      g.writeStringField("namespace", namespace);
      g.writeNumberField("count", result.rows().size());
      g.writeArrayFieldStart("warnings");
      for (String w : result.warnings()) g.writeString(w);
      g.writeEndArray();
      g.writeArrayFieldStart("rows");
      for (AgentRow row : result.rows()) g.writeRawValue(row.json());
      g.writeEndArray();
      g.writeEndObject();
    }
    return out.toString(StandardCharsets.UTF_8);
  }

  private static X509Certificate[] peer(HttpExchange ex) {
    if (!(ex instanceof HttpsExchange https)) {
      return null;
    }
    try {
      Certificate[] chain = https.getSSLSession().getPeerCertificates();
      return Arrays.stream(chain)
          .filter(X509Certificate.class::isInstance)
          .map(X509Certificate.class::cast)
          .toArray(X509Certificate[]::new);
    } catch (SSLPeerUnverifiedException none) {
      return null;
    }
  }

  static void status(HttpExchange ex, int code, String message) throws IOException {
    send(ex, code, "application/json", KubeStatus.json(code, KubeStatus.reason(code), message));
  }

  static void send(HttpExchange ex, int code, String type, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", type);
    ex.sendResponseHeaders(code, bytes.length == 0 ? -1 : bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
