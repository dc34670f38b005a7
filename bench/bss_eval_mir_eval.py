"""mir_eval anchor of bench/bss_eval_bench.ts.

argv: a raw little-endian float64 file holding the references then the estimates (each
`sources` signals of `samples` values), sources, samples. For every line "N permute" read from
stdin, run `mir_eval.separation.bss_eval_sources` N times (permutation search on when permute
is 1) and print one line of JSON: {"ms": [per-call wall milliseconds], "cpu_ms": [per-call
process CPU milliseconds, all threads], "sdr", "sir", "sar", "perm"}.
Exit on EOF.
"""
import json
import sys
import time

import numpy as np
import mir_eval


def main():
    path, sources, samples = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    data = np.fromfile(path, dtype="<f8").reshape(2, sources, samples)
    refs, ests = data[0], data[1]
    for line in sys.stdin:
        n, permute = (int(v) for v in line.split())
        ms, cpu_ms = [], []
        for _ in range(n):
            t0, c0 = time.perf_counter(), time.process_time()
            sdr, sir, sar, perm = mir_eval.separation.bss_eval_sources(
                refs, ests, compute_permutation=bool(permute))
            cpu_ms.append((time.process_time() - c0) * 1000)
            ms.append((time.perf_counter() - t0) * 1000)
        print(json.dumps({"ms": ms, "cpu_ms": cpu_ms, "sdr": sdr.tolist(), "sir": sir.tolist(),
                          "sar": sar.tolist(), "perm": perm.tolist()}), flush=True)


if __name__ == "__main__":
    main()
