package io.sluice.gateway.cli;

import io.sluice.spool.Envelope;
import io.sluice.spool.MessageId;
import io.sluice.spool.Recipient;
import io.sluice.spool.RecipientState;
import io.sluice.spool.RecipientStatus;
import io.sluice.spool.SpoolEntry;
import io.sluice.spool.SpoolException;
import io.sluice.spool.SpoolReader;
import io.sluice.spool.chronicle.ChronicleSpool;

import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code sluice queue}: spool inspection for operators. Opens the spool named by {@code spool.dir} read-only (a
 * snapshot; safe while the gateway runs, and it never changes the spool), prints, and exits.
 * <pre>
 *   sluice queue list [--state S] [--domain D]   one line per message
 *   sluice queue show ID                         envelope and every recipient's delivery state
 * </pre>
 * Exit codes: 0 ok, 1 the spool cannot be read, 2 usage error (including an unknown or malformed id).
 */
final class QueueCommand {

    static final String USAGE = """
        usage: sluice queue list [--state STATE] [--domain DOMAIN] %1$s
               sluice queue show ID %1$s
          list   one line per message in the spool:
                   ID  ARRIVAL(UTC)  BYTES  SENDER  RCPTS  domain:count STATE[,count STATE] ...
                 --state STATE    only messages with a recipient in STATE
                                  (queued, in_flight, deferred, delivered, bounced, expired)
                 --domain DOMAIN  only messages with a recipient at DOMAIN
          show   the envelope of message ID (16 hex digits, as in "250 ... queued as ID") and each recipient's
                 state, attempts, next attempt and last reply
        The spool is read from spool.dir (config), read-only; the gateway may be running.
        """.formatted(ConfigArgs.USAGE);

