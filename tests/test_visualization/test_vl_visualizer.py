"""Predicted vs ground-truth boxes land where they should, in their colours."""

import mmcv
import numpy as np
import pytest

from vltoolkit.visualization import VLVisualizer
from vltoolkit.visualization.vl_visualizer import GT_COLOR, PRED_COLOR


def _close(pixel, color, tol=60):
    return np.abs(pixel.astype(int) - np.array(color)).max() <= tol


@pytest.mark.parametrize('zoom_side', [64, 320])
def test_box_edges_have_the_box_colours(tmp_path, zoom_side):
    image = np.full((zoom_side, zoom_side, 3), 255, np.uint8)
    s = zoom_side / 64
    gt = [[8 * s, 8 * s, 28 * s, 28 * s]]
    pred = [dict(phrase='', box=[36 * s, 30 * s, 56 * s, 56 * s])]
    vis = VLVisualizer(name=f'test_edges_{zoom_side}')
    out = tmp_path / 'drawn.png'
    drawn = vis.add_datasample(
        'x',
        image,
        dict(prompt='p', pred_text='t'),
        out_file=str(out),
        gt_boxes=gt,
        pred_boxes=pred,
        verdict=dict(right=False),
    )
    zoom = max(1.0, 320 / zoom_side)
    back = mmcv.imread(str(out), channel_order='rgb')
    assert back.shape == drawn.shape and back.shape[0] > 320  # text lines below
    g = (np.array(gt[0]) * zoom).round().astype(int)
    p = (np.array(pred[0]['box']) * zoom).round().astype(int)
    mid_gt = (g[1] + g[3]) // 2
    mid_pred = (p[1] + p[3]) // 2
    # left and right edges at mid-height carry the colour, the inside does not
    assert _close(back[mid_gt, g[0]], GT_COLOR) and _close(back[mid_gt, g[2]], GT_COLOR)
    assert _close(back[mid_pred, p[0]], PRED_COLOR) and _close(back[mid_pred, p[2]], PRED_COLOR)
    assert _close(back[mid_gt, (g[0] + g[2]) // 2], (255, 255, 255), tol=5)
    assert _close(back[mid_pred, (p[0] + p[2]) // 2], (255, 255, 255), tol=5)
