"""The seed model's training epoch in JAX, the strongest speed peer: the whole epoch one jitted
`lax.scan` over batches (784-512-256-10, ReLU, dropout 0.5 after each hidden activation, SGD
lr 0.01 momentum 0.5 in PyTorch's form, batch 32, log-softmax + NLL), data preloaded as a
device array, shuffled each epoch. Prints `train_seconds=S` per epoch after a first, compiling
one. Run by scripts/bench-jax.sh (one core, XLA's single-thread flags) and, with --hidden and
--batch, by scripts/bench-threads.sh (XLA's Eigen threads on or off, pinned to one or two cores).

    python bench/jax_epoch.py [--reps N] [--data data/mnist] [--hidden 512,256] [--batch 32]
"""
import argparse
import os
import sys
import time

import jax
import jax.numpy as jnp
import numpy as np


sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from mnist_files import find, idx  # noqa: E402

def init(key, sizes):
    """nn.Linear's initialisation: uniform ±1/sqrt(fan_in) for weights and biases."""
    params = []
    for fan_in, fan_out in zip(sizes, sizes[1:]):
        key, kw, kb = jax.random.split(key, 3)
        bound = 1 / np.sqrt(fan_in)
        params.append((jax.random.uniform(kw, (fan_in, fan_out), minval=-bound, maxval=bound),
                       jax.random.uniform(kb, (fan_out,), minval=-bound, maxval=bound)))
    return params


def loss(params, x, y, key):
    h = x
    for i, (w, b) in enumerate(params):
        h = h @ w + b
        if i < len(params) - 1:
            h = jax.nn.relu(h)
            key, k = jax.random.split(key)
            keep = jax.random.bernoulli(k, 0.5, h.shape)
            h = jnp.where(keep, h / 0.5, 0.0)
    logp = jax.nn.log_softmax(h)
    return -jnp.mean(jnp.take_along_axis(logp, y[:, None], axis=1))


@jax.jit
def epoch(params, velocity, xs, ys, key):
    """One pass over the batches xs [steps, batch, 784], ys [steps, batch]: SGD with momentum."""
    def step(carry, batch):
        params, velocity, key = carry
        x, y = batch
        key, k = jax.random.split(key)
        value, grads = jax.value_and_grad(loss)(params, x, y, k)
        velocity = jax.tree_util.tree_map(lambda v, g: 0.5 * v + g, velocity, grads)
        params = jax.tree_util.tree_map(lambda p, v: p - 0.01 * v, params, velocity)
        return (params, velocity, key), value
    (params, velocity, key), losses = jax.lax.scan(step, (params, velocity, key), (xs, ys))
    return params, velocity, losses.mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--data", default="data/mnist")
    ap.add_argument("--hidden", default="512,256")
    ap.add_argument("--batch", type=int, default=32)
    args = ap.parse_args()
    batch = args.batch
    sizes = [784] + [int(h) for h in args.hidden.split(",")] + [10]
    images = idx(find(args.data, "train-images-idx3-ubyte")).reshape(-1, 784).astype(np.float32) / 255
    labels = idx(find(args.data, "train-labels-idx1-ubyte")).astype(np.int32)
    steps = len(labels) // batch
    key = jax.random.PRNGKey(1)
    params = init(key, sizes)
    velocity = jax.tree_util.tree_map(jnp.zeros_like, params)
    x_all, y_all = jnp.asarray(images), jnp.asarray(labels)
    rng = np.random.default_rng(1)
    for rep in range(args.reps + 1):
        order = jnp.asarray(rng.permutation(len(labels))[: steps * batch])
        xs = x_all[order].reshape(steps, batch, 784)
        ys = y_all[order].reshape(steps, batch)
        xs.block_until_ready()
        start = time.perf_counter()
        params, velocity, mean_loss = epoch(params, velocity, xs, ys, jax.random.PRNGKey(rep))
        mean_loss.block_until_ready()
        seconds = time.perf_counter() - start
        label = "compile_and_train_seconds" if rep == 0 else "train_seconds"
        print(f"{label}={seconds:.4f} loss={float(mean_loss):.4f}", flush=True)


if __name__ == "__main__":
    main()
