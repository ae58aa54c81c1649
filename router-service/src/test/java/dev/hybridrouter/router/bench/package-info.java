/**
 * Benchmarks of the whole router, none of them part of the test suite (see docs/benchmarks.md):
 * {@link dev.hybridrouter.router.bench.SoakBenchmark}, the router in process under bounded concurrent load
 * while a fake cloud model flaps, goes down and comes back; {@link dev.hybridrouter.router.bench.PathBenchmark},
 * the router's jar on the request path against nginx; {@link dev.hybridrouter.router.bench.InProcessBenchmark},
 * the router's jar running a model in process against the bare llama.cpp call.
 */
package dev.hybridrouter.router.bench;
