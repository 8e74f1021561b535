"""What the two Python baselines share: timing one measurement, the per-thread-count worker
processes, and the JSON they print. Each thread count runs in its own process (as on the Rust
side), so peak RSS and load time are per thread count too."""

import json
import os
import resource
import subprocess
import sys
import time


def time_passes(run, min_seconds):
    """Runs `run` once to warm up, then repeatedly for at least `min_seconds`;
    returns (passes, seconds) of the timed part."""
    run()
    passes, begin = 0, time.perf_counter()
    while passes == 0 or time.perf_counter() - begin < min_seconds:
        run()
        passes += 1
    return passes, time.perf_counter() - begin


def worker_report(threads, rows, **extra):
    """Prints one worker's JSON: thread count, peak RSS, rows and any extra fields."""
    print(
        json.dumps(
            {
                "threads": threads,
                **extra,
                "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
                "rows": rows,
            }
        )
    )


def run_workers(script, settings_path, inputs_path, thread_counts, env=None):
    """Runs `script --worker SETTINGS INPUTS THREADS` once per thread count; returns their
    parsed JSON objects in order."""
    runs = []
    for threads in thread_counts:
        out = subprocess.run(
            [sys.executable, script, "--worker", settings_path, inputs_path, str(threads)],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ, **(env or {})},
        )
        runs.append(json.loads(out.stdout))
    return runs
