# Bench child: PyTorch (CPU), the same workloads as every other peer (bench/workloads.ts).
# Protocol (bench/protocol.ts): argv[1] is a JSON ChildTask; one line "@@RESULT {json}" per workload.
# Written the way a PyTorch user writes it: nn.Sequential, torch.optim.SGD, a shuffled index
# per epoch; CrossEntropyLoss on the logits is PyTorch's softmax + cross-entropy (fused).
import json
import os
import resource
import sys
import time

import numpy as np
import torch
from torch import nn

PREFIX = "@@RESULT "


def peak_rss_mib():
    # Linux: ru_maxrss in KiB
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def load(task, spec):
    d = spec["sizes"][0]
    f = spec["files"]
    path = lambda name: os.path.join(task["dataDir"], name)
    x = torch.from_numpy(np.fromfile(path(f["xTrain"]), dtype="<f4").reshape(spec["nTrain"], d))
    if spec["targets"] == "labels":
        y = torch.from_numpy(np.fromfile(path(f["yTrain"]), dtype=np.uint8).astype(np.int64))
    else:
        y = torch.from_numpy(np.fromfile(path(f["yTrain"]), dtype="<f4").reshape(-1, 1))
    out = {"x": x, "y": y}
    if "xTest" in f:
        out["xt"] = torch.from_numpy(np.fromfile(path(f["xTest"]), dtype="<f4").reshape(spec["nTest"], d))
        out["yt"] = torch.from_numpy(np.fromfile(path(f["yTest"]), dtype=np.uint8).astype(np.int64))
    return out


def build(spec):
    s = spec["sizes"]
    layers = []
    for l in range(1, len(s)):
        layers.append(nn.Linear(s[l - 1], s[l]))
        if l < len(s) - 1:
            layers.append(nn.ReLU() if spec["hiddenActivation"] == "relu" else nn.Tanh())
    if spec["outputActivation"] == "sigmoid":
        layers.append(nn.Sigmoid())
    return nn.Sequential(*layers)


def rate_from_marks(marks, per_interval):
    # median interval: one interval slowed by another process does not move the figure
    d = [b - a for a, b in zip(marks, marks[1:])]
    return per_interval / float(np.median(d)), len(d) * per_interval, marks[-1] - marks[0]


def params(spec):
    s = spec["sizes"]
    return sum(s[l] * s[l - 1] + s[l] for l in range(1, len(s)))


def xor_score(model):
    pts = torch.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    t = torch.tensor([0.0, 1.0, 1.0, 0.0])
    with torch.no_grad():
        p = model(pts).reshape(-1)
    return float(((p - t) ** 2).mean()), float(((p > 0.5).float() == t).float().mean())


