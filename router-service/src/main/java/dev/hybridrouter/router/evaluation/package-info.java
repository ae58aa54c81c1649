/**
 * Offline evaluation of routing on labelled messages: reading JSON Lines data sets, measuring a
 * {@link dev.hybridrouter.router.routing.Router}'s accuracy, escalation and speed, and finding the
 * thresholds that give a wanted escalation share. Results are records that serialise to JSON as
 * they are. The HWU64 routing benchmark and the simulation of the learning
 * loop on it ({@code Hwu64Benchmark}, {@code LearningSimulation}) are in the test sources.
 */
package dev.hybridrouter.router.evaluation;
