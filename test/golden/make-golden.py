# Golden values from PyTorch: forward loss, every gradient, and three optimizer steps, for small
# MLPs in float64. Run once with Debian's PyTorch (apt-get install python3-torch):
#   /usr/bin/python3 test/golden/make-golden.py > test/golden/pytorch.json
# test/core/golden.test.ts compares mlpkit against this file. Weight decay goes on W only (two
# parameter groups), which is mlpkit's convention.
import json, math
import torch

torch.manual_seed(0)
torch.set_default_dtype(torch.float64)

ACTS = {
    'identity': lambda a: a,
    'sigmoid': torch.sigmoid,
    'tanh': torch.tanh,
    'relu': torch.relu,
    'leakyRelu': lambda a: torch.nn.functional.leaky_relu(a, 0.01),
    'elu': lambda a: torch.nn.functional.elu(a, 1.0),
    'softplus': torch.nn.functional.softplus,
    'gelu': lambda a: torch.nn.functional.gelu(a),  # exact erf form
}

def loss_fn(name, z, y):
    B, m = z.shape
    if name == 'crossentropy':
        return torch.nn.functional.cross_entropy(z, y.argmax(1), reduction='mean')
    if name == 'bce':
        return torch.nn.functional.binary_cross_entropy_with_logits(z, y, reduction='mean')
    if name == 'mse':
        return torch.nn.functional.mse_loss(z, y, reduction='mean')
    if name == 'sse':
        return 0.5 * ((z - y) ** 2).sum() / B
    if name == 'mae':
        return torch.nn.functional.l1_loss(z, y, reduction='mean')
    if name == 'huber':
        return torch.nn.functional.huber_loss(z, y, reduction='mean', delta=1.0)

CASES = [
    dict(name='tanh-relu softmax crossentropy', sizes=[4, 5, 3, 3], acts=['tanh', 'relu'], out='softmax', loss='crossentropy', B=6),
    dict(name='gelu sigmoid bce', sizes=[3, 6, 1], acts=['gelu'], out='sigmoid', loss='bce', B=5),
    dict(name='elu-softplus identity mse', sizes=[3, 4, 4, 2], acts=['elu', 'softplus'], out='identity', loss='mse', B=7),
    dict(name='leakyRelu-sigmoid identity huber', sizes=[2, 5, 3, 2], acts=['leakyRelu', 'sigmoid'], out='identity', loss='huber', B=4),
    dict(name='tanh sigmoid sse', sizes=[2, 4, 1], acts=['tanh'], out='sigmoid', loss='sse', B=3),
    dict(name='relu identity mae', sizes=[3, 5, 2], acts=['relu'], out='identity', loss='mae', B=5),
]

OPTS = [
    ('sgd', dict(lr=0.1), lambda g, lr: torch.optim.SGD(g, lr=lr)),
    ('momentum', dict(lr=0.1, weightDecay=0.01), lambda g, lr: torch.optim.SGD(g, lr=lr, momentum=0.9)),
    ('nesterov', dict(lr=0.1), lambda g, lr: torch.optim.SGD(g, lr=lr, momentum=0.9, nesterov=True)),
    ('adam', dict(lr=0.01, weightDecay=0.01), lambda g, lr: torch.optim.Adam(g, lr=lr)),
    ('adamw', dict(lr=0.01, weightDecay=0.05), lambda g, lr: torch.optim.AdamW(g, lr=lr)),
    ('rmsprop', dict(lr=0.01), lambda g, lr: torch.optim.RMSprop(g, lr=lr)),
    ('adagrad', dict(lr=0.1), lambda g, lr: torch.optim.Adagrad(g, lr=lr)),
]

def forward(Ws, bs, acts, out, loss, x):
    h = x
    for l, (W, b) in enumerate(zip(Ws, bs)):
        a = h @ W.T + b
        if l < len(Ws) - 1:
            h = ACTS[acts[l]](a)
        else:
            h = a if loss in ('crossentropy', 'bce') else (torch.softmax(a, 1) if out == 'softmax' else ACTS[out](a))
    return h

out_cases = []
for c in CASES:
    sizes = c['sizes']
    Ws0 = [torch.empty(sizes[i + 1], sizes[i]).uniform_(-1, 1) for i in range(len(sizes) - 1)]
    bs0 = [torch.empty(sizes[i + 1]).uniform_(-0.5, 0.5) for i in range(len(sizes) - 1)]
    x = torch.empty(c['B'], sizes[0]).uniform_(-2, 2)
    m = sizes[-1]
    if c['loss'] == 'crossentropy':
        y = torch.nn.functional.one_hot(torch.randint(0, m, (c['B'],)), m).double()
    elif c['loss'] == 'bce':
        y = torch.randint(0, 2, (c['B'], m)).double()
    else:
        y = torch.empty(c['B'], m).uniform_(-1, 1)
    Ws = [W.clone().requires_grad_() for W in Ws0]
    bs = [b.clone().requires_grad_() for b in bs0]
    L = loss_fn(c['loss'], forward(Ws, bs, c['acts'], c['out'], c['loss'], x), y)
    L.backward()
    case = dict(c, W=[W.tolist() for W in Ws0], b=[b.tolist() for b in bs0], x=x.tolist(), y=y.tolist(),
                L=L.item(), dW=[W.grad.tolist() for W in Ws], db=[b.grad.tolist() for b in bs], steps={})
    for name, cfg, make in OPTS:
        Ws = [W.clone().requires_grad_() for W in Ws0]
        bs = [b.clone().requires_grad_() for b in bs0]
        wd = cfg.get('weightDecay', 0.0)
        groups = [dict(params=Ws, weight_decay=wd), dict(params=bs, weight_decay=0.0)]
        opt = make(groups, cfg['lr'])
        for _ in range(3):
            opt.zero_grad()
            loss_fn(c['loss'], forward(Ws, bs, c['acts'], c['out'], c['loss'], x), y).backward()
            opt.step()
        case['steps'][name] = dict(cfg, W=[W.tolist() for W in Ws], b=[b.tolist() for b in bs])
    out_cases.append(case)

print(json.dumps(dict(torch=torch.__version__, cases=out_cases)))
