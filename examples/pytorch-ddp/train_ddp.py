"""Go on training an mlpkit classifier with PyTorch DistributedDataParallel, then bring it back.

    npx mlpkit train data/iris.csv --target label --out model.json
    npx mlpkit export model.json --format pytorch --out model.safetensors    # also writes model.py
    python3 examples/pytorch-ddp/train_ddp.py model data/iris.csv label trained.safetensors   # 2 processes
    npx mlpkit import trained.safetensors --out trained.json
    npx mlpkit eval trained.json data/iris.csv

Arguments: the exported model's path without .safetensors/.py, a CSV file with the model's input
columns (its featureNames, numeric) and the target column, the target's name, the output file,
and optionally the number of epochs (default 20). Started by torchrun (or any launcher that sets
RANK, WORLD_SIZE, MASTER_ADDR, MASTER_PORT) it joins that job; started alone it spawns NPROC local
processes (default 2). Runs on CPUs with the gloo backend; on GPUs use "nccl" and move the model
and batches to each rank's device.
"""
import csv
import importlib.util
import json
import os
import socket
import sys

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import DataLoader, TensorDataset
from torch.utils.data.distributed import DistributedSampler


def main(stem, data, target, out, epochs=20):
    dist.init_process_group("gloo")
    rank = dist.get_rank()
    torch.manual_seed(0)

    # the Python file mlpkit wrote beside the weights: build(), load(), save(), METADATA
    spec = importlib.util.spec_from_file_location("exported", f"{stem}.py")
    exported = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(exported)
    model = exported.load(exported.build(), f"{stem}.safetensors")
    meta = json.loads(exported.METADATA["mlpkit"])

    # raw rows of the model's inputs, in its order (the input scaling is folded into layer 0)
    with open(data, newline="") as f:
        rows = list(csv.DictReader(f))
    x = torch.tensor([[float(r[c]) for c in meta["featureNames"]] for r in rows])
    classes = [str(c) for c in meta["classes"]]
    y = torch.tensor([classes.index(r[target]) for r in rows])

    dataset = TensorDataset(x, y)
    sampler = DistributedSampler(dataset, seed=0)  # each rank trains on its share of the rows
    loader = DataLoader(dataset, batch_size=16, sampler=sampler)
    # train on logits: model[:-1] leaves out the final Softmax and shares the Linear layers with model
    ddp = DistributedDataParallel(model[:-1])
    opt = torch.optim.Adam(ddp.parameters(), lr=1e-3)
    for epoch in range(epochs):
        sampler.set_epoch(epoch)
        for xb, yb in loader:
            opt.zero_grad()
            nn.functional.cross_entropy(ddp(xb), yb).backward()  # gradients averaged across ranks
            opt.step()

    if rank == 0:  # every rank holds the same weights; one writes them
        exported.save(model, out)
        with torch.no_grad():
            accuracy = (model(x).argmax(1) == y).float().mean().item()
        print(f"trained {epochs} epochs on {dist.get_world_size()} processes; accuracy {accuracy:.4f}; wrote {out}")
    dist.destroy_process_group()


def spawned(rank, world, args):
    os.environ.update(RANK=str(rank), WORLD_SIZE=str(world), LOCAL_RANK=str(rank))
    main(*args)


if __name__ == "__main__":
    args = (*sys.argv[1:5], *(int(a) for a in sys.argv[5:6]))
    if "RANK" in os.environ:
        main(*args)
    else:
        world = int(os.environ.get("NPROC", "2"))
        with socket.socket() as s:  # a free port for the rendezvous
            s.bind(("127.0.0.1", 0))
            os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(s.getsockname()[1]))
        torch.multiprocessing.spawn(spawned, args=(world, args), nprocs=world)
