/**
 * The gateway process: {@link io.sluice.gateway.Gateway} wires the spool, local mail, delivery and the SMTP and
 * POP3 listeners from one configuration. Subpackages own one concern each (see their package-info).
 */
package io.sluice.gateway;
