/**
 * The in-memory message index: message id to location (file offsets of the body) and per-recipient delivery
 * state, in primitive-keyed collections, for the live queue only (finished messages leave after a grace period),
 * plus per-file counters for reclamation. Rebuilt from the queue on every open.
 */
package io.sluice.spool.index;
