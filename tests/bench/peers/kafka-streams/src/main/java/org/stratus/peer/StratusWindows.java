package org.stratus.peer;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Suppressed;
import org.apache.kafka.streams.kstream.TimeWindows;
import org.apache.kafka.streams.processor.TimestampExtractor;

/**
 * Stratus's windowed aggregation as a Kafka Streams application: Stratus JSON readings keyed by
 * station, event time from "ts", 5 min windows sliding by 1 min with 2 min grace, count / mean /
 * min / max / std / first / last of each of Stratus's nine variables (and the wind direction's
 * resultant length), each window emitted once when it closes.
 *
 * Usage: StratusWindows BOOTSTRAP INPUT_TOPIC OUTPUT_TOPIC READINGS THREADS at_least_once|exactly_once_v2
 * Prints one JSON line: readings aggregated per second, from the first record to the last of
 * READINGS, and the windows emitted by then.
 */
public final class StratusWindows {
    /** Stratus's nine variables, as keyed in its JSON readings. */
    static final String[] NAMES = {"temperature", "dewpoint", "humidity", "wind_speed", "wind_gust", "wind_direction", "pressure",
                                   "precipitation", "visibility"};
    static final String[] KEYS = new String[NAMES.length];
    static {
        for (int i = 0; i < NAMES.length; ++i)
            KEYS[i] = "\"" + NAMES[i] + "\":";
    }
    static final int NV = NAMES.length;
    static final int WIND_DIRECTION = 5;

    /**
     * Running sums of one window for every variable: what Stratus's aggregator computes (count, mean,
     * min, max, population std, first and last value in event time; resultant length of the wind
     * direction).
     */
    static final class Stats {
        long[] n = new long[NV];
        double[] sum = new double[NV], sq = new double[NV];
        double[] min = new double[NV], max = new double[NV];
        double[] first = new double[NV], last = new double[NV];
        long[] firstTs = new long[NV], lastTs = new long[NV];
        double sinSum, cosSum;

        /** v: the NV values (NaN = absent) and then the event time. */
        Stats add(double[] v) {
            final long ts = (long) v[NV];
            for (int i = 0; i < NV; ++i) {
                final double x = v[i];
                if (Double.isNaN(x))
                    continue;
                if (n[i] == 0) {
                    min[i] = max[i] = first[i] = last[i] = x;
                    firstTs[i] = lastTs[i] = ts;
                } else {
                    min[i] = Math.min(min[i], x);
                    max[i] = Math.max(max[i], x);
                    if (ts < firstTs[i]) { firstTs[i] = ts; first[i] = x; }
                    if (ts >= lastTs[i]) { lastTs[i] = ts; last[i] = x; }
                }
                ++n[i];
                sum[i] += x;
                sq[i] += x * x;
                if (i == WIND_DIRECTION) {
                    sinSum += Math.sin(Math.toRadians(x));
                    cosSum += Math.cos(Math.toRadians(x));
                }
            }
            return this;
        }

        String toJson(String station, long start, long end) {
            StringBuilder b = new StringBuilder(800).append("{\"station\":\"").append(station).append("\",\"start\":").append(start)
                    .append(",\"end\":").append(end);
            for (int i = 0; i < NV; ++i) {
                if (n[i] == 0)
                    continue;
                double mean = sum[i] / n[i];
                double std = Math.sqrt(Math.max(0, sq[i] / n[i] - mean * mean));
                b.append(",\"").append(NAMES[i]).append("\":{\"count\":").append(n[i]).append(",\"mean\":").append(mean)
                        .append(",\"min\":").append(min[i]).append(",\"max\":").append(max[i]).append(",\"std\":").append(std)
                        .append(",\"first\":").append(first[i]).append(",\"last\":").append(last[i]);
                if (i == WIND_DIRECTION)
                    b.append(",\"resultant_length\":").append(Math.hypot(sinSum / n[i], cosSum / n[i]));
                b.append('}');
            }
            return b.append('}').toString();
        }
    }

    static final class StatsSerde implements Serde<Stats> {
        static final int SIZE = NV * (9 * 8) + 16;

        @Override
        public Serializer<Stats> serializer() {
            return (topic, s) -> {
                ByteBuffer b = ByteBuffer.allocate(SIZE);
                for (int i = 0; i < NV; ++i)
                    b.putLong(s.n[i]).putDouble(s.sum[i]).putDouble(s.sq[i]).putDouble(s.min[i]).putDouble(s.max[i])
                            .putDouble(s.first[i]).putDouble(s.last[i]).putLong(s.firstTs[i]);
                b.putDouble(s.sinSum).putDouble(s.cosSum);
                for (int i = 0; i < NV; ++i)
                    b.putLong(s.lastTs[i]);
                return b.array();
            };
        }

        @Override
        public Deserializer<Stats> deserializer() {
            return (topic, bytes) -> {
                if (bytes == null)
                    return null;
                ByteBuffer b = ByteBuffer.wrap(bytes);
                Stats s = new Stats();
                for (int i = 0; i < NV; ++i) {
                    s.n[i] = b.getLong();
                    s.sum[i] = b.getDouble();
                    s.sq[i] = b.getDouble();
                    s.min[i] = b.getDouble();
                    s.max[i] = b.getDouble();
                    s.first[i] = b.getDouble();
                    s.last[i] = b.getDouble();
                    s.firstTs[i] = b.getLong();
                }
                s.sinSum = b.getDouble();
                s.cosSum = b.getDouble();
                for (int i = 0; i < NV; ++i)
                    s.lastTs[i] = b.getLong();
                return s;
            };
        }
    }

