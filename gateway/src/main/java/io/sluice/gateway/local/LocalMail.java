package io.sluice.gateway.local;

import io.sluice.gateway.config.ConfigException;
import io.sluice.gateway.config.GatewayConfig.LocalConfig;
import io.sluice.gateway.delivery.DeliveryResult;
import io.sluice.gateway.delivery.LocalTransport;
import io.sluice.spool.MessageBody;
import io.sluice.spool.RecipientState;
import io.sluice.spool.SpoolEntry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Local mail in one object: the {@link LocalDirectory} the receiver asks at RCPT/VRFY/EXPN/AUTH time, the
 * {@link LocalTransport} the delivery agent hands local recipients to (Maildir delivery with quota), and the
 * login and mailbox access the POP3 server uses.
 *
 * <p>Usage: {@code LocalMail local = new LocalMail(config.local(), config.hostname()); local.start(); ...
 * local.close();}. The constructor reads the users and aliases files (a bad file is a {@link ConfigException},
 * reported before any port is bound); {@link #start()} begins polling both (and any {@code :include:} files)
 * for changes on one background virtual thread. A changed file that does not parse keeps the previous good
 * table and logs one line.
 *
 * <p>Thread-safe. Lookups read one immutable {@link Directory} snapshot through a volatile field and never block;
 * {@link #deliver} blocks on disk I/O and may be called from many delivery threads at once.
 */
public final class LocalMail implements LocalDirectory, LocalTransport, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LocalMail.class);
    private static final Duration DEFAULT_POLL = Duration.ofSeconds(1);

    private final LocalConfig config;
    private final String hostname;
    private final Duration pollInterval;
    private final Set<String> domains;
    private final ConcurrentHashMap<String, QuotaSlot> quotaSlots = new ConcurrentHashMap<>();
    private final FileStamps stamps = new FileStamps();
    private final ReentrantLock reloadLock = new ReentrantLock();

    private volatile Directory directory;
    private volatile UsersFileState users;
    private volatile AliasFile aliases;
    private volatile Thread watcher;
    private volatile boolean closed;

    public LocalMail(LocalConfig config, String hostname) {
        this(config, hostname, DEFAULT_POLL);
    }

    LocalMail(LocalConfig config, String hostname, Duration pollInterval) {
        this.config = config;
        this.hostname = hostname;
        this.pollInterval = pollInterval;
        this.domains = Set.copyOf(config.domains());
        if (domains.isEmpty()) {
            throw new ConfigException("local.domains: at least one local domain is needed");
        }
        try {
            Map<Path, FileStamps.Stamp> before = FileStamps.take(watchedFiles(AliasFile.EMPTY));
            users = new UsersFileState(UsersFile.read(config.usersFile()));
            aliases = AliasFile.read(config.aliasesFile(), domains);
            stamps.record(before, watchedFiles(aliases));
        } catch (UsersFile.BadUsersFileException | AliasFile.BadAliasesFileException e) {
            throw new ConfigException("local: " + e.getMessage());
        } catch (IOException e) {
            throw new ConfigException("local: cannot read " + e.getMessage());
        }
        rebuild(List.of());
    }

    /** Starts watching the users, aliases and include files. Returns this. */
    public LocalMail start() {
        if (watcher != null) {
            throw new IllegalStateException("already started");
        }
        watcher = Thread.ofVirtual().name("local-files-watcher").start(this::watch);
        return this;
    }

    @Override
    public void close() {
        closed = true;
        Thread t = watcher;
        if (t != null) {
            t.interrupt();
        }
    }

    // ---- LocalDirectory

    @Override
    public boolean isLocalDomain(String domain) {
        return domains.contains(domain.toLowerCase(Locale.ROOT));
    }

    @Override
    public Lookup lookup(String address) {
        return directory.lookup(address);
    }

    @Override
    public boolean authenticate(String user, char[] password) {
        return login(user, password).isPresent();
    }

    /**
     * Checks a password and returns the canonical user name (the Maildir's name). {@code user} is a bare name or
     * {@code name@localdomain}. An unknown user costs as much time as a wrong password.
     */
    public Optional<String> login(String user, char[] password) {
        String name = userName(user);
        UsersFile.User u = name == null ? null : directory.user(name);
        if (u == null) {
            PasswordHash.verifyDummy(password);
            return Optional.empty();
        }
        return PasswordHash.verify(password, u.passwordHash()) ? Optional.of(u.name()) : Optional.empty();
    }

    /** The Maildir of a user name as returned by {@link #login}. */
    public Maildir maildir(String userName) {
        return new Maildir(config.mailDir().resolve(userName), hostname);
    }

    private String userName(String user) {
        int at = user.lastIndexOf('@');
        if (at >= 0 && !isLocalDomain(user.substring(at + 1))) {
            return null;
        }
        String name = (at < 0 ? user : user.substring(0, at)).toLowerCase(Locale.ROOT);
        return UsersFile.isValidName(name) ? name : null;
    }

    // ---- LocalTransport

    @Override
    public List<DeliveryResult> deliver(SpoolEntry entry, MessageBody body, List<Integer> recipientIndexes) {
        Directory dir = directory;
        List<DeliveryResult> results = new ArrayList<>(recipientIndexes.size());
        for (int index : recipientIndexes) {
            String address = entry.envelope().recipients().get(index).address();
            results.add(deliverOne(dir, entry, body, index, address));
        }
        return results;
    }

    private DeliveryResult deliverOne(Directory dir, SpoolEntry entry, MessageBody body, int index, String address) {
        int at = address.lastIndexOf('@');
        String local = (at < 0 ? address : address.substring(0, at)).toLowerCase(Locale.ROOT);
        String domain = at < 0 ? config.domains().get(0) : address.substring(at + 1).toLowerCase(Locale.ROOT);
        if (!isLocalDomain(domain) || !UsersFile.isValidName(local)) {
            return new DeliveryResult(index, RecipientState.BOUNCED, "550 5.1.1 <" + address + ">: no such local user");
        }
        List<String> mailboxes = new ArrayList<>();
        if (dir.hasMailbox(local)) {
            mailboxes.add(local);
        } else if (dir.expansion(local) != null) {
            // Normally the receiver expands aliases before spooling; this path serves mail the gateway addresses
            // to an alias itself (e.g. bounces to postmaster). Remote members cannot be reached from here.
            for (String t : dir.expansion(local)) {
                if (t.indexOf('@') < 0 && dir.hasMailbox(t)) {
                    mailboxes.add(t);
                } else {
                    LOG.warn("local: {}: alias member {} skipped by local delivery of {}", local, t, entry.id());
                }
            }
        }
        if (mailboxes.isEmpty()) {
            return new DeliveryResult(index, RecipientState.BOUNCED, "550 5.1.1 <" + address + ">: no such local user");
        }
        DeliveryResult worst = null;
        for (String mailbox : mailboxes) {
            DeliveryResult r = deliverToMailbox(entry, body, index, mailbox, mailbox + "@" + domain);
            if (worst == null || rank(r.state()) > rank(worst.state())) {
                worst = r;
            }
        }
        return worst;
    }

    private static int rank(RecipientState s) {
        return switch (s) {
            case DELIVERED -> 0;
            case DEFERRED -> 1;
            default -> 2;
        };
    }

    private DeliveryResult deliverToMailbox(SpoolEntry entry, MessageBody body, int index, String mailbox,
                                            String deliveredTo) {
        byte[] prefix = ("Return-Path: <" + headerSafe(entry.envelope().sender()) + ">\r\n"
            + "Delivered-To: " + headerSafe(deliveredTo) + "\r\n").getBytes(StandardCharsets.UTF_8);
        long estimateBytes = prefix.length + body.length();
        Maildir maildir = maildir(mailbox);
        QuotaSlot slot = null;
        try {
            if (config.quotaBytes() > 0) {
                if (estimateBytes > config.quotaBytes()) {
                    return new DeliveryResult(index, RecipientState.BOUNCED,
                        "552 5.2.2 <" + deliveredTo + ">: message larger than the mailbox quota");
                }
                slot = quotaSlots.computeIfAbsent(mailbox, k -> new QuotaSlot());
                if (!slot.reserve(maildir, estimateBytes, config.quotaBytes())) {
                    return new DeliveryResult(index, RecipientState.DEFERRED,
                        "452 4.2.2 <" + deliveredTo + ">: mailbox over quota");
                }
            }
            try (InputStream in = body.openMessageStream()) {
                maildir.deliver(prefix, in);
            }
            return new DeliveryResult(index, RecipientState.DELIVERED, "250 2.0.0 <" + deliveredTo + ">: delivered to maildir");
        } catch (IOException e) {
            String why = String.valueOf(e.getMessage());
            LOG.warn("local: delivery of {} to {} failed, will retry: {}", entry.id(), deliveredTo, why);
            boolean full = why.contains("No space left");
            return new DeliveryResult(index, RecipientState.DEFERRED, full
                ? "452 4.3.1 <" + deliveredTo + ">: insufficient system storage"
                : "451 4.3.0 <" + deliveredTo + ">: local delivery failed, will retry");
        } finally {
            if (slot != null) {
                slot.release(estimateBytes);
            }
        }
    }

    /** The envelope was checked by the receiver; this is defence against header injection from elsewhere. */
    private static String headerSafe(String s) {
        return s.replace('\r', ' ').replace('\n', ' ');
    }

    /**
     * Per-mailbox quota accounting: usage is measured from the Maildir under the lock, plus bytes being delivered
     * right now, so two concurrent deliveries cannot both squeeze under the limit. The write itself is outside
     * the lock, so deliveries to one user still proceed in parallel.
     */
    private static final class QuotaSlot {
        private final ReentrantLock lock = new ReentrantLock();
        private long inFlightBytes;

        boolean reserve(Maildir maildir, long bytes, long quotaBytes) throws IOException {
            lock.lock();
            try {
                if (maildir.usageBytes() + inFlightBytes + bytes > quotaBytes) {
                    return false;
                }
                inFlightBytes += bytes;
                return true;
            } finally {
                lock.unlock();
            }
        }

        void release(long bytes) {
            lock.lock();
            try {
                inFlightBytes = Math.max(0, inFlightBytes - bytes);
            } finally {
                lock.unlock();
            }
        }
    }

    // ---- reloading

    private record UsersFileState(Map<String, UsersFile.User> users) {
    }

    private List<Path> watchedFiles(AliasFile a) {
        List<Path> files = new ArrayList<>();
        files.add(config.usersFile());
        files.add(config.aliasesFile());
        files.addAll(a.includes);
        return files;
    }

    private void watch() {
        while (!closed) {
            try {
                Thread.sleep(pollInterval);
            } catch (InterruptedException e) {
                return;
            }
            try {
                reloadIfChanged();
            } catch (RuntimeException e) {
                LOG.error("local: reloading users/aliases failed unexpectedly", e);
            }
        }
    }

    /** Package-private so tests can force a check without waiting for the poll. */
    void reloadIfChanged() {
        reloadLock.lock();
        try {
            reloadIfChangedLocked();
        } finally {
            reloadLock.unlock();
        }
    }

    private void reloadIfChangedLocked() {
        Map<Path, FileStamps.Stamp> before = FileStamps.take(watchedFiles(aliases));
        Set<Path> changed = stamps.changed(before);
        if (changed.isEmpty()) {
            return;
        }
        List<String> previousWarnings = directory.warnings();
        if (changed.contains(config.usersFile())) {
            try {
                users = new UsersFileState(UsersFile.read(config.usersFile()));
                LOG.info("local: reloaded {} ({} users)", config.usersFile(), users.users().size());
            } catch (UsersFile.BadUsersFileException | IOException e) {
                LOG.warn("local: {}; keeping the previous users table", e.getMessage());
            }
        }
        if (changed.size() > 1 || !changed.contains(config.usersFile())) {
            try {
                aliases = AliasFile.read(config.aliasesFile(), domains);
                LOG.info("local: reloaded {} ({} entries)", config.aliasesFile(), aliases.entries.size());
            } catch (AliasFile.BadAliasesFileException | IOException e) {
                LOG.warn("local: {}; keeping the previous aliases table", e.getMessage());
            }
        }
        stamps.record(before, watchedFiles(aliases));
        rebuild(previousWarnings);
    }

    private void rebuild(List<String> alreadyReported) {
        Directory d = new Directory(config.domains(), users.users(), aliases);
        Set<String> old = new HashSet<>(alreadyReported);
        for (String w : d.warnings()) {
            if (!old.contains(w)) {
                LOG.warn("local: {}", w);
            }
        }
        directory = d;
    }
}
