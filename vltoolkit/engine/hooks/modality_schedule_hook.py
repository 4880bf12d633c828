"""Staged multimodal training: which modalities and losses train when."""

from typing import List, Optional, Sequence

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from vltoolkit.registry import HOOKS

_STAGE_KEYS = {'begin', 'modalities', 'loss_terms', 'adapters', 'name'}


@HOOKS.register_module()
class ModalityScheduleHook(Hook):
    """Switch the model's active modalities, loss terms and LoRA adapters by
    epoch or by iteration (the staged MCN study's two-stage MCN: AV_T trains audio +
    video, then adds text).

    Every stage is ``dict(begin=..., modalities=[...], loss_terms=[...],
    adapters=[...], name=...)``; ``begin`` is the first epoch (``by_epoch``)
    or iteration (0-based) of the stage, and a stage lasts until the next
    one begins. ``loss_terms`` / ``adapters`` default to the model's
    defaults (for :class:`~vltoolkit.models.MCN`: all terms; the adapters of
    the pairs of the stage's modalities).

    Before every training iteration the stage is a pure function of the
    progress (``runner.epoch`` or ``runner.iter``), so a resumed run is in
    the stage of the iteration it resumes at. At the first iteration of a
    new stage (never on resume in the middle of a stage) the model's
    clustering state is reset when ``reset_clusters`` (the fused embeddings
    change meaning with the modalities). The model must have
    ``set_stage(modalities, loss_terms, adapters, reset_clusters)`` and, to
    check the stages up front, ``resolve_stage(...)`` (MCN has both):
    unknown modalities, loss terms or adapters fail before training starts.

    Args:
        stages (Sequence[dict]): the stages, ``begin`` strictly increasing
            from 0.
        by_epoch (bool): ``begin`` counts epochs (True) or iterations.
        reset_clusters (bool): reset the clustering at each stage change.

    Example config (AV_T, text joins at epoch 5)::

        custom_hooks = [dict(type='ModalityScheduleHook', stages=[
            dict(begin=0, modalities=['audio', 'video']),
            dict(begin=5, modalities=['audio', 'video', 'text'])])]
    """

    priority = 'ABOVE_NORMAL'

    def __init__(self, stages: Sequence[dict], by_epoch: bool = True, reset_clusters: bool = True):
        stages = [dict(s) for s in stages]
        if not stages:
            raise ValueError('ModalityScheduleHook needs at least one stage')
        for k, stage in enumerate(stages):
            bad = set(stage) - _STAGE_KEYS
            if bad:
                raise ValueError(
                    f'stage {k} has unknown keys {sorted(bad)}; allowed: {sorted(_STAGE_KEYS)}'
                )
            if (
                'modalities' not in stage
                or isinstance(stage['modalities'], str)
                or not stage['modalities']
            ):
                raise ValueError(
                    f'stage {k} needs modalities=[...] (a non-empty '
                    f'list of modality names), got {stage.get("modalities")!r}'
                )
            begin = stage.get('begin')
            if not isinstance(begin, int) or begin < 0:
                raise ValueError(f'stage {k} needs begin=<int >= 0>, got {begin!r}')
            if k == 0 and begin != 0:
                raise ValueError(f'the first stage must begin at 0, not {begin}')
            if k > 0 and begin <= stages[k - 1]['begin']:
                raise ValueError(
                    f'stage {k} begins at {begin}, not after stage '
                    f'{k - 1} ({stages[k - 1]["begin"]})'
                )
            stage.setdefault('name', ''.join(m[0].upper() for m in stage['modalities']))
        self.stages = stages
        self.by_epoch = by_epoch
        self.reset_clusters = reset_clusters
        self.current: Optional[int] = None

    # ----------------------------------------------------------- helpers
    def stage_at(self, progress: int) -> int:
        """Index of the stage in effect at epoch / iteration ``progress``."""
        index = 0
        for k, stage in enumerate(self.stages):
            if stage['begin'] <= progress:
                index = k
        return index

    @staticmethod
    def _model(runner):
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        if not hasattr(model, 'set_stage'):
            raise TypeError(
                f'ModalityScheduleHook needs a model with '
                f'set_stage(); {type(model).__name__} has none'
            )
        return model

    @staticmethod
    def _stage_kwargs(stage):
        return dict(
            modalities=stage['modalities'],
            loss_terms=stage.get('loss_terms'),
            adapters=stage.get('adapters'),
        )

    def describe(self) -> List[str]:
        unit = 'epoch' if self.by_epoch else 'iter'
        return [
            f"{s['name']} from {unit} {s['begin']}: {list(s['modalities'])}" for s in self.stages
        ]

    # ------------------------------------------------------------- hooks
    def before_train(self, runner) -> None:
        model = self._model(runner)
        if hasattr(model, 'resolve_stage'):
            for k, stage in enumerate(self.stages):
                try:
                    model.resolve_stage(**self._stage_kwargs(stage))
                except ValueError as err:
                    raise ValueError(
                        f'ModalityScheduleHook stage {k} ({stage["name"]}): {err}'
                    ) from None
        self.current = None
        runner.logger.info('modality schedule: ' + '; '.join(self.describe()))

    def before_train_iter(self, runner, batch_idx: int, data_batch=None) -> None:
        progress = runner.epoch if self.by_epoch else runner.iter
        index = self.stage_at(progress)
        if index == self.current:
            return
        stage = self.stages[index]
        # a stage change happens at this very step (not a resume inside it)
        if self.by_epoch:
            starts_here = batch_idx == 0 and progress > 0 and self.stage_at(progress - 1) != index
        else:
            starts_here = progress > 0 and progress == stage['begin']
        model = self._model(runner)
        model.set_stage(
            **self._stage_kwargs(stage), reset_clusters=self.reset_clusters and starts_here
        )
        self.current = index
        runner.message_hub.update_info('modality_stage', index)
        runner.logger.info(
            f"modality stage {index} ({stage['name']}) at "
            f"{'epoch' if self.by_epoch else 'iter'} {progress}: modalities "
            f"{list(getattr(model, 'active_modalities', stage['modalities']))}, "
            f"loss terms {list(getattr(model, 'active_loss_terms', []))}, "
            f"adapters {list(getattr(model, 'active_adapters', []))}"
            + (' (clustering reset)' if self.reset_clusters and starts_here else '')
        )
