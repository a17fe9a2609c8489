/**
 * Local mail: local domains, users (salted password hashes), aliases and lists, and delivery into Maildir.
 * {@link io.sluice.gateway.local.LocalMail} implements {@link io.sluice.gateway.local.LocalDirectory} for the
 * receiver and {@link io.sluice.gateway.delivery.LocalTransport} for the delivery agent, and gives the POP3 server
 * logins and {@link io.sluice.gateway.local.Maildir}s.
 *
 * <p>Decisions worth knowing:
 * <ul>
 *   <li>One user namespace for all {@code local.domains}: {@code fred@a} and {@code fred@b} are the same mailbox.
 *   <li>Users file: {@code name:pbkdf2-sha256$ITER$SALT$HASH[:Full Name]}, mode 0600, rewritten atomically by
 *       {@code sluice user}. No plaintext is accepted in it.
 *   <li>Aliases file: an entry with one member is an <i>alias</i>, with several members or an {@code :include:}
 *       file a <i>list</i> ({@link io.sluice.gateway.local.AliasFile}). Expansion is done once per reload, so loops
 *       and unknown members are logged once; a bad file keeps the previous table.
 *   <li>{@code postmaster} always exists (RFC 5321 4.5.1): an alias when the file defines one, otherwise the
 *       Maildir {@code mail-dir/postmaster} (readable over POP3 once a user named postmaster is added).
 *   <li>Maildir files keep the SMTP CRLF line ends, so POP3 sizes are file sizes and RETR is a straight copy.
 * </ul>
 */
package io.sluice.gateway.local;
