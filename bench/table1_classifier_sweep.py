"""Table 1's classifier swept over its regularisation C on features dumped by
`deno run -A bench/table1_readouts.ts --dump FILE`: scikit-learn's multinomial logistic
regression (L-BFGS, L2), features standardised with the training folds' mean and std,
leave-one-fold-out, as `classifyFrozenFeatures` (at C = 1 it gives the same accuracies).

    /usr/bin/python3 bench/table1_classifier_sweep.py FILE [0.01,0.1,1,10] ["NAME;NAME"]

Prints MFCCs' accuracy per C, then each read-out's (and net's) per-seed accuracy per C.
"""
import json
import sys
import warnings

import numpy as np
from sklearn.linear_model import LogisticRegression

warnings.filterwarnings("ignore")
d = json.load(open(sys.argv[1]))
y = np.array(d["targets"]); folds = np.array(d["folds"])
Cs = [float(c) for c in (sys.argv[2].split(",") if len(sys.argv) > 2 else ["0.01","0.1","1","10"])]
only = sys.argv[3].split(";") if len(sys.argv) > 3 else None


def acc(X, C):
    """Mean over held-out folds of the accuracy (%), standardised on the training folds."""
    X = np.asarray(X, dtype=np.float64); out = []
    for f in sorted(set(folds)):
        tr, te = folds != f, folds == f
        m, s = X[tr].mean(0), X[tr].std(0); s[s == 0] = 1
        clf = LogisticRegression(C=C, max_iter=2000).fit((X[tr]-m)/s, y[tr])
        out.append((clf.predict((X[te]-m)/s) == y[te]).mean())
    return 100 * np.mean(out)


print("C:", Cs)
print(f"{'MFCC':45s}", " | ".join(f"{acc(d['mfcc'], C):5.1f}" for C in Cs))
for name, nets in d["features"].items():
    if only and name not in only: continue
    for net, per in nets.items():
        cells = []
        for C in Cs:
            a = [acc(X, C) for X in per]
            cells.append("/".join(f"{x:.1f}" for x in a) + f" ({np.mean(a):.1f})")
        print(f"{name[:34]:34s} {net:9s} dim {len(per[0][0]):4d} | " + " | ".join(cells))
