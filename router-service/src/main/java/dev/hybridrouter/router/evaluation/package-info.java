/**
 * Offline evaluation of routing on labelled messages: reading JSON Lines data sets, measuring a
 * {@link dev.hybridrouter.router.routing.Router}'s accuracy, escalation and speed, and finding the
 * thresholds that give a wanted escalation share. Results are records that serialise to JSON as
 * they are. Also the HWU64 routing benchmark ({@link dev.hybridrouter.router.evaluation.Hwu64Benchmark}).
 */
package dev.hybridrouter.router.evaluation;
