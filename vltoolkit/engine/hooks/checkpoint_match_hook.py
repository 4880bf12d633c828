"""Refuse a checkpoint that does not fit the model, before it is loaded."""

import io
import re
from typing import Dict, List

from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper
from mmengine.runner import BaseLoop

from vltoolkit.registry import HOOKS

from .lora_checkpoint_keys import map_to_lora_base_layers


class CheckpointMismatchError(RuntimeError):
    """A checkpoint whose weights do not fit the model being evaluated or
    resumed (missing or differently shaped keys), or that matches too little
    of a model being fine-tuned."""


def compare_state_dicts(model_state: Dict, ckpt_state: Dict, param_names=None) -> dict:
    """Which keys of ``model_state`` a checkpoint's ``ckpt_state`` fills.

    Returns a dict with ``missing`` (in the model, not in the checkpoint),
    ``unexpected`` (in the checkpoint only), ``mismatched`` (``name ->
    (checkpoint shape, model shape)``) and ``matched_fraction``: the share
    of the model's parameter elements (``param_names``, default every key)
    that load, ``sum numel(matched) / sum numel(all)``.
    """
    shape = {k: tuple(getattr(v, 'shape', ())) for k, v in model_state.items()}
    got = {k: tuple(getattr(v, 'shape', ())) for k, v in ckpt_state.items()}
    missing = sorted(set(shape) - set(got))
    unexpected = sorted(set(got) - set(shape))
    mismatched = {
        k: (got[k], shape[k]) for k in sorted(set(shape) & set(got)) if got[k] != shape[k]
    }
    names = [k for k in (param_names or shape) if k in shape]

    def numel(key):
        n = 1
        for d in shape[key]:
            n *= d
        return n

    total = sum(numel(k) for k in names)
    ok = sum(numel(k) for k in names if k in got and k not in mismatched)
    return dict(
        missing=missing,
        unexpected=unexpected,
        mismatched=mismatched,
        matched_fraction=ok / total if total else 1.0,
    )


def _names(keys: List[str], limit: int = 8) -> str:
    shown = ', '.join(keys[:limit])
    return shown + (f', ... ({len(keys)} in all)' if len(keys) > limit else '')


def mismatch_table_text(report: dict) -> str:
    """The keys that did not load, as a rich table rendered to text."""
    from rich.console import Console
    from rich.table import Table

    table = Table(
        title=f'Checkpoint load: {100 * report["matched_fraction"]:.1f}% '
        "of the model's parameters loaded"
    )
    for col in ('what', 'keys', 'names'):
        table.add_column(col, justify='right' if col == 'keys' else 'left')
    table.add_row(
        'missing from the checkpoint (kept as initialised)',
        str(len(report['missing'])),
        _names(report['missing']),
    )
    table.add_row(
        'other shape in the checkpoint (kept as initialised)',
        str(len(report['mismatched'])),
        _names([f'{k} {list(a)}->{list(b)}' for k, (a, b) in report['mismatched'].items()]),
    )
    table.add_row(
        'only in the checkpoint (ignored)',
        str(len(report['unexpected'])),
        _names(report['unexpected']),
    )
    console = Console(record=True, width=120, file=io.StringIO())
    console.print(table)
    return console.export_text()


def strict_problems(report: dict, refuse_unexpected: bool = False) -> List[str]:
    """What keeps a checkpoint from loading strictly, in words (empty: it
    loads): keys missing from it, keys of another shape and, with
    ``refuse_unexpected``, keys only the checkpoint has."""
    problems = []
    if report['missing']:
        problems.append(
            f'{len(report["missing"])} model keys missing from it ({_names(report["missing"])})'
        )
    if report['mismatched']:
        problems.append(
            f'{len(report["mismatched"])} keys of another shape ('
            + _names(
                [
                    f'{k}: checkpoint {list(a)} vs model {list(b)}'
                    for k, (a, b) in report['mismatched'].items()
                ]
            )
            + ')'
        )
    if refuse_unexpected and report['unexpected']:
        problems.append(
            f'{len(report["unexpected"])} keys the model does not '
            f'have ({_names(report["unexpected"])})'
        )
    return problems


