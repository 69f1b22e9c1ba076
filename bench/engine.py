"""Engine benchmark: prints figures, asserts nothing. Run it as `python bench/engine.py [--repeats N]`.

1. engine.run() on each preset: median wall time over several repeats.
2. The largest config that passes validation (every size at its cap, steps as many as the record_numbers cap
   allows): engine.run() against two loops that record nothing and check nothing, each building and
   initialising its layers from a local generator and then doing, per step, zero_grad, forward, mse, backward
   and the optimizer step:
     - "same network": the engine's own TinyNet and init_ (so its relu with the chosen slope at 0), trained
       the way a PyTorch script would be, with torch.optim: what recording and the by-hand check cost over a
       plain training loop. Target: ratio within 2x.
     - "plain torch": nn.Embedding, nn.Linear and torch.relu, with torch.optim, for reference.
     - "same net, app's optim": the same network with the app's written-out optimizers (explainer/optim.py,
       the same arithmetic as torch.optim without its per-step overhead), for reference: the engine's own
       recording cost against a loop that shares everything else with it.
   Timed with torch's default thread count and with one thread: intra-op threads only add overhead on
   tensors this small, and on a busy machine they can cost far more than the work itself.
3. The record's memory at the caps: the bytes of every tensor the Run holds, the Python heap it adds
   (tracemalloc; torch's tensor storage is not on it) and the process RSS growth. Target: under 50 MB.
"""

from __future__ import annotations

import argparse
import gc
import math
import statistics
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from torch import nn  # noqa: E402

from explainer import optim  # noqa: E402
from explainer.config import DEFAULT_CAPS, ConfigError, RunConfig, preset, record_numbers  # noqa: E402
from explainer.engine import Run, run  # noqa: E402
from explainer.model import TinyNet, init_  # noqa: E402

MB = 1024 * 1024


def at_caps() -> RunConfig:
    """Every size at its cap; then the most steps whose record still fits under the record_numbers cap."""
    V, B = DEFAULT_CAPS["vocab_size"], DEFAULT_CAPS["batch"]
    base = dict(
        vocab_size=V,
        embed_dim=DEFAULT_CAPS["embed_dim"],
        out_dim=DEFAULT_CAPS["out_dim"],
        tokens=tuple(i * 7 % V for i in range(B)),
        device="cpu",
    )
    for steps in range(DEFAULT_CAPS["steps"], 0, -1):
        try:
            return RunConfig(steps=steps, **base)
        except ConfigError:
            continue
    raise SystemExit("no config at the caps passes validation")


TORCH_OPTIM = {
    "sgd": lambda ps, lr: torch.optim.SGD(ps, lr=lr),
    "momentum": lambda ps, lr: torch.optim.SGD(ps, lr=lr, momentum=0.9),
    "adam": lambda ps, lr: torch.optim.Adam(ps, lr=lr),
}


def train(c: RunConfig, params: list[torch.Tensor], forward, optimizers=TORCH_OPTIM) -> torch.Tensor:
    opt = optimizers[c.optimizer](params, c.lr)
    x = torch.tensor(c.tokens)
    y = torch.tensor(c.y, dtype=torch.float64)
    for _ in range(c.steps):
        opt.zero_grad()
        l = F.mse_loss(forward(x), y)
        l.backward()
        opt.step()
    return l.detach()


def same_network(c: RunConfig, optimizers=TORCH_OPTIM) -> torch.Tensor:
    net = TinyNet(c)
    init_(net, c, torch.Generator().manual_seed(c.seed))
    return train(c, list(net.parameters()), lambda x: net(x)[2], optimizers)


def same_network_app_optimizers(c: RunConfig) -> torch.Tensor:
    return same_network(c, optim.BY_NAME)


