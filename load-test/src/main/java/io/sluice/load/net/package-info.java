/** Socket helpers shared by the load generator and the sink. */
package io.sluice.load.net;
