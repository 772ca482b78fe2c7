# Bench child: scikit-learn's MLPClassifier (numpy + the machine's BLAS), same workloads as every
# peer (bench/workloads.ts). Protocol (bench/protocol.ts): argv[1] is a JSON ChildTask; one line
# "@@RESULT {json}" per workload. Epochs are partial_fit calls (one shuffled pass each) with
# solver="sgd", momentum 0, alpha (L2) 0, constant learning rate: plain SGD.
# What differs from the spec (recorded in notes): W3 uses MLPClassifier's logistic output with
# log-loss (MLPRegressor's output is the identity; there is no sigmoid + MSE), and W2 is timed per
# epoch (a partial_fit call), not per batch.
import json
import resource
import os
import sys
import time
import warnings

import numpy as np
import sklearn
from sklearn.neural_network import MLPClassifier

try:
    from threadpoolctl import threadpool_info, threadpool_limits
except ImportError:
    threadpool_info, threadpool_limits = None, None

PREFIX = "@@RESULT "
warnings.filterwarnings("ignore")  # ConvergenceWarning after each one-pass partial_fit


def load(task, spec):
    d = spec["sizes"][0]
    f = spec["files"]
    path = lambda name: os.path.join(task["dataDir"], name)
    x = np.fromfile(path(f["xTrain"]), dtype="<f4").reshape(spec["nTrain"], d)
    if spec["targets"] == "labels":
        y = np.fromfile(path(f["yTrain"]), dtype=np.uint8).astype(np.int64)
    else:
        y = np.fromfile(path(f["yTrain"]), dtype="<f4").astype(np.int64)  # XOR targets are 0/1
    out = {"x": x, "y": y}
    if "xTest" in f:
        out["xt"] = np.fromfile(path(f["xTest"]), dtype="<f4").reshape(spec["nTest"], d)
        out["yt"] = np.fromfile(path(f["yTest"]), dtype=np.uint8).astype(np.int64)
    return out


def median_rate(marks, per_interval):
    d = [b - a for a, b in zip(marks, marks[1:])]
    return per_interval / float(np.median(d)), len(d) * per_interval, marks[-1] - marks[0]


def blas_threads():
    if threadpool_info is None:
        return None
    n = [i.get("num_threads") for i in threadpool_info() if i.get("user_api") == "blas"]
    return n[0] if n else None


