"""Driver for test/interop/torch.test.ts: for each case in DIR/cases.json, load the exported
weights with the generated Python file, answer on the rows, train a few SGD steps, save the
trained weights with the same file's save(), and export the trained net with torch.onnx.
Prints one JSON object: {"safetensors_package": bool, "cases": {name: {"loaded", "trained"}}}."""
import importlib.util
import json
import sys

import torch
from torch import nn

torch.set_num_threads(1)
d = sys.argv[1]
spec = json.load(open(f"{d}/cases.json"))
result = {"cases": {}}
for case in spec:
    name = case["name"]
    mod_spec = importlib.util.spec_from_file_location(name, f"{d}/{name}.py")
    mod = importlib.util.module_from_spec(mod_spec)
    mod_spec.loader.exec_module(mod)
    result["safetensors_package"] = mod.load_file.__module__.startswith("safetensors")
    model = mod.load(mod.build(), f"{d}/{name}.safetensors")
    x = torch.tensor(case["x"], dtype=torch.float32)
    with torch.no_grad():
        loaded = model(x).tolist()

    # a few steps of training in PyTorch, on logits where the net ends in softmax/sigmoid
    torch.manual_seed(0)
    opt = torch.optim.SGD(model.parameters(), lr=case["lr"])
    y = torch.tensor(case["y"])
    for _ in range(5):
        opt.zero_grad()
        if case["task"] == "softmax":
            loss = nn.functional.cross_entropy(model[:-1](x), y.long())
        elif case["task"] == "sigmoid":
            loss = nn.functional.binary_cross_entropy_with_logits(model[:-1](x)[:, 0], y.float())
        else:
            loss = nn.functional.mse_loss(model(x)[:, 0], y.float())
        loss.backward()
        opt.step()
    mod.save(model, f"{d}/{name}.trained.safetensors")
    with torch.no_grad():
        trained = model(x).tolist()
    torch.onnx.export(model, x[:1], f"{d}/{name}.trained.onnx", input_names=["input"], output_names=["output"],
                      dynamic_axes={"input": {0: "N"}, "output": {0: "N"}}, opset_version=13)
    result["cases"][name] = {"loaded": loaded, "trained": trained}
print(json.dumps(result))
