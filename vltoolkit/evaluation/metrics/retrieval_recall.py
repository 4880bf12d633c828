"""Cross-modal retrieval: Recall@K and median rank from a similarity matrix.

For query :math:`i` with similarities :math:`s_{ij}` to the gallery and its
correct item :math:`g_i`, the rank is *conservative* in ties (the correct
item is placed after every item scoring the same)::

    rank_i = 1 + #{j : s_ij > s_ig} + #{j != g : s_ij == s_ig}

    R@K  = 100 * #{i : rank_i <= K} / N_q       (N_q: num_queries, default the
                                                 number of evaluated queries)
    MedR = median_i rank_i,   MeanR = mean_i rank_i   (over evaluated queries)

Without ties this is MCN / AVLnet's ``metrics.compute_metrics`` (rank of the
diagonal in each row sorted descending; ``MedR = median(ind) + 1``). Ties
differ. MCN computes ``ind = np.where(sort(-x) - diag(-x) == 0)[1]``: every
position of a row's sorted scores that equals the correct item's score is
an entry, so a query whose correct item ties with ``t`` others contributes
``t + 1`` entries, all counted in ``R@K = sum(ind < K) / N`` (R@K can exceed
100%: a row of identical scores adds ``min(K, N)`` hits) and in the median
(taken over the entries, not over the queries). The rank here counts each
query once and puts the correct item after every tie (the worst position),
so a degenerate model (e.g. collapsed embeddings, all scores equal) scores
chance or worse instead of perfect. With ``num_queries`` larger than the
evaluated queries, the missing ones count as failures in R@K, as in MCN's
MSR-VTT protocol (968 clips with audio, divided by 1000).
"""

import functools
from collections import OrderedDict
from typing import Any, Dict, List, Optional, Sequence, Union

import numpy as np
import torch
from mmengine.evaluator import BaseMetric

from vltoolkit.registry import METRICS

#: a similarity matrix or ground-truth ids, as numpy or torch
ArrayOrTensor = Union[np.ndarray, torch.Tensor]


def retrieval_ranks(sim: ArrayOrTensor, gt: Optional[ArrayOrTensor] = None) -> np.ndarray:
    """1-based conservative ranks of the correct items (see module doc).

    Args:
        sim (array [Nq, Ng]): similarities, higher is better.
        gt (array [Nq], optional): index of the correct gallery item of each
            query; default ``arange(Nq)`` (the diagonal).

    Example:
        >>> retrieval_ranks([[0.9, 0.9, 0.1], [0.5, 0.2, 0.7]]).tolist()
        [2, 3]
    """
    if isinstance(sim, torch.Tensor):
        sim = sim.detach().cpu().double().numpy()
    sim = np.asarray(sim, dtype=np.float64)
    if sim.ndim != 2:
        raise ValueError(f'similarity matrix must be 2-D, got shape {sim.shape}')
    if np.isnan(sim).any():
        raise ValueError('similarity matrix holds NaN (diverged embeddings?)')
    nq, ng = sim.shape
    gt = np.arange(nq) if gt is None else np.asarray(gt, dtype=np.int64).reshape(-1)
    if gt.shape[0] != nq or (nq and (gt.min() < 0 or gt.max() >= ng)):
        raise ValueError(
            f'gt must give one gallery index in [0, {ng}) per '
            f'query ({nq}), got {gt.shape[0]} values'
        )
    correct = sim[np.arange(nq), gt][:, None]
    return (sim > correct).sum(1) + (sim == correct).sum(1)


