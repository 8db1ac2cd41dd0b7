package dev.dynlog.operator.k8s;

import io.fabric8.kubernetes.client.Config;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The client configuration the operator connects with, found the way fabric8 finds it (the files of
 * {@code KUBECONFIG}, else {@code ~/.kube/config}, else the pod's service account), plus a
 * description of where it came from for messages. Problems are {@link StartupException}s with one
 * line naming the file: a {@code KUBECONFIG} naming no existing file, a file that is not YAML (with
 * line and column; parsed with snakeyaml-engine, the parser fabric8 itself reads kubeconfigs with)
 * or not a kubeconfig, and no configuration at all outside a pod.
 *
 * @param config fabric8's configuration
 * @param source where it came from, e.g. {@code KUBECONFIG=/etc/k.yaml} or {@code the pod's service
 *     account}
 */
public record ClusterConfig(Config config, String source) {

  /**
   * Reads the configuration; {@code env} is the process environment (fabric8 reads the same),
   * {@code home} the user's home directory.
   */
  public static ClusterConfig fromEnvironment(Map<String, String> env, Path home) {
    String kubeconfig = env.getOrDefault("KUBECONFIG", "");
    List<Path> files = new ArrayList<>();
    String source;
    if (!kubeconfig.isBlank()) {
      List<Path> named =
          Arrays.stream(kubeconfig.split(File.pathSeparator))
              .filter(s -> !s.isBlank())
              .map(Path::of)
              .toList();
      named.stream().filter(Files::isRegularFile).forEach(files::add);
      if (files.isEmpty()) {
        throw new StartupException(
            "KUBECONFIG="
                + kubeconfig
                + " names no existing file: point it at a kubeconfig, or unset it in a pod to use"
                + " the pod's service account");
      }
      source = "KUBECONFIG=" + kubeconfig;
    } else if (Files.isRegularFile(home.resolve(".kube/config"))) {
      files.add(home.resolve(".kube/config"));
      source = home.resolve(".kube/config").toString();
    } else if (env.containsKey("KUBERNETES_SERVICE_HOST")) {
      source = "the pod's service account";
    } else if (env.containsKey("KUBERNETES_MASTER")) {
      source = "KUBERNETES_MASTER=" + env.get("KUBERNETES_MASTER");
    } else {
      throw new StartupException(
          "no Kubernetes configuration: not in a pod (KUBERNETES_SERVICE_HOST is unset), KUBECONFIG"
              + " is unset and there is no "
              + home.resolve(".kube/config")
              + "; set KUBECONFIG to a kubeconfig file");
    }
    for (Path file : files) {
      checkYaml(file);
    }
    Config config;
    try {
      config = Config.autoConfigure(null);
    } catch (RuntimeException e) {
      throw new StartupException(
          "cannot use the kubeconfig (" + source + "): " + Failures.firstLine(e), e);
    }
    if (config.getMasterUrl() == null || config.getMasterUrl().isBlank()) {
      throw new StartupException("no API server URL in " + source);
    }
    return new ClusterConfig(config, source);
  }

  /** The API server's URL, without a trailing slash. */
  public String url() {
    String url = config.getMasterUrl();
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  private static void checkYaml(Path file) {
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new StartupException(
          "cannot read the kubeconfig " + file + ": " + Failures.firstLine(e), e);
    }
    Object document;
    try {
      document = new Load(LoadSettings.builder().build()).loadFromString(text);
    } catch (MarkedYamlEngineException e) {
      Optional<Mark> mark = e.getProblemMark().or(e::getContextMark);
      throw new StartupException(
          "the kubeconfig "
              + file
              + " is not valid YAML: "
              + e.getProblem()
              + mark.map(m -> " at line " + (m.getLine() + 1) + ", column " + (m.getColumn() + 1))
                  .orElse(""),
          e);
    } catch (YamlEngineException e) {
      throw new StartupException(
          "the kubeconfig " + file + " is not valid YAML: " + Failures.firstLine(e), e);
    }
    if (document != null && !(document instanceof Map)) {
      throw new StartupException(
          "the kubeconfig "
              + file
              + " is not a kubeconfig: expected a mapping with clusters, users and contexts");
    }
  }
}
