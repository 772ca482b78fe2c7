"""Python peers for bench/quality: reads JSON {train, test, seed, ...} on stdin, prints JSON.

  peer.py torch spirals-protocol    2-64-64-1 ReLU, Adam 1e-3, batch 32, 200 epochs, PyTorch's default init
  peer.py sklearn spirals-protocol  the same network and schedule in MLPClassifier (no early stop)
  peer.py sklearn default           MLPClassifier() / MLPRegressor() with StandardScaler, all defaults
Inputs are standardized with StandardScaler fitted on the training rows.
"""
import json
import sys
import warnings

import numpy as np
from sklearn.preprocessing import StandardScaler

warnings.filterwarnings("ignore")  # ConvergenceWarning: part of what is measured, not an error
peer, mode = sys.argv[1], sys.argv[2]
job = json.load(sys.stdin)
seed = job.get("seed", 0)
xtr, xte = np.array(job["train"]["x"], dtype=float), np.array(job["test"]["x"], dtype=float)
scaler = StandardScaler().fit(xtr)
xtr, xte = scaler.transform(xtr), scaler.transform(xte)
ytr, yte = job["train"]["y"], job["test"]["y"]

if peer == "torch":
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(1)
    net = torch.nn.Sequential(torch.nn.Linear(2, 64), torch.nn.ReLU(), torch.nn.Linear(64, 64), torch.nn.ReLU(), torch.nn.Linear(64, 1))
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)
    X, Y = torch.tensor(xtr, dtype=torch.float32), torch.tensor(ytr, dtype=torch.float32)[:, None]
    g = torch.Generator().manual_seed(seed)
    for epoch in range(200):
        for idx in torch.randperm(len(X), generator=g).split(32):
            opt.zero_grad()
            loss = torch.nn.functional.binary_cross_entropy_with_logits(net(X[idx]), Y[idx])
            loss.backward()
            opt.step()
    with torch.no_grad():
        pred = (net(torch.tensor(xte, dtype=torch.float32))[:, 0] > 0).numpy().astype(int)
    print(json.dumps({"accuracy": float((pred == np.array(yte)).mean())}))
elif peer == "sklearn" and mode == "spirals-protocol":
    from sklearn.neural_network import MLPClassifier

    m = MLPClassifier(hidden_layer_sizes=(64, 64), learning_rate_init=1e-3, batch_size=32, max_iter=200, n_iter_no_change=10**9, random_state=seed)
    m.fit(xtr, ytr)
    print(json.dumps({"accuracy": float(m.score(xte, yte))}))
elif peer == "sklearn" and mode == "default":
    from sklearn.neural_network import MLPClassifier, MLPRegressor

    if job["task"] == "classification":
        m = MLPClassifier(random_state=seed).fit(xtr, ytr)
        print(json.dumps({"score": float(m.score(xte, yte)), "iterations": int(m.n_iter_)}))
    else:
        m = MLPRegressor(random_state=seed).fit(xtr, ytr)
        print(json.dumps({"score": float(m.score(xte, yte)), "iterations": int(m.n_iter_)}))
else:
    sys.exit(f"unknown peer/mode {peer} {mode}")
