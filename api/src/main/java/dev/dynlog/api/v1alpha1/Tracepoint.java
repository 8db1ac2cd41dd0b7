package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A question asked of running programs: "capture these values (and the latency) of every call to
 * this function in the pods selected here, for this long". The operator turns it into one {@link
 * TracepointAssignment} per node and reports progress in {@link TracepointStatus}.
 */
@JsonClassDescription(
    "A question asked of running Go and C/C++ programs: capture the arguments, results and "
        + "latency of every call to one function (spec.function) in the pods selected by "
        + "spec.target, for spec.ttl. The dynlog operator turns it into one TracepointAssignment "
        + "per node running a selected pod, whose node agent attaches the probe, and reports "
        + "progress in status.")
@Group(Tracepoint.GROUP)
@Version(Tracepoint.VERSION)
@ShortNames("tp")
@ValidationRule(
    value = "self.metadata.name.size() <= 63",
    message = "a Tracepoint name must be at most 63 characters (it is used as a label value)")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase")
@AdditionalPrinterColumn(
    name = "Attached",
    jsonPath = ".status.attachedPods",
    type = AdditionalPrinterColumn.Type.INTEGER)
@AdditionalPrinterColumn(
    name = "Desired",
    jsonPath = ".status.desiredPods",
    type = AdditionalPrinterColumn.Type.INTEGER,
    priority = 1)
@AdditionalPrinterColumn(name = "Function", jsonPath = ".spec.function", priority = 1)
@AdditionalPrinterColumn(name = "Expires", jsonPath = ".status.expiresAt")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class Tracepoint extends CustomResource<TracepointSpec, TracepointStatus>
    implements Namespaced {

  /** API group of dynlog's resources. */
  public static final String GROUP = "dynlog.dev";

  /** API version of this model. */
  public static final String VERSION = "v1alpha1";
}
