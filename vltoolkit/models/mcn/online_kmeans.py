"""Online spherical k-means over a queue of fused embeddings (MCN)."""

import torch
import torch.nn as nn
import torch.nn.functional as F


def cosine_kmeans(x: torch.Tensor, init: torch.Tensor, num_iters: int = 20):
    """Cosine k-means (``fast_pytorch_kmeans.KMeans(mode='cosine')`` as MCN
    uses it): assign each row of ``x [N, D]`` to the centroid of highest
    cosine similarity, move each centroid to the mean of its rows (raw
    features, not normalised); an empty cluster keeps its centroid. Stops
    when the assignment no longer changes. Returns ``(centroids, labels)``."""
    centroids = init.clone()
    labels = None
    xn = F.normalize(x, dim=1)
    for _ in range(num_iters):
        new = (xn @ F.normalize(centroids, dim=1).t()).argmax(1)
        if labels is not None and torch.equal(new, labels):
            break
        labels = new
        onehot = F.one_hot(labels, centroids.shape[0]).to(x.dtype)
        counts = onehot.sum(0)
        sums = onehot.t() @ x
        filled = counts > 0
        centroids[filled] = sums[filled] / counts[filled, None]
    return centroids, labels


class OnlineKMeans(nn.Module):
    r"""MCN's multimodal k-means, run online during training.

    Every step (:meth:`step`) gets the batch's fused embeddings
    :math:`f_i = \frac{1}{|M|}\sum_m e^m_i` (detached). The points clustered
    are ``cat(queue, batch)``; every ``refit_interval`` steps (and on the
    first one) cosine k-means is re-fitted on them, warm-started from the
    current centroids (from ``num_clusters`` points drawn with a generator
    seeded by ``seed + number of fits`` the first time); in between, each
    clip is assigned to the centroid of highest cosine similarity. Then the
    batch enters the FIFO queue of ``queue_size`` vectors (MCN:
    ``--fastC 1``, queue of 20 steps, refit every 20 iterations).

    The centroids, the queue and the counters are **buffers**: they are in
    the ``state_dict``, so a checkpoint resumes the clustering exactly.
    :meth:`reset` empties everything (a new training stage: the fused
    embeddings change meaning when the modalities do).

    Args:
        num_clusters (int): :math:`K` (MCN 256).
        dim (int): embedding dim.
        queue_size (int): vectors kept from past steps (MCN 40,960); 0 = none.
        refit_interval (int): steps between full k-means fits (MCN 20).
        num_iters (int): Lloyd iterations per fit. Default 20.
        seed (int): seed of the initial centroids.
    """

    def __init__(
        self,
        num_clusters: int,
        dim: int,
        queue_size: int = 0,
        refit_interval: int = 20,
        num_iters: int = 20,
        seed: int = 0,
    ):
        super().__init__()
        self.num_clusters = num_clusters
        self.refit_interval = max(1, refit_interval)
        self.num_iters = num_iters
        self.seed = seed
        self.register_buffer('centroids', torch.zeros(num_clusters, dim))
        self.register_buffer('queue', torch.zeros(queue_size, dim))
        self.register_buffer('queue_len', torch.zeros((), dtype=torch.long))
        self.register_buffer('num_steps', torch.zeros((), dtype=torch.long))
        self.register_buffer('num_fits', torch.zeros((), dtype=torch.long))

    @property
    def initialized(self) -> bool:
        return bool(self.num_fits > 0)

    def reset(self) -> None:
        for buf in (self.centroids, self.queue, self.queue_len, self.num_steps, self.num_fits):
            buf.zero_()

    def _init_centroids(self, points):
        gen = torch.Generator().manual_seed(self.seed + int(self.num_fits))
        n = points.shape[0]
        if n >= self.num_clusters:
            idx = torch.randperm(n, generator=gen)[: self.num_clusters]
        else:
            idx = torch.randint(n, (self.num_clusters,), generator=gen)
        return points[idx.to(points.device)].clone()

    @torch.no_grad()
    def step(self, fused: torch.Tensor) -> torch.Tensor:
        """Update with the batch ``fused [B, D]``; returns its labels ``[B]``."""
        fused = fused.detach().to(self.centroids.dtype)
        points = torch.cat([self.queue[: int(self.queue_len)], fused])
        if not self.initialized or int(self.num_steps) % self.refit_interval == 0:
            init = self.centroids if self.initialized else self._init_centroids(points)
            centroids, labels = cosine_kmeans(points, init, self.num_iters)
            self.centroids.copy_(centroids)
            self.num_fits += 1
            labels = labels[-fused.shape[0] :]
        else:
            labels = self.assign(fused)
        self._push(fused)
        self.num_steps += 1
        return labels

    def assign(self, x: torch.Tensor) -> torch.Tensor:
        """Index of the centroid of highest cosine similarity, per row."""
        return (F.normalize(x, dim=1) @ F.normalize(self.centroids, dim=1).t()).argmax(1)

    def _push(self, fused):
        size = self.queue.shape[0]
        if size == 0:
            return
        fused = fused[-size:]
        n = fused.shape[0]
        # newest first: shift the queue back by n, write the batch in front
        self.queue[n:] = self.queue[: size - n].clone()
        self.queue[:n] = fused
        self.queue_len.fill_(min(size, int(self.queue_len) + n))
