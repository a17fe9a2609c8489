/**
 * Local mail: local domains, users (salted password hashes), aliases and lists, and delivery into Maildir.
 * Implements {@link io.sluice.gateway.local.LocalDirectory} for the receiver and
 * {@link io.sluice.gateway.delivery.LocalTransport} for the delivery agent.
 */
package io.sluice.gateway.local;
