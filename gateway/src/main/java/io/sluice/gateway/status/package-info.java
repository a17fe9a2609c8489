/**
 * What the gateway reports about itself: {@link io.sluice.gateway.status.GatewayCounter} (an enum of counters, for
 * rates) and {@link io.sluice.gateway.status.SessionLog} (one line per session that ended abnormally, for people).
 */
package io.sluice.gateway.status;
