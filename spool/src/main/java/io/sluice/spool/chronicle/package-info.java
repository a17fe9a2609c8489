/**
 * The spool on Chronicle Queue: the only package that imports Chronicle types. Entry points:
 * {@link io.sluice.spool.chronicle.ChronicleSpool#open} and
 * {@link io.sluice.spool.chronicle.ChronicleSpool#openReadOnly}. Record layout: {@code SpoolRecordDescriptor};
 * the one writer thread and group commit: {@code SpoolWriterAgent}; file reclamation: {@code CycleFiles}.
 */
package io.sluice.spool.chronicle;