    int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.contains("--help") || args.contains("-h")) {
            out.print(USAGE);
            return Main.EXIT_OK;
        }
        ConfigArgs configArgs = new ConfigArgs();
        List<String> rest = configArgs.parse(args);
        if (rest.isEmpty()) {
            throw new UsageException("missing subcommand (list or show); see sluice queue --help");
        }
        String sub = rest.get(0);
        List<String> subArgs = rest.subList(1, rest.size());
        return switch (sub) {
            case "list" -> list(Filter.parse(subArgs), configArgs, out, err);
            case "show" -> show(parseId(subArgs), configArgs, out, err);
            default -> throw new UsageException("unknown subcommand '" + sub + "'; see sluice queue --help");
        };
    }

    private static MessageId parseId(List<String> args) {
        if (args.size() != 1) {
            throw new UsageException("show needs exactly one message id; see sluice queue --help");
        }
        try {
            return MessageId.parse(args.get(0));
        } catch (IllegalArgumentException e) {
            throw new UsageException("not a message id: '" + printable(args.get(0)) + "' (16 hex digits expected)");
        }
    }

    private static SpoolReader open(ConfigArgs configArgs) {
        Path dir = configArgs.load().spool().dir();
        return ChronicleSpool.openReadOnly(dir);
    }

    private int list(Filter filter, ConfigArgs configArgs, PrintStream out, PrintStream err) {
        try (SpoolReader spool = open(configArgs)) {
            for (SpoolEntry e : spool.entries()) {
                if (filter.accepts(e)) {
                    out.println(listLine(e));
                }
            }
            return Main.EXIT_OK;
        } catch (SpoolException e) {
            err.println("sluice queue: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
    }

    private int show(MessageId id, ConfigArgs configArgs, PrintStream out, PrintStream err) {
        try (SpoolReader spool = open(configArgs)) {
            SpoolEntry e = spool.entry(id).orElse(null);
            if (e == null) {
                err.println("sluice queue: no message " + id + " in the spool");
                return Main.EXIT_USAGE;
            }
            printEntry(e, out);
            return Main.EXIT_OK;
        } catch (SpoolException e) {
            err.println("sluice queue: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
    }

    static String listLine(SpoolEntry e) {
        Envelope env = e.envelope();
        StringBuilder line = new StringBuilder(128);
        line.append(e.id()).append("  ").append(Instant.ofEpochMilli(env.arrivalEpochMs())).append("  ")
            .append(e.bodyBytes()).append("  <").append(printable(env.sender())).append(">  ")
            .append(env.recipients().size());
        for (Map.Entry<String, EnumMap<RecipientState, Integer>> d : byDomain(e).entrySet()) {
            line.append("  ").append(d.getKey().isEmpty() ? "(local)" : printable(d.getKey())).append(':');
            String sep = "";
            for (Map.Entry<RecipientState, Integer> s : d.getValue().entrySet()) {
                line.append(sep).append(s.getValue()).append(' ').append(s.getKey());
                sep = ",";
            }
        }
        return line.toString();
    }

    private static Map<String, EnumMap<RecipientState, Integer>> byDomain(SpoolEntry e) {
        Map<String, EnumMap<RecipientState, Integer>> domains = new TreeMap<>();
        for (RecipientStatus s : e.recipients()) {
            String domain = e.envelope().recipients().get(s.index()).domain();
            domains.computeIfAbsent(domain, k -> new EnumMap<>(RecipientState.class)).merge(s.state(), 1, Integer::sum);
        }
        return domains;
    }

    private static void printEntry(SpoolEntry e, PrintStream out) {
        Envelope env = e.envelope();
        out.println("id:        " + e.id());
        out.println("arrival:   " + Instant.ofEpochMilli(env.arrivalEpochMs()));
        out.println("sender:    <" + printable(env.sender()) + ">");
        out.println("body:      " + e.bodyBytes() + " bytes, " + e.bodyForm() + ", BODY=" + env.bodyType()
            + (env.smtpUtf8() ? ", SMTPUTF8" : ""));
        out.println("client:    " + printable(env.client().address()) + " helo=" + printable(env.client().helo())
            + " with " + env.client().protocol()
            + (env.client().authUser() == null ? "" : " auth=" + printable(env.client().authUser())));
        if (env.dsnRet() != null || env.dsnEnvId() != null) {
            out.println("dsn:       RET=" + env.dsnRet() + " ENVID=" + printable(String.valueOf(env.dsnEnvId())));
        }
        out.println("state:     " + (e.isFinished() ? "finished" : "pending"));
        out.println("recipients (" + env.recipients().size() + "):");
        for (RecipientStatus s : e.recipients()) {
            Recipient r = env.recipients().get(s.index());
            StringBuilder line = new StringBuilder("  ").append(s.index()).append("  <").append(printable(r.address()))
                .append(">  ").append(s.state()).append("  attempts=").append(s.attempts());
            if (s.nextAttemptEpochMs() > 0) {
                line.append("  next=").append(Instant.ofEpochMilli(s.nextAttemptEpochMs()));
            }
            if (r.orcpt() != null) {
                line.append("  orcpt=").append(printable(r.orcpt()));
            }
            if (!s.lastReply().isEmpty()) {
                line.append("  last=\"").append(printable(s.lastReply())).append('"');
            }
            out.println(line);
        }
    }

    /** Client-supplied text is made printable and cut (Postfix prints %.100s) before it reaches a terminal. */
    static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 200));
        for (int i = 0; i < s.length() && b.length() < 200; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7F ? '?' : c);
        }
        if (s.length() > 200) {
            b.append("...");
        }
        return b.toString();
    }

    /** The {@code list} filters; null means "any". */
    record Filter(RecipientState state, String domain) {

        static Filter parse(List<String> args) {
            RecipientState state = null;
            String domain = null;
            for (int i = 0; i < args.size(); i++) {
                String a = args.get(i);
                if ((a.equals("--state") || a.equals("--domain")) && i + 1 >= args.size()) {
                    throw new UsageException(a + " needs a value");
                }
                switch (a) {
                    case "--state" -> state = parseState(args.get(++i));
                    case "--domain" -> domain = args.get(++i).toLowerCase(Locale.ROOT);
                    default -> throw new UsageException("unknown option '" + printable(a) + "'; see sluice queue --help");
                }
            }
            return new Filter(state, domain);
        }

        private static RecipientState parseState(String text) {
            try {
                return RecipientState.valueOf(text.toUpperCase(Locale.ROOT).replace('-', '_'));
            } catch (IllegalArgumentException e) {
                throw new UsageException("unknown state '" + printable(text) + "'; one of queued, in_flight, "
                    + "deferred, delivered, bounced, expired");
            }
        }

        boolean accepts(SpoolEntry e) {
            if (state == null && domain == null) {
                return true;
            }
            for (RecipientStatus s : e.recipients()) {
                boolean stateOk = state == null || s.state() == state;
                boolean domainOk = domain == null || e.envelope().recipients().get(s.index()).domain().equals(domain);
                if (stateOk && domainOk) {
                    return true;
                }
            }
            return false;
        }
    }
}
