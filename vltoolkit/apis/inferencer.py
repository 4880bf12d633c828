"""Ask a trained recipe (or a pretrained VLM recipe) about images.

The inferencer is the recipe's own test path, minus the data set: the test
pipeline writes the prompt and the model input, the model generates in
batches, the recipe's box coder and relation parser read the answer.
"""

import os.path as osp
from typing import Any, Iterable, List, Optional, Sequence, Union

import torch
from mmengine.config import Config
from mmengine.dataset import Compose
from mmengine.logging import print_log
from mmengine.registry import init_default_scope

from vltoolkit.evaluation.parsers.answer import (
    boxes_with_phrases,
    parse_relations,
    relation_parser_from_meta,
)
from vltoolkit.registry import MODELS

from .checkpoint import load_recipe_checkpoint
from .images import read_image
from .recipe import recipe_box_coder, recipe_metainfo, recipe_relation_tasks

#: pipeline steps the inferencer replaces: it loads the image itself
LOADING_STEPS = ('LoadImage',)


def _is_prompt_step(step: dict) -> bool:
    """Pipeline steps named ``*Prompt`` write the prompt from record fields;
    a pair that brings its own prompt skips them."""
    return str(step.get('type', '')).endswith('Prompt')


class VLInferencer:
    """Generate answers for (image, prompt) pairs with a recipe's model.

    Args:
        config (str | Config): the recipe.
        checkpoint (str, optional): a checkpoint of that recipe (loaded
            strictly: a checkpoint of another recipe is an error naming the
            keys). ``None`` keeps the weights the config builds, i.e. a
            pretrained VLM's ``pretrained=`` weights (zero-shot).
        device (str, optional): ``'cpu'``, ``'cuda'``, ``'cuda:1'``; default
            CUDA when available.
        cfg_options (dict, optional): config overrides, as ``--cfg-options``.
        batch_size (int): pairs per ``generate()`` call.

    Each input is a dict with ``image`` (a path, an RGB ``uint8`` array
    ``[H, W, 3]`` or a PIL image) and either ``prompt`` (the text as the
    model reads it, location tokens included) or a ``task`` plus the record
    fields its prompt template needs (see :mod:`vltoolkit.apis.task_inputs`),
    which the recipe's prompt transform turns into its prompt. A tuple
    ``(image, prompt)`` is read as ``dict(image=..., prompt=...)``.

    Each result is a dict: ``prompt``, ``text`` (the generated answer),
    ``boxes`` (``[dict(phrase, box)]``, xyxy in the input image's pixels),
    ``relations`` (sorted relation classes for relation tasks, else None),
    ``task`` and ``image_size`` ((w, h) of the input image).

    Example:
        >>> inferencer = VLInferencer('configs/hoi/gem_distlabel_toy.py',
        ...                           'work_dirs/hoi/gem_distlabel_toy/epoch_12.pth')
        >>> inferencer([('img.png', 'What is the interaction between '
        ...              'person<loc_1><loc_60> and cup<loc_70><loc_99>?')])
    """

    def __init__(
        self,
        config: Union[str, Config],
        checkpoint: Optional[str] = None,
        device: Optional[str] = None,
        cfg_options: Optional[dict] = None,
        batch_size: int = 16,
    ) -> None:
        from vltoolkit.engine.runner import prepare_config

        cfg = prepare_config(config, cfg_options)  # overrides, ${data_root} & co.
        init_default_scope(cfg.get('default_scope', 'vltoolkit'))
        self.cfg = cfg
        self.batch_size = int(batch_size)
        self.device = torch.device(device or ('cuda' if torch.cuda.is_available() else 'cpu'))
        self.model = MODELS.build(cfg.model)
        if checkpoint is not None:
            load_recipe_checkpoint(self.model, checkpoint, cfg.filename)
        else:
            print_log(
                'VLInferencer: no checkpoint, using the weights the config '
                'builds (pretrained= weights, or random for a recipe '
                'trained from scratch)',
                logger='current',
                level=30,
            )
        self.model.to(self.device).eval()
        self.box_coder = recipe_box_coder(cfg, self.model)
        dataset_cfg = cfg.test_dataloader.dataset
        steps = [s for s in dataset_cfg.pipeline if s.get('type') not in LOADING_STEPS]
        self.pipeline = Compose(steps)
        self.prompt_free_pipeline = Compose([s for s in steps if not _is_prompt_step(s)])
        self.metainfo = recipe_metainfo(dataset_cfg)
        self.relation_parser = relation_parser_from_meta(self.metainfo)
        self.relation_tasks = recipe_relation_tasks(cfg)
        from vltoolkit.datasets.collate import vl_collate

        self.collate = vl_collate

    # ------------------------------------------------------------------ run
    def _prepare(self, index: int, item) -> dict:
        if isinstance(item, (tuple, list)):
            if len(item) != 2:
                raise ValueError(
                    f'input {index}: a tuple must be (image, prompt), got {len(item)} items'
                )
            item = dict(image=item[0], prompt=item[1])
        if not isinstance(item, dict) or 'image' not in item:
            raise ValueError(
                f'input {index}: give dict(image=..., prompt=...) or '
                f'dict(image=..., task=..., <fields>), got {item!r}'
            )
        record = {k: v for k, v in item.items() if k != 'image'}
        img, name = read_image(item['image'], where=f'input {index}')
        record.update(
            img=img,
            img_path=name,
            sample_idx=index,
            ori_shape=img.shape[:2],
            img_shape=img.shape[:2],
        )
        if record.get('prompt') is not None:
            return self._without_labels(self.prompt_free_pipeline(record))
        if record.get('task') is None:
            raise ValueError(
                f'input {index} has neither a prompt nor a task: give '
                "prompt='...' or a task and its fields (vltoolkit.apis.task_inputs)"
            )
        try:
            return self._without_labels(self.pipeline(record))
        except (KeyError, IndexError) as err:
            raise ValueError(
                f"input {index} (task {record['task']!r}) lacks a field that the "
                f"recipe's prompt template needs ({type(err).__name__}: {err}); "
                f'fields given: {sorted(k for k in item if k != "image")}; see '
                'vltoolkit.apis.task_inputs for the fields of each task'
            ) from err

    @staticmethod
    def _without_labels(packed: dict) -> dict:
        """Inference has no target: a target the prompt step wrote is kept
        on the sample (``target_text``) but not fed to the model."""
        packed['inputs'].pop('labels', None)
        return packed

    def _read_answer(self, sample, image_size) -> dict:
        text = sample.get('pred_text')
        task = sample.metainfo.get('task', sample.get('task'))
        boxes = []
        if self.box_coder is not None and 'img_shape' in sample.metainfo:
            h, w = sample.img_shape[:2]
            boxes = boxes_with_phrases(
                text, self.box_coder, (w, h), sample.metainfo.get('scale_factor', (1.0, 1.0))
            )
        relations = None
        if (
            self.relation_tasks is None
            or task in (self.relation_tasks or ())
            or (task is None and self.relation_tasks != ())
        ):
            relations = parse_relations(text, self.relation_parser)
        return dict(
            prompt=sample.get('prompt'),
            text=text,
            boxes=boxes,
            relations=relations,
            task=task,
            image_size=image_size,
        )

    @torch.no_grad()
    def __call__(
        self, inputs: Union[dict, tuple, Sequence], batch_size: Optional[int] = None
    ) -> List[dict]:
        """Answer every input (see the class docstring); one ``generate()``
        call per ``batch_size`` inputs."""
        if isinstance(inputs, (dict, tuple)):
            inputs = [inputs]
        packed = [self._prepare(i, item) for i, item in enumerate(inputs)]
        size = batch_size or self.batch_size
        results = []
        for start in range(0, len(packed), size):
            chunk = packed[start : start + size]
            samples = self.model.test_step(self.collate(chunk))
            for item, sample in zip(chunk, samples):
                h, w = sample.ori_shape[:2]
                results.append(self._read_answer(sample, (int(w), int(h))))
        return results

    def describe(self) -> str:
        """One line: recipe, device, box coder."""
        name = osp.basename(self.cfg.filename or 'config')
        return (
            f'{name} on {self.device}, box coder {self.box_coder!r}, '
            f'relation vocabulary: {bool(self.relation_parser)}'
        )


def infer(
    config: Union[str, Config], checkpoint: Optional[str], inputs: Iterable, **kwargs: Any
) -> List[dict]:
    """One-shot helper: ``VLInferencer(config, checkpoint, **kwargs)(inputs)``."""
    return VLInferencer(config, checkpoint, **kwargs)(list(inputs))
