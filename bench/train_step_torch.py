"""PyTorch anchor of bench/train_bench.ts: the same contrastive training step in PyTorch.

The model is built from the avscene preset config passed as JSON (the same trunks, however
many layers the config lists, "same" padding as tfjs (zeros, or reflection where the config sets
"padding": "reflect"), positional or group norm, the audio
trunk's frequency channel where the config sets "frequencyChannel", per-position projection), then soft K-means
(centers from positions floor(k N / K), T iterations), structural alignment, the contrastive
loss over (audio i, frame i) and (audio i, frame i+1 mod B) and Adam with L2 weight decay, as
lib/model and lib/train. Inputs are random tensors of the bench's shapes.

Protocol (so the bench can interleave it with its own timing): argv = config JSON, batch,
frames, threads, seed; then for every line "N" read from stdin, run N steps and print one line
of JSON: {"ms": [per-step wall milliseconds], "cpu_ms": [per-step process CPU milliseconds, all
threads]}. Exit on EOF.
"""
import json
import math
import sys
import time

import torch
import torch.nn.functional as F


def same_pad(size, k, s):
    out = -(-size // s)
    pad = max((out - 1) * s + k - size, 0)
    return pad // 2, pad - pad // 2


class Trunk(torch.nn.Module):
    def __init__(self, in_c, layers, groups, padding="zeros"):
        super().__init__()
        if padding not in ("zeros", "reflect"):
            raise ValueError(f'train_step_torch: config "padding" must be "zeros" or "reflect", got {padding!r}')
        self.layers, self.groups = layers, groups
        # F.pad's mode for the convolutions' borders
        self.pad_mode = "reflect" if padding == "reflect" else "constant"
        self.params = torch.nn.ParameterDict()
        c = in_c
        for i, layer in enumerate(layers):
            if layer["type"] == "conv":
                self._conv(f"{i}", c, layer["out"], layer["kernel"])
                c = layer["out"]
            elif layer["type"] == "res":
                for b in range(layer["blocks"]):
                    stride = layer["stride"] if b == 0 else 1
                    self._conv(f"{i}_{b}_a", c, layer["out"], 3)
                    self._conv(f"{i}_{b}_b", layer["out"], layer["out"], 3)
                    if stride != 1 or c != layer["out"]:
                        self._conv(f"{i}_{b}_skip", c, layer["out"], 1)
                    c = layer["out"]
        self.out_channels = c

    def _conv(self, name, in_c, out_c, k):
        w = torch.randn(out_c, in_c, k, k) * math.sqrt(2.0 / (k * k * in_c))
        self.params[name + "_w"] = torch.nn.Parameter(w)
        self.params[name + "_g"] = torch.nn.Parameter(torch.ones(out_c))
        self.params[name + "_b"] = torch.nn.Parameter(torch.zeros(out_c))

    def _apply(self, name, x, stride, relu):
        w = self.params[name + "_w"]
        k = w.shape[2]
        top, bottom = same_pad(x.shape[2], k, stride)
        left, right = same_pad(x.shape[3], k, stride)
        y = F.conv2d(F.pad(x, (left, right, top, bottom), mode=self.pad_mode), w, stride=stride)
        g, b = self.params[name + "_g"], self.params[name + "_b"]
        if self.groups == 0:  # positional norm: each position over channels
            mean = y.mean(1, keepdim=True)
            var = y.var(1, keepdim=True, unbiased=False)
            y = (y - mean) / torch.sqrt(var + 1e-5) * g[None, :, None, None] + b[None, :, None, None]
        else:
            c = y.shape[1]
            gr = max(1, min(self.groups, c))
            while c % gr:
                gr -= 1
            y = F.group_norm(y, gr, g, b, eps=1e-5)
        return F.relu(y) if relu else y

    def forward(self, x):
        for i, layer in enumerate(self.layers):
            if layer["type"] == "conv":
                x = self._apply(f"{i}", x, layer["stride"], True)
            elif layer["type"] == "maxpool":
                top, bottom = same_pad(x.shape[2], 3, layer["stride"])
                left, right = same_pad(x.shape[3], 3, layer["stride"])
                x = F.max_pool2d(F.pad(x, (left, right, top, bottom), value=-math.inf), 3,
                                 layer["stride"])
            else:
                for b in range(layer["blocks"]):
                    stride = layer["stride"] if b == 0 else 1
                    a = self._apply(f"{i}_{b}_a", x, stride, True)
                    out = self._apply(f"{i}_{b}_b", a, 1, False)
                    skip = (self._apply(f"{i}_{b}_skip", x, stride, False)
                            if f"{i}_{b}_skip_w" in self.params else x)
                    x = F.relu(out + skip)
        return x


def soft_kmeans(x, k, iterations=4, beta=30.0):
    n = x.shape[1]
    centers = torch.stack([x[:, (i * n) // k] for i in range(k)], 1)
    xsq = (x * x).sum(2, keepdim=True)
    for _ in range(iterations):
        sq = xsq - 2 * torch.bmm(x, centers.transpose(1, 2)) + (centers * centers).sum(2)[:, None]
        w = torch.softmax(-beta * torch.sqrt(torch.clamp(sq, min=1e-10)), 2)  # [B, N, K]
        mass = torch.clamp(w.sum(1), min=1e-8)[:, :, None]
        centers = torch.bmm(w.transpose(1, 2), x) / mass
    return centers


def scene_distance2(vc, ac):
    d = ((vc[:, :, None] - ac[:, None]) ** 2).sum(3)
    return d.min(1).values.sum(1)


def main():
    config = json.loads(sys.argv[1])
    batch, frames, threads, seed = (int(v) for v in sys.argv[2:6])
    torch.set_num_threads(threads)
    torch.manual_seed(seed)
    padding = config.get("padding", "zeros")
    visual = Trunk(3, config["visual"], config["groups"], padding)
    # with "frequencyChannel" the audio trunk also reads each mel band's position (-1 .. 1)
    freq = bool(config.get("frequencyChannel", False))
    audio = Trunk(2 if freq else 1, config["audio"], config["groups"], padding)
    emb = config["embedding"]
    proj = torch.nn.ModuleDict({
        "visual": torch.nn.Linear(visual.out_channels, emb),
        "audio": torch.nn.Linear(audio.out_channels, emb),
    })
    params = list(visual.parameters()) + list(audio.parameters()) + list(proj.parameters())
    opt = torch.optim.Adam(params, lr=1e-4, weight_decay=1e-4)
    size = config["imageSize"]
    images = torch.rand(batch, 3, size, size)
    log_mel = torch.randn(batch, 1, frames, config["nMels"])
    labels = torch.cat([torch.ones(batch), torch.zeros(batch)])

    def embed(net, name, x):
        h = net(x)
        b, c = h.shape[:2]
        return proj[name](h.permute(0, 2, 3, 1).reshape(b, -1, c))

    def step():
        opt.zero_grad()
        v = embed(visual, "visual", (images - 0.5) / 0.25)
        mean = log_mel.mean((2, 3), keepdim=True)
        var = log_mel.var((2, 3), keepdim=True, unbiased=False)
        a_in = (log_mel - mean) / torch.sqrt(var + 1e-6)
        if freq:
            bands = torch.linspace(-1, 1, a_in.shape[3]).view(1, 1, 1, -1).expand_as(a_in)
            a_in = torch.cat([a_in, bands], 1)
        a = embed(audio, "audio", a_in)
        vc, ac = soft_kmeans(v, 2), soft_kmeans(a, 1)
        d2 = torch.cat([scene_distance2(vc, ac), scene_distance2(torch.roll(vc, -1, 0), ac)])
        d = torch.sqrt(F.relu(d2) + 1e-10)
        per = labels * d2 + (1 - labels) * F.relu(5 - d) ** 2
        loss = 0.5 * per.mean()
        loss.backward()
        opt.step()
        return loss.item()

    for line in sys.stdin:
        n = int(line)
        ms, cpu_ms = [], []
        for _ in range(n):
            t0, c0 = time.perf_counter(), time.process_time()
            step()
            cpu_ms.append((time.process_time() - c0) * 1000)
            ms.append((time.perf_counter() - t0) * 1000)
        print(json.dumps({"ms": ms, "cpu_ms": cpu_ms}), flush=True)


if __name__ == "__main__":
    main()
