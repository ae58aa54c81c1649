/**
 * The soak benchmark: the whole router, in process, under bounded concurrent load while a fake cloud
 * model flaps, goes down and comes back. Run {@link dev.hybridrouter.router.bench.SoakBenchmark} (see
 * docs/benchmarks.md); it is not part of the test suite.
 */
package dev.hybridrouter.router.bench;