@HOOKS.register_module()
class CheckpointMatchHook(Hook):
    """Check a checkpoint against the model before mmengine loads it (which
    it does non-strictly, with a log line as the only trace of a mismatch).

    - Evaluation (``runner.val()`` / ``runner.test()``, hence
      ``tools/test.py``) and ``resume``: strict. A key of the model missing
      from the checkpoint, or of another shape, raises
      :class:`CheckpointMismatchError` naming the keys.
    - Fine-tuning (``load_from`` while training, not resuming): the keys
      that do not load are reported in one table, and a checkpoint that
      fills less than ``min_match`` of the model's parameter elements is
      refused unless ``allow_partial=True``.

    :func:`~vltoolkit.engine.build_runner` adds it, from the top-level
    config keys ``load_from_min_match`` (default 0.5) and
    ``allow_partial_load`` (default False).
    """

    priority = 'VERY_HIGH'

    def __init__(
        self, min_match: float = 0.5, allow_partial: bool = False, revise_keys=((r'^module\.', ''),)
    ):
        if not 0 <= float(min_match) <= 1:
            raise ValueError(f'load_from_min_match={min_match!r}: a fraction in [0, 1]')
        self.min_match = float(min_match)
        self.allow_partial = bool(allow_partial)
        self.revise_keys = list(revise_keys)

    def after_load_checkpoint(self, runner, checkpoint: dict) -> None:
        model = runner.model.module if is_model_wrapper(runner.model) else runner.model
        state = checkpoint.get('state_dict', checkpoint)
        # a checkpoint without LoRA adapters: its X.weight fill the model's X.base_layer
        renamed = map_to_lora_base_layers(state, model.state_dict().keys(), self.revise_keys)
        if renamed:
            runner.logger.info(
                f'checkpoint: {len(renamed)} weights of layers the model wraps with LoRA '
                'load into their base_layer (the checkpoint has no adapters)'
            )
        for pattern, repl in self.revise_keys:
            state = {re.sub(pattern, repl, k): v for k, v in state.items()}
        report = compare_state_dicts(
            model.state_dict(), state, [n for n, _ in model.named_parameters()]
        )
        source = getattr(runner, '_load_from', None) or 'the checkpoint'
        fine_tuning = isinstance(getattr(runner, '_train_loop', None), BaseLoop) and not getattr(
            runner, '_resume', False
        )
        if fine_tuning:
            self._check_fine_tune(runner, report, source)
        else:
            self._check_strict(runner, report, source)

    @staticmethod
    def _check_strict(runner, report: dict, source: str) -> None:
        problems = strict_problems(report)
        if problems:
            what = 'resumed' if getattr(runner, '_resume', False) else 'evaluated'
            raise CheckpointMismatchError(
                f'checkpoint {source} does not fit the model {what} with this '
                f'config: {"; ".join(problems)}. Use the config the checkpoint '
                'was trained with (the checkpoint stores it under '
                "meta['cfg'])."
            )
        if report['unexpected']:
            runner.logger.warning(
                f'checkpoint {source}: {len(report["unexpected"])} keys the model '
                f'does not have were ignored ({_names(report["unexpected"])})'
            )

    def _check_fine_tune(self, runner, report: dict, source: str) -> None:
        if report['missing'] or report['mismatched'] or report['unexpected']:
            runner.logger.warning(
                f'load_from {source}: not everything loads\n' + mismatch_table_text(report)
            )
        fraction = report['matched_fraction']
        if fraction < self.min_match and not self.allow_partial:
            raise CheckpointMismatchError(
                f'load_from {source} fills only {100 * fraction:.1f}% of the '
                f"model's parameters (load_from_min_match={self.min_match}): "
                'it is probably from another recipe (see the table above). If '
                'this is intended, set allow_partial_load=True (or a lower '
                'load_from_min_match) in the config or with --cfg-options.'
            )