    /** The number after "key": in a flat JSON object, NaN when absent. Enough for Stratus's readings. */
    static double number(String json, String key) {
        // The first occurrence with a number after it: the same key inside "qc" has a string.
        for (int at = json.indexOf(key); at >= 0; at = json.indexOf(key, at + 1)) {
            int from = at + key.length();
            int to = from;
            while (to < json.length() && "-+.0123456789eE".indexOf(json.charAt(to)) >= 0)
                ++to;
            if (to > from)
                return Double.parseDouble(json.substring(from, to));
        }
        return Double.NaN;
    }

    public static final class EventTime implements TimestampExtractor {
        public EventTime() {}

        @Override
        public long extract(ConsumerRecord<Object, Object> record, long partitionTime) {
            Object v = record.value();
            if (v instanceof String s) {
                double ts = number(s, "\"ts\":");
                if (!Double.isNaN(ts))
                    return (long) ts;
            }
            return partitionTime; // the end-of-stream control record and anything without a time
        }
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 6) {
            System.err.println("usage: StratusWindows BOOTSTRAP INPUT OUTPUT READINGS THREADS GUARANTEE");
            System.exit(2);
        }
        final long expected = Long.parseLong(args[3]);
        Properties p = new Properties();
        p.put(StreamsConfig.APPLICATION_ID_CONFIG, "stratus-peer-" + UUID.randomUUID().toString().substring(0, 8));
        p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, args[0]);
        p.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, Integer.parseInt(args[4]));
        p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, args[5]);
        // With the default 30 s (100 ms under EOS) suppress releases windows only at commits.
        p.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, 1000);
        p.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("stratus-peer-state").toString());
        p.put(StreamsConfig.consumerPrefix("auto.offset.reset"), "earliest");
        p.put(StreamsConfig.DEFAULT_TIMESTAMP_EXTRACTOR_CLASS_CONFIG, EventTime.class);

        final AtomicLong aggregated = new AtomicLong();
        final AtomicLong firstNs = new AtomicLong();
        final AtomicLong windows = new AtomicLong();
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicLong doneNs = new AtomicLong();

        StreamsBuilder b = new StreamsBuilder();
        b.stream(args[1], Consumed.with(Serdes.String(), Serdes.String()))
                // Readings only: the end-of-stream control record has no station (keys are in any order).
                .filter((k, v) -> k != null && v != null && v.contains("\"station\":"))
                .mapValues(v -> {
                    // Counted here, in the stream thread right before the (synchronous) aggregation.
                    final long n = aggregated.incrementAndGet();
                    if (n == 1)
                        firstNs.set(System.nanoTime());
                    if (n == expected) {
                        doneNs.set(System.nanoTime());
                        done.countDown();
                    }
                    double[] x = new double[NV + 1];
                    for (int i = 0; i < NV; ++i)
                        x[i] = number(v, KEYS[i]);
                    x[NV] = number(v, "\"ts\":");
                    return x;
                })
                .groupByKey(org.apache.kafka.streams.kstream.Grouped.with(Serdes.String(), Serdes.serdeFrom(
                        (topic, d) -> { ByteBuffer bb = ByteBuffer.allocate(8 * (NV + 1)); for (double x : d) bb.putDouble(x); return bb.array(); },
                        (topic, bytes) -> { ByteBuffer bb = ByteBuffer.wrap(bytes); double[] d = new double[NV + 1]; for (int i = 0; i <= NV; ++i) d[i] = bb.getDouble(); return d; })))
                .windowedBy(TimeWindows.ofSizeAndGrace(Duration.ofMinutes(5), Duration.ofMinutes(2)).advanceBy(Duration.ofMinutes(1)))
                .aggregate(Stats::new, (key, v, agg) -> agg.add(v), Materialized.with(Serdes.String(), new StatsSerde()))
                .suppress(Suppressed.untilWindowCloses(Suppressed.BufferConfig.unbounded()))
                .toStream()
                .map((w, s) -> KeyValue.pair(w.key(), s.toJson(w.key(), w.window().start(), w.window().end())))
                .peek((k, v) -> windows.incrementAndGet())
                .to(args[2], Produced.with(Serdes.String(), Serdes.String()));
        KafkaStreams streams = new KafkaStreams(b.build(), p);
        final AtomicLong failed = new AtomicLong();
        streams.setUncaughtExceptionHandler(e -> {
            System.err.println("kafka-streams peer: stream thread failed: " + e);
            failed.incrementAndGet();
            done.countDown();
            return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
        streams.start();
        if (!done.await(600, TimeUnit.SECONDS)) {
            System.err.println("kafka-streams peer: only " + aggregated.get() + " of " + expected + " readings in 600 s");
            streams.close(Duration.ofSeconds(10));
            System.exit(1);
        }
        if (failed.get() > 0) {
            streams.close(Duration.ofSeconds(10));
            System.exit(1);
        }
        double secs = (doneNs.get() - firstNs.get()) / 1e9;
        System.out.println("{\"readings_per_s\":" + Math.round(expected / secs) + ",\"windows\":" + windows.get() + ",\"seconds\":" + secs + "}");
        streams.close(Duration.ofSeconds(10));
        streams.cleanUp(); // the local state (RocksDB) of this one-off application id
        System.exit(0);
    }
}
