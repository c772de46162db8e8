"""Speed, memory and quality measurements (run as modules, e.g. ``-m benchmarks.bench_search``)."""