def run(task, spec):
    torch.manual_seed(spec["seed"])
    data = load(task, spec)
    x, y = data["x"], data["y"]
    n, bs = spec["nTrain"], spec["batchSize"]
    model = build(spec)
    make_opt = lambda m: (torch.optim.Adam(m.parameters(), lr=spec["learningRate"]) if spec.get("optimizer") == "adam"
                          else torch.optim.SGD(m.parameters(), lr=spec["learningRate"]))
    opt = make_opt(model)
    loss_fn = nn.CrossEntropyLoss() if spec["loss"] == "crossentropy" else nn.MSELoss()
    base = {
        "peer": "pytorch", "variant": task["variant"], "threads": torch.get_num_threads(),
        "version": torch.__version__, "workload": spec["name"], "notes": [],
    }

    def step(xb, yb):
        opt.zero_grad()
        loss = loss_fn(model(xb), yb)
        loss.backward()
        opt.step()
        return loss.item()

    def epoch(rows=n, on_batch=None):
        perm = torch.randperm(rows)
        total = 0.0
        for s in range(0, rows, bs):
            idx = perm[s:s + bs]
            l = step(x[idx], y[idx])
            total += l * len(idx)
            if on_batch is not None and on_batch(l) is False:
                break
        return total / rows

    if spec["name"] in ("A1", "T1"):
        # the process's first fit (cold: 1 epoch), then all the epochs on a new model, timed as one
        t0 = time.perf_counter()
        first = epoch()
        first_seconds = time.perf_counter() - t0
        torch.manual_seed(spec["seed"])
        model = build(spec)
        opt = make_opt(model)
        t0 = time.perf_counter()
        for _ in range(spec["timedEpochs"]):
            last = epoch()
        seconds = time.perf_counter() - t0
        with torch.no_grad():
            acc = float((model(data["xt"]).argmax(1) == data["yt"]).float().mean())
        return dict(base, trainPerSec=n * spec["timedEpochs"] / seconds, firstSeconds=first_seconds,
                    peakRssMiB=peak_rss_mib(), lossFirst=first, lossFinal=last, accuracy=acc,
                    samplesTimed=n * spec["timedEpochs"], secondsTimed=seconds)

    if spec["name"] == "W1":
        first = [epoch() for _ in range(spec["warmupEpochs"])][0]
        marks = [time.perf_counter()]
        while len(marks) <= spec["timedEpochs"]:
            last = epoch()
            marks.append(time.perf_counter())
            if spec.get("maxSeconds") is not None and marks[-1] - marks[0] > spec["maxSeconds"]:
                break
        sps, samples, seconds = rate_from_marks(marks, n)
        with torch.no_grad():
            acc = float((model(data["xt"]).argmax(1) == data["yt"]).float().mean())
        B = spec["inferenceBatch"]
        xi = data["xt"][:B].contiguous()

        def infer():
            with torch.no_grad():
                return torch.softmax(model(xi), 1)

        infer()
        times = []
        for _ in range(spec["inferenceRepeats"]):
            t0 = time.perf_counter()
            infer()
            times.append(time.perf_counter() - t0)
        return dict(base, trainPerSec=sps, inferPerSec=B / float(np.median(times)),
                    peakRssMiB=peak_rss_mib(), lossFirst=first, lossFinal=last, accuracy=acc,
                    samplesTimed=samples, secondsTimed=seconds)

    if spec["name"] == "W2":
        marks, losses = [], []
        over = lambda: len(marks) > 1 and marks[-1] - marks[0] > spec["maxSeconds"]

        def on_batch(l):
            marks.append(time.perf_counter())
            losses.append(l)
            return not over()

        for _ in range(spec["timedEpochs"]):
            epoch(on_batch=on_batch)
            if over():
                break
        sps, samples, seconds = rate_from_marks(marks, bs)
        tail = losses[-4:]
        return dict(base, trainPerSec=sps, gflops=6 * params(spec) * sps / 1e9, peakRssMiB=peak_rss_mib(),
                    lossFirst=losses[0], lossFinal=sum(tail) / len(tail),
                    samplesTimed=samples, secondsTimed=seconds)

    # W3: batch 1 on XOR, one update per row in a shuffled order
    mse0, _ = xor_score(model)
    epoch(rows=spec["warmupRows"])
    chunk = spec["chunk"]
    st = {"updates": 0, "last": 0.0}
    t = time.perf_counter()

    def on_update(_l):
        st["updates"] += 1
        if st["updates"] % chunk:
            return True
        st["last"] = time.perf_counter()
        return st["last"] - t <= spec["maxSeconds"]

    for _ in range(spec["timedEpochs"]):
        epoch(on_batch=on_update)
        if st["updates"] % chunk or st["last"] - t > spec["maxSeconds"]:
            break
    if st["updates"] % chunk:
        st["last"] = time.perf_counter()
    seconds = st["last"] - t
    mse, acc = xor_score(model)
    return dict(base, trainPerSec=st["updates"] / seconds, peakRssMiB=peak_rss_mib(),
                lossFirst=mse0, lossFinal=mse, accuracy=acc,
                samplesTimed=st["updates"], secondsTimed=seconds)


def main():
    task = json.loads(sys.argv[1])
    if task["threads"] is not None:
        torch.set_num_threads(task["threads"])
    for spec in task["specs"]:
        print(PREFIX + json.dumps(run(task, spec)), flush=True)


if __name__ == "__main__":
    main()
