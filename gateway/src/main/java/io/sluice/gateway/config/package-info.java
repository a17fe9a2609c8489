/**
 * Configuration: one typed record tree ({@link io.sluice.gateway.config.GatewayConfig}) built once at startup by
 * {@link io.sluice.gateway.config.ConfigLoader} from {@code reference.conf}, an optional file and
 * {@code --set} overrides. The only package that reads system properties or the environment.
 */
package io.sluice.gateway.config;
