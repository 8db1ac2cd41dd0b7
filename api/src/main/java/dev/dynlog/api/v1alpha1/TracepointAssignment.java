package dev.dynlog.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonClassDescription;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalSelectableField;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Version;

/**
 * A work order for the node agent of one node: the probe of one {@link Tracepoint} and the pods on
 * that node to apply it to. Owned by its Tracepoint, labelled {@value #NODE_LABEL}=node and {@value
 * #TRACEPOINT_LABEL}=tracepoint name. The operator writes the spec; the agent writes the status.
 */
@JsonClassDescription(
    "A work order for the dynlog node agent of one node, written by the operator: the probe of "
        + "one Tracepoint (its owner, same namespace) and the pods on that node to apply it to. "
        + "Agents find their own with the label dynlog.dev/node=<node> or the field selector "
        + "spec.nodeName=<node>; the agent reports in status.")
@Group(Tracepoint.GROUP)
@Version(Tracepoint.VERSION)
@ShortNames("tpa")
@AdditionalSelectableField(jsonPath = ".spec.nodeName")
@AdditionalPrinterColumn(name = "Node", jsonPath = ".spec.nodeName")
@AdditionalPrinterColumn(name = "Tracepoint", jsonPath = ".spec.tracepoint")
@AdditionalPrinterColumn(
    name = "Age",
    jsonPath = ".metadata.creationTimestamp",
    type = AdditionalPrinterColumn.Type.DATE)
public class TracepointAssignment
    extends CustomResource<TracepointAssignmentSpec, TracepointAssignmentStatus>
    implements Namespaced {

  /** Label naming the node whose agent executes the assignment. */
  public static final String NODE_LABEL = "dynlog.dev/node";

  /** Label naming the Tracepoint the assignment belongs to. */
  public static final String TRACEPOINT_LABEL = "dynlog.dev/tracepoint";
}
