# Bench child: the machine's single-precision GEMM rate through numpy's BLAS (Debian's numpy uses
# whatever libblas.so.3 points to; OpenBLAS when libopenblas0-pthread is installed). This is the
# ceiling W2's target is stated against (issue 4: W2 >= 40% of the 2-thread sgemm GFLOP/s).
# The runner starts this child with OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE removed from its
# environment (they pin an older, slower kernel on some CPUs here); which kernel ran is read back
# with threadpoolctl.
import json
import resource
import sys
import time

import numpy as np

PREFIX = "@@RESULT "


def main():
    task = json.loads(sys.argv[1])
    sizes = task.get("sgemmSizes", [1024, 2048])
    try:
        from threadpoolctl import threadpool_info, threadpool_limits
    except ImportError:  # no threadpoolctl: one run at the library's default thread count
        threadpool_info, threadpool_limits = None, None
    blas = "unknown (threadpoolctl not installed)"
    if threadpool_info is not None:
        info = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        blas = "; ".join(f"{i.get('internal_api')} {i.get('version')} kernel={i.get('architecture')} "
                         f"threading={i.get('threading_layer')} max_threads={i.get('num_threads')}" for i in info) or "no BLAS found"
    rows = []
    rng = np.random.default_rng(0)
    for threads in ([1, 2] if threadpool_limits is not None else [None]):
        for n in sizes:
            a = rng.standard_normal((n, n), dtype=np.float32)
            b = rng.standard_normal((n, n), dtype=np.float32)
            c = np.empty((n, n), dtype=np.float32)
            reps = max(3, int(2e10 / (2 * n ** 3)))

            def timed():
                np.matmul(a, b, out=c)
                best = float("inf")
                for _ in range(reps):
                    t = time.perf_counter()
                    np.matmul(a, b, out=c)
                    best = min(best, time.perf_counter() - t)
                return 2 * n ** 3 / best / 1e9

            if threads is None:
                g = timed()
            else:
                with threadpool_limits(limits=threads, user_api="blas"):
                    g = timed()
            rows.append({"n": n, "threads": threads or 0, "gflops": g})
    best2 = max((r["gflops"] for r in rows if r["threads"] in (2, 0)), default=0.0)
    removed = task.get("removedEnv", [])
    print(PREFIX + json.dumps({
        "peer": "numpy", "variant": "sgemm", "threads": 2, "version": np.__version__, "workload": "sgemm",
        "trainPerSec": 0, "gflops": best2, "peakRssMiB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "lossFirst": 0, "lossFinal": 0, "samplesTimed": 0, "secondsTimed": 0,
        "notes": [f"removed from env: {', '.join(removed) if removed else 'none were set'}"],
        "sgemm": rows, "blas": blas,
    }), flush=True)


if __name__ == "__main__":
    main()