def run(task, spec):
    data = load(task, spec)
    x, y = data["x"], data["y"]
    n = spec["nTrain"]
    k = spec["sizes"][-1]
    model = MLPClassifier(
        hidden_layer_sizes=tuple(spec["sizes"][1:-1]), activation=spec["hiddenActivation"], solver="sgd",
        alpha=0.0, batch_size=spec["batchSize"], learning_rate="constant", learning_rate_init=spec["learningRate"],
        momentum=0.0, nesterovs_momentum=False, shuffle=True, random_state=spec["seed"])
    classes = np.arange(k) if k > 1 else np.array([0, 1])
    notes = []
    base = {"peer": "scikit-learn", "variant": task["variant"], "threads": blas_threads(),
            "version": sklearn.__version__, "workload": spec["name"], "notes": notes}
    cap = spec.get("maxSeconds")

    if spec["name"] in ("A1", "T1"):
        # MLPClassifier's own fit with solver="adam" (alpha 0: no L2, as the spec), run for exactly
        # timedEpochs epochs (tol 0 and a patience longer than the run: no early stop). First the
        # process's first fit (cold: 1 epoch) on its own model.
        def adam(epochs):
            return MLPClassifier(
                hidden_layer_sizes=tuple(spec["sizes"][1:-1]), activation=spec["hiddenActivation"], solver="adam",
                alpha=0.0, batch_size=spec["batchSize"], learning_rate_init=spec["learningRate"], max_iter=epochs,
                tol=0.0, n_iter_no_change=epochs + 1, shuffle=True, random_state=spec["seed"])
        t0 = time.perf_counter()
        cold = adam(spec["warmupEpochs"]).fit(x, y)
        first_seconds = time.perf_counter() - t0
        m = adam(spec["timedEpochs"])
        t0 = time.perf_counter()
        m.fit(x, y)
        seconds = time.perf_counter() - t0
        acc = float((m.predict(data["xt"]) == data["yt"]).mean())
        n_ep = spec["timedEpochs"]
        return dict(base, trainPerSec=n * n_ep / seconds, firstSeconds=first_seconds, peakRssMiB=peak_rss_mib(),
                    lossFirst=cold.loss_curve_[0], lossFinal=m.loss_curve_[-1], accuracy=acc,
                    samplesTimed=n * n_ep, secondsTimed=seconds)

    if spec["name"] == "W1":
        model.partial_fit(x, y, classes=classes)
        first = model.loss_
        marks = [time.perf_counter()]
        while len(marks) <= spec["timedEpochs"]:
            model.partial_fit(x, y)
            marks.append(time.perf_counter())
            if cap is not None and marks[-1] - marks[0] > cap:
                break
        sps, samples, seconds = median_rate(marks, n)
        acc = float((model.predict(data["xt"]) == data["yt"]).mean())
        B = spec["inferenceBatch"]
        xi = np.ascontiguousarray(data["xt"][:B])
        model.predict_proba(xi)
        times = []
        for _ in range(spec["inferenceRepeats"]):
            t0 = time.perf_counter()
            model.predict_proba(xi)
            times.append(time.perf_counter() - t0)
        return dict(base, trainPerSec=sps, inferPerSec=B / float(np.median(times)), peakRssMiB=peak_rss_mib(),
                    lossFirst=first, lossFinal=model.loss_, accuracy=acc, samplesTimed=samples, secondsTimed=seconds)

    if spec["name"] == "W2":
        notes.append("timed per epoch (partial_fit call), not per batch")
        bs = spec["batchSize"]
        model.partial_fit(x[:bs], y[:bs], classes=classes)
        first = model.loss_
        marks = [time.perf_counter()]
        losses = []
        while len(marks) <= spec["timedEpochs"]:
            model.partial_fit(x, y)
            losses.append(model.loss_)
            marks.append(time.perf_counter())
            if marks[-1] - marks[0] > cap:
                break
        sps, samples, seconds = median_rate(marks, n)
        p = sum(spec["sizes"][l] * spec["sizes"][l - 1] + spec["sizes"][l] for l in range(1, len(spec["sizes"])))
        return dict(base, trainPerSec=sps, gflops=6 * p * sps / 1e9, peakRssMiB=peak_rss_mib(),
                    lossFirst=first, lossFinal=losses[-1], samplesTimed=samples, secondsTimed=seconds)

    # W3: XOR, batch 1; logistic output with log-loss (see the header)
    notes.append("logistic output with log-loss (sklearn has no sigmoid + MSE)")
    pts = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    t = np.array([0.0, 1.0, 1.0, 0.0])

    def score():
        p = model.predict_proba(pts)[:, 1]
        return float(((p - t) ** 2).mean()), float(((p > 0.5) == (t > 0.5)).mean())

    model.partial_fit(x[:4], y[:4], classes=classes)  # builds the network so it can be scored untrained
    mse0, _ = score()
    model.partial_fit(x[:spec["warmupRows"]], y[:spec["warmupRows"]])
    chunk = spec["chunk"]
    updates = 0
    t0 = time.perf_counter()
    while updates < spec["timedEpochs"] * n and time.perf_counter() - t0 <= spec["maxSeconds"]:
        model.partial_fit(x[:chunk], y[:chunk])
        updates += chunk
    seconds = time.perf_counter() - t0
    mse, acc = score()
    return dict(base, trainPerSec=updates / seconds, peakRssMiB=peak_rss_mib(), lossFirst=mse0, lossFinal=mse,
                accuracy=acc, samplesTimed=updates, secondsTimed=seconds)


def peak_rss_mib():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main():
    task = json.loads(sys.argv[1])
    for spec in task["specs"]:
        if task["threads"] is not None and threadpool_limits is not None:
            with threadpool_limits(limits=task["threads"], user_api="blas"):
                r = run(task, spec)
        else:
            r = run(task, spec)
        print(PREFIX + json.dumps(r), flush=True)


if __name__ == "__main__":
    main()
