"""What every VQA answer classifier shares: targets, loss, predict."""

from typing import Dict, List, Optional

import torch
from mmengine.model import BaseModel

from vltoolkit.registry import LOSSES


class BaseVQAClassifier(BaseModel):
    """An mmengine model scoring ``num_answers`` answers of a question.

    Subclasses implement :meth:`extract` (``inputs`` -> features with
    ``logits [B, num_answers]``) and may add :meth:`aux_losses`.

    ``forward(inputs, data_samples, mode)``:

    - ``mode='loss'``: ``dict(loss_vqa=..., **aux)`` where ``loss_vqa`` is
      ``loss`` (default :class:`~vltoolkit.losses.SoftTargetBCELoss`) between
      the logits and the dense soft targets built from each sample's
      ``answer_labels`` / ``answer_scores`` (see ``VQAv2Dataset``);
    - ``mode='predict'``: the samples with ``pred_label`` (argmax) and
      ``pred_score`` (its sigmoid), plus ``pred_topk_labels`` /
      ``pred_topk_scores`` (the ``topk`` best, for analysis; kept small so
      that ``tools/test.py --out`` dumps stay small);
      :class:`~vltoolkit.evaluation.VQAAccuracy` maps the label to its answer
      through the dataset's ``answers``;
    - ``mode='tensor'``: the logits ``[B, num_answers]``.
    """

    topk: int = 5

    def __init__(
        self,
        num_answers: int,
        loss: dict = dict(type='SoftTargetBCELoss'),
        data_preprocessor: Optional[dict] = None,
        init_cfg=None,
    ):
        if data_preprocessor is None:
            data_preprocessor = dict(type='VLDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if int(num_answers) != num_answers or num_answers < 1:
            raise ValueError(f'num_answers must be a positive integer, got {num_answers!r}')
        self.num_answers = int(num_answers)
        self.loss_module = LOSSES.build(loss)

    # --------------------------------------------------------------- hooks
    def extract(
        self, inputs: Dict[str, torch.Tensor], data_samples=None, with_aux: bool = False
    ) -> dict:
        """Features of a batch; must hold ``logits``."""
        raise NotImplementedError

    def aux_losses(self, feats: dict, data_samples=None) -> Dict[str, torch.Tensor]:
        """Auxiliary losses on the features of :meth:`extract` (none here)."""
        return {}

    # ------------------------------------------------------------ forward
    def forward(
        self,
        inputs: Dict[str, torch.Tensor],
        data_samples: Optional[List] = None,
        mode: str = 'tensor',
    ):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract(inputs, data_samples)['logits']
        raise ValueError(f'unknown mode {mode!r}: use loss, predict or tensor')

    def targets(self, data_samples, device=None) -> torch.Tensor:
        """Dense soft targets ``[B, num_answers]`` from the samples'
        ``answer_labels`` / ``answer_scores``."""
        target = torch.zeros(len(data_samples), self.num_answers, device=device)
        for i, sample in enumerate(data_samples):
            if 'answer_labels' not in sample:
                raise ValueError(
                    f'sample {sample.get("question_id", i)} has no answer_labels: '
                    'train on a split with annotations, and keep answer_labels '
                    '/ answer_scores in PackVLInputs data_keys'
                )
            labels = list(sample.answer_labels)
            scores = list(sample.answer_scores)
            bad = [label for label in labels if not 0 <= label < self.num_answers]
            if bad:
                raise ValueError(
                    f'answer label(s) {bad} of question '
                    f'{sample.get("question_id", i)} are outside the model\'s '
                    f'{self.num_answers} answers: model.num_answers must be at '
                    'least the size of the answer vocabulary (answer_file).'
                )
            if labels:
                target[i, labels] = torch.tensor(scores, dtype=target.dtype, device=target.device)
        return target

    def loss(self, inputs, data_samples) -> Dict[str, torch.Tensor]:
        feats = self.extract(inputs, data_samples, with_aux=True)
        logits = feats['logits']
        losses = dict(
            loss_vqa=self.loss_module(
                logits, self.targets(data_samples, logits.device).to(logits.dtype)
            )
        )
        losses.update(self.aux_losses(feats, data_samples))
        return losses

    @torch.no_grad()
    def predict(self, inputs, data_samples):
        logits = self.extract(inputs, data_samples)['logits']
        probs = logits.float().sigmoid()
        scores, labels = probs.topk(min(self.topk, probs.shape[-1]), dim=-1)
        for i, sample in enumerate(data_samples):
            sample.pred_label = int(labels[i, 0])
            sample.pred_score = float(scores[i, 0])
            sample.pred_topk_labels = labels[i].tolist()
            sample.pred_topk_scores = scores[i].tolist()
        return data_samples

    @staticmethod
    def pixel_mask(images: torch.Tensor, data_samples=None) -> torch.Tensor:
        """``[B, H, W]`` ones over each image's own ``img_shape`` (the rest
        is the collate's zero padding)."""
        B, _, H, W = images.shape
        mask = images.new_zeros((B, H, W), dtype=torch.long)
        for i in range(B):
            h, w = H, W
            if data_samples is not None and 'img_shape' in data_samples[i]:
                h, w = data_samples[i].img_shape[:2]
            mask[i, :h, :w] = 1
        return mask
