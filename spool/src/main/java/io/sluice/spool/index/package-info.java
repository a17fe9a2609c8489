/**
 * The in-memory message index: message id to location and per-recipient delivery state, in primitive-keyed
 * collections, plus per-file bookkeeping for reclamation. Rebuilt from the queue on every open.
 */
package io.sluice.spool.index;
