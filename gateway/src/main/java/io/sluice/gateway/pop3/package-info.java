/**
 * The POP3 server (RFC 1939 with CAPA, RFC 2449, and STLS, RFC 2595) over the local Maildirs: {@code Pop3Server}
 * accepts, {@code Pop3Connection} owns a socket on a virtual thread, {@code Pop3Session} is the state machine,
 * {@code Pop3Replies} the fixed responses. Logins are checked by {@link io.sluice.gateway.local.LocalMail};
 * APOP is refused because only salted hashes are stored.
 */
package io.sluice.gateway.pop3;
