"""RetrievalRecall against a hand-computed ranking, ties counted against us."""

import doctest

import numpy as np
import pytest
import torch

from vltoolkit.evaluation import RetrievalRecall, retrieval_ranks
from vltoolkit.evaluation.metrics import retrieval_recall as module
from vltoolkit.registry import METRICS

# rows: queries, columns: gallery; the correct item of query i is column i
SIM = np.array(
    [
        # q0: correct 0.9 is the strict maximum                    -> rank 1
        [0.9, 0.1, 0.2, 0.3, 0.0, 0.0],
        # q1: correct 0.5 ties with one other item, below one more -> 1 + 1 + 1 = 3
        [0.7, 0.5, 0.5, 0.1, 0.0, 0.0],
        # q2: everything equal: ties count against us              -> rank 6
        [0.4, 0.4, 0.4, 0.4, 0.4, 0.4],
        # q3: five items above the correct one                     -> rank 6
        [0.9, 0.8, 0.7, 0.1, 0.6, 0.5],
        # q4: two above, one tie                                   -> rank 4
        [0.3, 0.9, 0.1, 0.2, 0.2, 0.1],
    ]
)
RANKS = [1, 3, 6, 6, 4]


def test_ranks_with_ties_match_a_hand_computed_ranking():
    assert retrieval_ranks(SIM).tolist() == RANKS
    res = RetrievalRecall.calculate(SIM, topk=(1, 3, 5, 10))
    assert res['R@1'] == pytest.approx(100 * 1 / 5)
    assert res['R@3'] == pytest.approx(100 * 2 / 5)
    assert res['R@5'] == pytest.approx(100 * 3 / 5)
    assert res['R@10'] == pytest.approx(100.0)
    assert res['MedR'] == 4.0 and res['MeanR'] == pytest.approx(np.mean(RANKS))
    # a torch tensor gives the same
    assert RetrievalRecall.calculate(torch.tensor(SIM), topk=(1,))['R@1'] == res['R@1']


def mcn_compute_metrics(x):
    """MCN's ``metrics.compute_metrics`` (brian7685/Multimodal-Clustering-
    Network), transcribed, in percent."""
    sx = np.sort(-x, axis=1)
    d = np.diag(-x)[:, np.newaxis]
    ind = np.where(sx - d == 0)[1]
    n = x.shape[0]
    return {
        'R@1': 100 * float(np.sum(ind == 0)) / n,
        'R@5': 100 * float(np.sum(ind < 5)) / n,
        'R@10': 100 * float(np.sum(ind < 10)) / n,
        'MedR': np.median(ind) + 1,
    }


def test_mcn_counts_every_tied_position_we_count_each_query_once():
    """The module docstring's account of MCN's ties, checked."""
    rng = np.random.default_rng(0)
    for n in (7, 30):  # no ties: the two agree
        sim = rng.standard_normal((n, n))
        ours = RetrievalRecall.calculate(sim)
        mcn = mcn_compute_metrics(sim)
        for key in ('R@1', 'R@5', 'R@10', 'MedR'):
            assert ours[key] == pytest.approx(mcn[key]), key
    # collapsed embeddings, every score equal: MCN gives R@1 100% and R@5 500%
    flat = np.ones((12, 12))
    mcn = mcn_compute_metrics(flat)
    assert (mcn['R@1'], mcn['R@5'], mcn['R@10']) == (100.0, 500.0, 1000.0)
    ours = RetrievalRecall.calculate(flat)
    assert (ours['R@1'], ours['R@5'], ours['R@10'], ours['MedR']) == (0.0, 0.0, 0.0, 12.0)
    # one query tied with two others: MCN adds 3 entries, we rank it 3rd once
    sim = np.eye(4)
    sim[0, 1] = sim[0, 2] = 1.0
    assert mcn_compute_metrics(sim)['R@5'] == 100 * 6 / 4
    assert retrieval_ranks(sim).tolist() == [3, 1, 1, 1]


def test_explicit_gt_transposed_direction_and_missing_queries():
    # gt: query i matches column perm[i]
    perm = np.array([2, 0, 1])
    sim = np.eye(3)[:, perm] * 0.0 + np.array([[0.1, 0.2, 0.9], [0.8, 0.1, 0.1], [0.3, 0.3, 0.2]])
    assert retrieval_ranks(sim, perm).tolist() == [1, 1, 2]
    # the other direction (gallery items as queries) of the square part
    assert retrieval_ranks(SIM[:, :5].T).tolist() == [2, 3, 3, 5, 3]
    # MSR-VTT protocol: 5 evaluated out of 10 -> failures in R@K only
    res = RetrievalRecall.calculate(SIM, topk=(1, 10), num_queries=10)
    assert res['R@1'] == pytest.approx(10.0) and res['R@10'] == pytest.approx(50.0)
    assert res['MedR'] == 4.0 and res['num_queries'] == 10
    with pytest.raises(ValueError, match='smaller than'):
        RetrievalRecall.calculate(SIM, num_queries=3)
    with pytest.raises(ValueError, match='NaN'):
        RetrievalRecall.calculate(np.full((2, 2), np.nan))
    with pytest.raises(ValueError, match='gallery index'):
        retrieval_ranks(SIM, gt=[0, 1, 2, 3, 9])


def _sample(text, video, audio, source):
    return dict(
        embeddings=dict(
            text=torch.tensor(text), video=torch.tensor(video), audio=torch.tensor(audio)
        ),
        source=source,
    )


def test_process_sums_gallery_modalities_groups_and_extra_directions():
    metric = METRICS.build(
        dict(
            type='RetrievalRecall',
            query='text',
            gallery=('video', 'audio'),
            topk=(1, 2),
            group_by='source',
            num_queries=dict(b=4),
            directions=[dict(query='video', gallery='text', name='v2t')],
        )
    )
    metric.process(
        None,
        [
            # group a: text 0 matches video+audio 0 only through the audio
            _sample([1.0, 0.0], [0.0, 1.0], [2.0, 0.0], 'a'),
            _sample([0.0, 1.0], [0.0, 1.0], [0.0, 0.0], 'a'),
            # group b: ranked within b only
            _sample([1.0, 0.0], [1.0, 0.0], [0.0, 0.0], 'b'),
            _sample([1.0, 0.0], [0.0, 1.0], [0.0, 0.0], 'b'),
        ],
    )
    res = metric.compute_metrics(metric.results)
    # a: sim = [[2, 0], [1, 1]] -> ranks [1, 2] (tie against us)
    assert res['a/R@1'] == 50.0 and res['a/R@2'] == 100.0 and res['a/MedR'] == 1.5
    # b: sim = [[1, 0], [1, 0]] -> ranks [1, 2]; 2 of 4 queries evaluated
    assert res['b/R@1'] == 25.0 and res['b/num_queries'] == 4
    # v2t in a: video [[0,1],[0,1]] @ text^T = [[0, 1], [0, 1]] -> ranks [2, 1]
    assert res['a/v2t_R@1'] == 50.0


def test_missing_embeddings_fail_clearly():
    metric = RetrievalRecall(query='text', gallery=('video', 'audio'))
    with pytest.raises(ValueError, match=r"no embedding for \['audio'\]"):
        metric.process(None, [dict(embeddings=dict(text=torch.zeros(2), video=torch.zeros(2)))])
    with pytest.raises(ValueError, match='no `embeddings`'):
        metric.process(None, [dict(pred_text='x')])


def test_doctests():
    assert doctest.testmod(module).failed == 0
