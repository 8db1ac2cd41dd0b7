package dev.dynlog.operator.query;

/**
 * One node that runs a Tracepoint, from its TracepointAssignment.
 *
 * @param node the node's name
 * @param agent the agent's base URL ({@code status.agent}), null until the agent reports it
 */
public record Target(String node, String agent) {}