def plain_torch(c: RunConfig) -> torch.Tensor:
    g = torch.Generator().manual_seed(c.seed)
    embed = nn.utils.skip_init(nn.Embedding, c.vocab_size, c.embed_dim, dtype=torch.float64)
    fc = nn.utils.skip_init(nn.Linear, c.embed_dim, c.out_dim, bias=c.has_bias, dtype=torch.float64)
    with torch.no_grad():
        nn.init.normal_(embed.weight, generator=g)
        nn.init.kaiming_uniform_(fc.weight, a=math.sqrt(5), generator=g)
        if fc.bias is not None:
            nn.init.uniform_(fc.bias, -(c.embed_dim**-0.5), c.embed_dim**-0.5, generator=g)
    params = [embed.weight, fc.weight] + ([fc.bias] if fc.bias is not None else [])
    return train(c, params, lambda x: torch.relu(fc(embed(x))))


def median_time(fn, repeats: int) -> float:
    fn()  # warm-up: first-call costs (kernels, allocator) are not what we measure
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rss_bytes() -> int:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * (1 << 12)


def tensor_bytes(r: Run) -> int:
    tensors = [r.x, r.y, *r.final.values()]
    for s in r.steps:
        tensors += [*s.params.values(), *s.values.values(), *s.grads.values()]
    return sum(t.numel() * t.element_size() for t in tensors)


def memory_at(c: RunConfig) -> tuple[int, int, int]:
    gc.collect()
    rss0 = rss_bytes()
    tracemalloc.start()
    r = run(c)
    heap = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    rss = rss_bytes() - rss0
    return tensor_bytes(r), heap, rss


def timing_at(c: RunConfig, repeats: int) -> None:
    for threads in dict.fromkeys([torch.get_num_threads(), 1]):  # torch's default, then one thread
        torch.set_num_threads(threads)
        engine_t = median_time(lambda: run(c), repeats)
        print(f"   {threads} thread{'s' if threads > 1 else ''}:")
        print(f"     engine.run:                {engine_t * 1e3:8.2f} ms  ({engine_t / c.steps * 1e3:.3f} ms per step)")
        loops = (
            ("same network", same_network),
            ("plain torch", plain_torch),
            ("same net, app's optim", same_network_app_optimizers),
        )
        for label, loop in loops:
            t = median_time(lambda loop=loop: loop(c), repeats)
            ratio = engine_t / t
            target = f"  (target within 2x: {'met' if ratio <= 2 else 'MISSED'})" if loop is same_network else ""
            print(f"     {label + ' loop:':27s}{t * 1e3:8.2f} ms  -> engine / loop = {ratio:.2f}x{target}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=15)
    args = ap.parse_args()
    c = at_caps()
    # memory first, before anything big has run, so the RSS growth is this run's
    run(preset(1))  # load kernels and lazy modules so they do not count as the record
    record, heap, rss = memory_at(c)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, python {sys.version.split()[0]}")
    print(f"\n1. engine.run per preset (median of {args.repeats})")
    for n in range(6):
        t = median_time(lambda n=n: run(preset(n)), args.repeats)
        print(f"   experiment {n}: {t * 1e3:8.2f} ms   ({preset(n).steps} steps)")
    print(
        f"\n2. at the caps: vocab_size {c.vocab_size}, embed_dim {c.embed_dim}, out_dim {c.out_dim}, "
        f"batch {c.batch}, steps {c.steps} ({record_numbers(c):,} numbers recorded; cap "
        f"{DEFAULT_CAPS['record_numbers']:,}); medians of {args.repeats}"
    )
    timing_at(c, args.repeats)
    print("\n3. the record's memory at the caps")
    verdict = "met" if max(record, rss) < 50 * MB else "MISSED"
    print(f"   tensor bytes in the Run: {record / MB:7.2f} MB  (target under 50 MB: {verdict})")
    print(f"   Python heap (tracemalloc, excludes tensor storage): {heap / MB:7.2f} MB")
    print(f"   process RSS growth while holding the Run: {rss / MB:7.2f} MB")


if __name__ == "__main__":
    main()
