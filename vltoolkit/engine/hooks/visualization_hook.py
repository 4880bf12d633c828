"""Save drawn predictions during testing (``tools/test.py --show-dir``)."""

import os.path as osp

from mmengine.hooks import Hook

from vltoolkit.registry import HOOKS, VISUALIZERS


@HOOKS.register_module()
class VLVisualizationHook(Hook):
    """Draw test samples: the image with ground-truth (green) and predicted
    (red, with phrases) boxes, prompt, target, prediction and a RIGHT /
    WRONG verdict by the metric's rule (:func:`vltoolkit.evaluation.judge_sample`:
    IoU >= 0.5 for a box answer, the exact relation set for relations).

    Samples are judged as they come; after the test, ``max_samples`` of them
    are drawn in ``order`` (``'worst'`` scores first, ``'best'``,
    ``'random'`` or ``'first'``) into ``show_dir`` (relative paths are under
    the run's log dir) as ``{rank:02d}_{image stem}_{sample_idx}.png``.
    Boxes are drawn on the original image, in its pixels.
    """

    priority = 'LOW'

    def __init__(
        self,
        show_dir: str = 'vis',
        max_samples: int = None,
        order: str = 'first',
        iou_thr: float = 0.5,
        seed: int = 0,
    ):
        from vltoolkit.evaluation import order_by_verdict

        order_by_verdict([], order)  # validates the order name now
        self.show_dir = show_dir
        self.max_samples = max_samples
        self.order = order
        self.iou_thr = iou_thr
        self.seed = seed
        self._kept = []

    def before_test(self, runner) -> None:
        from vltoolkit.evaluation.parsers.answer import relation_parser_from_meta

        if not osp.isabs(self.show_dir):
            self.show_dir = osp.join(runner.log_dir, self.show_dir)
        self.visualizer = VISUALIZERS.build(
            dict(type='VLVisualizer', name=f'vis_{runner.experiment_name}')
        )
        model = getattr(runner.model, 'module', runner.model)
        self.box_coder = getattr(getattr(model, 'tokenizer', None), 'box_coder', None)
        meta = getattr(runner.test_dataloader.dataset, 'metainfo', None)
        self.relation_parser = relation_parser_from_meta(meta)
        self._kept = []

    def after_test_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        from vltoolkit.evaluation import judge_sample

        for sample in outputs or []:
            verdict = judge_sample(sample, self.box_coder, self.relation_parser, self.iou_thr)
            keep = {
                k: sample.get(k)
                for k in ('prompt', 'target_text', 'pred_text', 'gt_bboxes', 'gt_answer_bboxes')
            }
            keep.update(meta=dict(sample.metainfo))
            self._kept.append((verdict, keep))
            if self.order == 'first' and self.max_samples is not None:
                del self._kept[self.max_samples :]

    def after_test_epoch(self, runner, metrics=None) -> None:
        from vltoolkit.evaluation import order_by_verdict

        verdicts = [v for v, _ in self._kept]
        order = order_by_verdict(verdicts, self.order, self.seed)
        if self.max_samples is not None:
            order = order[: self.max_samples]
        for i in order:
            self.draw(runner.rank, *self._kept[i])
        self._kept = []

    def draw(self, rank: int, verdict: dict, sample: dict) -> str:
        from vltoolkit.visualization.sample_drawing import draw_evaluated_sample

        meta = sample['meta']
        stem = osp.splitext(osp.basename(meta['img_path']))[0]
        out = osp.join(self.show_dir, f"{rank:02d}_{stem}_{meta.get('sample_idx', 0)}.png")
        draw_evaluated_sample(self.visualizer, sample, self.box_coder, verdict, out)
        return out
