/**
 * Latency recording and reporting, shared by the generator and the sink. {@link io.sluice.load.report.LatencyLog}
 * keeps one HdrHistogram {@code Recorder} per measured thing (recording is wait-free and allocation-free from any
 * number of virtual threads), swaps out an interval histogram once a second (recycling the previous one),
 * accumulates a run total, and writes each interval with {@code HistogramLogWriter} when asked.
 * {@link io.sluice.load.report.Percentiles} prints p50/p90/p99/p99.9/max, never a mean alone.
 */
package io.sluice.load.report;
