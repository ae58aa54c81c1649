/**
 * Benchmarks, not tests (see docs/benchmarks.md; the test suite runs only their {@code *Test} classes):
 * the soak ({@link dev.hybridrouter.router.bench.SoakBenchmark}: the whole router, in process, under
 * bounded concurrent load while a fake cloud model flaps, goes down and comes back), the request path
 * ({@link dev.hybridrouter.router.bench.PathBenchmark}: the jar against nginx, loaded by wrk), memory
 * and threads under hostile load ({@link dev.hybridrouter.router.bench.MemoryBenchmark}: the jar, sent
 * fuzzed and large bodies, then loaded while the cloud flaps, then left idle) and the in-process engine
 * ({@link dev.hybridrouter.router.bench.InProcessBenchmark}: the jar running a model in process against
 * the bare llama.cpp call).
 */
package dev.hybridrouter.router.bench;
