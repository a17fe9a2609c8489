package io.sluice.gateway.delivery;

import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An authoritative-looking DNS responder on 127.0.0.1 (UDP, port 0) built from dnsjava's message classes, so
 * MX routing tests never reach a real resolver. Answers the records it was given; names it knows with other
 * types get an empty NOERROR (NODATA); unknown names get NXDOMAIN; {@link #fail} forces an RCODE (SERVFAIL).
 */
final class TestDnsServer implements AutoCloseable {

    private static final Record NEGATIVE_SOA = soa();

    private static Record soa() {
        try {
            return Record.fromString(Name.fromString("test."), org.xbill.DNS.Type.SOA, org.xbill.DNS.DClass.IN, 60,
                "ns.test. hostmaster.test. 1 60 60 60 60", Name.root);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private final DatagramSocket socket;
    private final List<Record> records = new CopyOnWriteArrayList<>();
    private final Map<Name, Integer> forcedRcodes = new ConcurrentHashMap<>();
    final AtomicInteger queries = new AtomicInteger();

    TestDnsServer() throws IOException {
        socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
        Thread t = new Thread(this::loop, "test-dns");
        t.setDaemon(true);
        t.start();
    }

    String address() {
        return "127.0.0.1:" + socket.getLocalPort();
    }

    void add(String zoneLine) throws IOException {
        records.add(Record.fromString(Name.fromString(zoneLine.split("\\s+")[0]), type(zoneLine),
            org.xbill.DNS.DClass.IN, 60, rdata(zoneLine), Name.root));
    }

    private static int type(String line) {
        return org.xbill.DNS.Type.value(line.split("\\s+")[1]);
    }

    private static String rdata(String line) {
        String[] p = line.split("\\s+", 3);
        return p[2];
    }

    void fail(String name, int rcode) throws IOException {
        forcedRcodes.put(Name.fromString(name), rcode);
    }

    private void loop() {
        byte[] buf = new byte[4096];
        while (!socket.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                socket.receive(p);
                queries.incrementAndGet();
                Message q = new Message(java.util.Arrays.copyOf(p.getData(), p.getLength()));
                byte[] answer = answer(q).toWire(512);
                socket.send(new DatagramPacket(answer, answer.length, p.getSocketAddress()));
            } catch (IOException e) {
                if (socket.isClosed()) {
                    return;
                }
            }
        }
    }

    private Message answer(Message q) {
        Record question = q.getQuestion();
        Message r = new Message(q.getHeader().getID());
        r.getHeader().setFlag(Flags.QR);
        r.getHeader().setFlag(Flags.AA);
        r.getHeader().setFlag(Flags.RA);
        if (q.getHeader().getFlag(Flags.RD)) {
            r.getHeader().setFlag(Flags.RD);
        }
        r.addRecord(question, Section.QUESTION);
        Integer forced = forcedRcodes.get(question.getName());
        if (forced != null) {
            r.getHeader().setRcode(forced);
            return r;
        }
        boolean isKnown = false;
        for (Record rec : records) {
            if (rec.getName().equals(question.getName())) {
                isKnown = true;
                if (rec.getType() == question.getType()) {
                    r.addRecord(rec, Section.ANSWER);
                }
            }
        }
        if (!isKnown) {
            r.getHeader().setRcode(Rcode.NXDOMAIN);
        }
        if (r.getSection(Section.ANSWER).isEmpty()) {
            // RFC 2308: a negative answer carries the zone's SOA, whose minimum is the negative-caching TTL.
            r.addRecord(NEGATIVE_SOA, Section.AUTHORITY);
        }
        return r;
    }

    @Override
    public void close() {
        socket.close();
    }
}
