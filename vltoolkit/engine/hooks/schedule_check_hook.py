"""Schedules that cannot happen, found before the first training step."""

from typing import List

from mmengine.hooks import Hook
from mmengine.runner import IterBasedTrainLoop

from vltoolkit.registry import HOOKS

_INF_LIKE = 10**9  # mmengine's INF end of a scheduler is sys.maxsize


def _schedulers(runner) -> list:
    found = runner.param_schedulers or []
    if isinstance(found, dict):  # one list per optimizer
        return [s for group in found.values() for s in group]
    return list(found)


def schedule_problems(runner) -> List[str]:
    """What the run's schedule promises but will not do, one sentence each:

    * a ``ModalityScheduleHook`` stage that begins at or after the end of
      training (it never trains);
    * a parameter scheduler (warm-up, decay) that begins at or after the end
      (it never runs) or ends after it (the run stops mid-schedule, e.g. the
      learning rate never finishes warming up);
    * validation that begins after the end (``val_begin``: it never runs) or a
      ``val_interval`` larger than the run (it runs once, after the last
      epoch / iteration, mmengine's end-of-training validation).

    Epoch counts are compared with ``max_epochs``, iteration counts (of
    iteration-based schedulers and loops, and of epoch-based ones converted
    with ``convert_to_iter_based``) with ``max_iters``.
    """
    loop = runner.train_loop
    by_iter = isinstance(loop, IterBasedTrainLoop)
    max_iters = runner.max_iters
    max_epochs = None if by_iter else runner.max_epochs
    problems = []

    def limit(by_epoch):
        return (max_epochs, 'epoch') if by_epoch and max_epochs else (max_iters, 'iteration')

    # modality stages (the staged MCN study)
    for hook in runner.hooks:
        stages = getattr(hook, 'stages', None)
        if type(hook).__name__ != 'ModalityScheduleHook' or not stages:
            continue
        end, unit = limit(hook.by_epoch)
        for k, stage in enumerate(stages):
            if stage['begin'] >= end:
                problems.append(
                    f"ModalityScheduleHook stage {k} ({stage['name']}, modalities "
                    f"{list(stage['modalities'])}) begins at {unit} {stage['begin']}, but "
                    f"training ends after {end} {unit}s: it never trains"
                )

    # parameter schedulers (in iterations once converted)
    for sched in _schedulers(runner):
        end, unit = limit(sched.by_epoch)
        name = type(sched).__name__
        if sched.begin >= end:
            problems.append(
                f'{name} begins at {unit} {sched.begin}, but training ends '
                f'after {end} {unit}s: it never runs'
            )
        elif _INF_LIKE > sched.end > end:
            problems.append(
                f'{name} runs {unit}s {sched.begin}-{sched.end}, past the end '
                f'of training ({end} {unit}s): the run stops before it '
                'finishes (a warm-up that never reaches the full lr)'
            )

    # validation
    if runner._val_loop is not None and hasattr(loop, 'val_interval'):
        end, unit = (max_iters, 'iteration') if by_iter else (max_epochs, 'epoch')
        begin = getattr(loop, 'val_begin', 1)
        if begin > end:
            problems.append(
                f'val_begin={begin} is after the last {unit} ({end}): the run never validates'
            )
        elif loop.val_interval > end:
            problems.append(
                f'val_interval={loop.val_interval} is larger than the run '
                f'({end} {unit}s): it validates once, after the last {unit}'
            )
    return problems


@HOOKS.register_module()
class ScheduleCheckHook(Hook):
    """Warn (or, with ``strict=True``, refuse) before the first training step
    about a schedule that cannot happen (:func:`schedule_problems`).

    :func:`~vltoolkit.engine.build_runner` adds it to every run that does not
    configure one; ``custom_hooks = [dict(type='ScheduleCheckHook',
    strict=True)]`` makes the problems errors.
    """

    priority = 'VERY_HIGH'

    def __init__(self, strict: bool = False):
        self.strict = strict

    def before_train(self, runner) -> None:
        problems = schedule_problems(runner)
        if not problems:
            return
        text = 'schedule: ' + '; '.join(problems)
        if self.strict:
            raise ValueError(text + ' (ScheduleCheckHook strict=True)')
        for problem in problems:
            runner.logger.warning(f'schedule: {problem}')