@METRICS.register_module()
class RetrievalRecall(BaseMetric):
    r"""Recall@K, median and mean rank of cross-modal retrieval.

    ``process`` keeps each sample's ``embeddings`` (modality -> ``[D]``, set
    by a dual / multi-encoder model's ``predict``, e.g. :class:`MCN`);
    ``compute_metrics`` builds, per direction, the similarity matrix
    ``query_emb @ (sum of gallery modality embs)^T`` over the evaluated
    samples (sample :math:`i`'s query matches sample :math:`i`'s gallery
    item) and scores it with :meth:`calculate`. MCN's text-to-video
    retrieval is ``query='text', gallery=('video', 'audio')``: text
    against video + audio, as in MCN's evaluation.

    Args:
        query (str): query modality of the main direction. Default ``'text'``.
        gallery (str | Sequence[str]): gallery modalities, summed. Default
            ``('video', 'audio')``.
        topk (Sequence[int]): the K of R@K. Default ``(1, 5, 10)``.
        directions (Sequence[dict], optional): more directions, each
            ``dict(query=..., gallery=..., name=...)``; their keys are
            ``{name}_R@1`` etc. (e.g. ``dict(query='video', gallery='text',
            name='v2t')``).
        num_queries (int | dict, optional): the R@K denominator (per group
            when a dict), for queries missing from the evaluated set.
        group_by (str, optional): a sample field (e.g. ``'source'``): rank
            within each group separately, keys ``{group}/R@1`` etc.
        collect_device, prefix, collect_dir: see
            :class:`mmengine.evaluator.BaseMetric`.

    Returned metrics (prefix ``retrieval/``): ``R@1``, ``R@5``, ``R@10``
    (percent), ``MedR``, ``MeanR``, ``num_queries`` for the main direction.

    Example:
        >>> metric = RetrievalRecall(query='text', gallery='video', topk=(1, 2))
        >>> metric.process(None, [
        ...     dict(embeddings=dict(text=torch.tensor([1., 0.]),
        ...                          video=torch.tensor([1., 0.]))),
        ...     dict(embeddings=dict(text=torch.tensor([1., 0.]),
        ...                          video=torch.tensor([0., 1.])))])
        >>> metric.compute_metrics(metric.results)
        {'R@1': 50.0, 'R@2': 100.0, 'MedR': 1.5, 'MeanR': 1.5, 'num_queries': 2}
    """

    default_prefix: Optional[str] = 'retrieval'

    def __init__(
        self,
        query: str = 'text',
        gallery: Union[str, Sequence[str]] = ('video', 'audio'),
        topk: Sequence[int] = (1, 5, 10),
        directions: Optional[Sequence[dict]] = None,
        num_queries: Union[int, Dict[str, int], None] = None,
        group_by: Optional[str] = None,
        collect_device: str = 'cpu',
        prefix: Optional[str] = None,
        collect_dir: Optional[str] = None,
    ) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix, collect_dir=collect_dir)
        self.directions: List[dict] = [dict(query=query, gallery=gallery, name=None)]
        for d in directions or ():
            if 'query' not in d or 'gallery' not in d or not d.get('name'):
                raise ValueError(f'a retrieval direction needs query, gallery and name, got {d}')
            self.directions.append(dict(d))
        for d in self.directions:
            d['gallery'] = (d['gallery'],) if isinstance(d['gallery'], str) else tuple(d['gallery'])
        self.topk = tuple(int(k) for k in topk)
        self.num_queries = num_queries
        self.group_by = group_by

    def _modalities(self):
        mods = []
        for d in self.directions:
            for m in (d['query'], *d['gallery']):
                if m not in mods:
                    mods.append(m)
        return mods

    def process(self, data_batch: Any, data_samples: Sequence[dict]) -> None:
        """Keep the needed embeddings (on the CPU) of every sample."""
        mods = self._modalities()
        for sample in data_samples:
            get = (
                sample.get
                if isinstance(sample, dict)
                else (lambda k, d=None, s=sample: getattr(s, k, d))
            )
            emb = get('embeddings')
            if emb is None:
                raise ValueError(
                    'RetrievalRecall: a sample has no `embeddings`; '
                    'the model predict() must set them'
                )
            missing = [m for m in mods if m not in emb]
            if missing:
                raise ValueError(
                    f'RetrievalRecall: the sample has no embedding '
                    f'for {missing} (has {sorted(emb)}); does the '
                    'data provide these modalities?'
                )
            self.results.append(
                dict(
                    emb={m: torch.as_tensor(emb[m]).detach().float().cpu() for m in mods},
                    group=get(self.group_by) if self.group_by else None,
                )
            )

    def _score(self, results, num_queries):
        out = OrderedDict()
        for d in self.directions:
            q = torch.stack([r['emb'][d['query']] for r in results])
            g = functools.reduce(
                torch.add, [torch.stack([r['emb'][m] for r in results]) for m in d['gallery']]
            )
            res = self.calculate(q @ g.t(), topk=self.topk, num_queries=num_queries)
            tag = f"{d['name']}_" if d['name'] else ''
            for key in [f'R@{k}' for k in self.topk] + ['MedR', 'MeanR', 'num_queries']:
                out[tag + key] = res[key]
        return out

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        if not results:
            raise ValueError('RetrievalRecall: no sample was evaluated')
        if not self.group_by:
            nq = self.num_queries if not isinstance(self.num_queries, dict) else None
            return dict(self._score(results, nq))
        groups: Dict[Any, List[dict]] = OrderedDict()
        for r in results:
            groups.setdefault(r['group'], []).append(r)
        out = {}
        for name, rs in groups.items():
            nq = (
                self.num_queries.get(name)
                if isinstance(self.num_queries, dict)
                else self.num_queries
            )
            out.update({f'{name}/{k}': v for k, v in self._score(rs, nq).items()})
        return out

    @staticmethod
    def calculate(
        sim: ArrayOrTensor,
        gt: Optional[ArrayOrTensor] = None,
        topk: Sequence[int] = (1, 5, 10),
        num_queries: Optional[int] = None,
    ) -> dict:
        """R@K (percent), MedR and MeanR of a plain similarity matrix.

        Args:
            sim (np.ndarray | torch.Tensor): ``[Nq, Ng]``, higher is better.
            gt (array [Nq], optional): correct gallery index per query
                (default: the diagonal).
            topk (Sequence[int]): the K values.
            num_queries (int, optional): R@K denominator (>= Nq); missing
                queries count as failures.

        Returns:
            dict: ``R@K`` per K, ``MedR``, ``MeanR`` (float), ``num_queries``
            (the denominator), ``ranks`` (1-based, int array [Nq]).

        Example:
            >>> sim = np.array([[0.9, 0.9, 0.1],    # tie with the correct one
            ...                 [0.2, 0.8, 0.1],    # rank 1
            ...                 [0.5, 0.4, 0.3]])   # rank 3
            >>> res = RetrievalRecall.calculate(sim, topk=(1, 2))
            >>> res['ranks'].tolist(), round(res['R@1'], 2), round(res['R@2'], 2)
            ([2, 1, 3], 33.33, 66.67)
            >>> res['MedR'], res['MeanR']
            (2.0, 2.0)
            >>> RetrievalRecall.calculate(sim, topk=(1,), num_queries=4)['R@1']
            25.0
        """
        ranks = retrieval_ranks(sim, gt)
        denom = len(ranks) if num_queries is None else int(num_queries)
        if denom < len(ranks):
            raise ValueError(
                f'num_queries={denom} is smaller than the {len(ranks)} evaluated queries'
            )
        out: Dict[str, Any] = {
            f'R@{k}': 100.0 * float((ranks <= k).sum()) / max(denom, 1) for k in topk
        }
        out['MedR'] = float(np.median(ranks)) if len(ranks) else float('nan')
        out['MeanR'] = float(ranks.mean()) if len(ranks) else float('nan')
        out['num_queries'] = denom
        out['ranks'] = ranks
        return out
