"""Experiment tracking: mmengine's visualisation backends by short name.

Every run keeps ``LocalVisBackend`` (``<work_dir>/<timestamp>/vis_data/
scalars.json``, read by ``tools/analysis/plot_curves.py``); TensorBoard is
on by default (``configs/_base_/default_runtime.py``); W&B and MLflow are
one switch away::

    python tools/train.py CONFIG --vis-backend tensorboard wandb mlflow

or one config line::

    visualizer = dict(vis_backends=[dict(type='LocalVisBackend'),
                                    dict(type='WandbVisBackend')])

A backend whose package is not installed is dropped at runner build with
one warning that names the package, instead of failing the run (mmengine
would raise on the first logged scalar).
"""

import importlib.util
import logging
from typing import List, Sequence

from mmengine.logging import print_log

#: ``--vis-backend`` name -> the backend config
TRACKERS = {
    'local': dict(type='LocalVisBackend'),
    'tensorboard': dict(type='TensorboardVisBackend'),
    'wandb': dict(type='WandbVisBackend'),
    'mlflow': dict(type='MLflowVisBackend'),
}

#: backend type -> (package it imports, pip name, how to finish its set-up)
_NEEDS = {
    'TensorboardVisBackend': ('tensorboard', 'tensorboard', 'tensorboard --logdir work_dirs'),
    'OptionalTensorboardVisBackend': (
        'tensorboard',
        'tensorboard',
        'tensorboard --logdir work_dirs',
    ),
    'WandbVisBackend': ('wandb', 'wandb', 'wandb login, or WANDB_MODE=offline'),
    'MLflowVisBackend': ('mlflow', 'mlflow', 'mlflow ui --backend-store-uri work_dirs/...'),
    'ClearMLVisBackend': ('clearml', 'clearml', 'clearml-init'),
    'NeptuneVisBackend': ('neptune', 'neptune', 'NEPTUNE_API_TOKEN'),
    'DVCLiveVisBackend': ('dvclive', 'dvclive', 'dvc init'),
    'AimVisBackend': ('aim', 'aim', 'aim up'),
}


def tracker_backends(names: Sequence[str]) -> List[dict]:
    """The backend configs of ``names`` (``--vis-backend``), after the
    always-on ``LocalVisBackend``."""
    unknown = [n for n in names if n not in TRACKERS]
    if unknown:
        raise ValueError(
            f'--vis-backend {" ".join(unknown)}: unknown; choose from {", ".join(TRACKERS)}'
        )
    ordered = ['local'] + [n for n in dict.fromkeys(names) if n != 'local']
    return [dict(TRACKERS[n]) for n in ordered]


def missing_package(backend_type: str):
    """``(package, pip name, set-up hint)`` if ``backend_type`` needs a
    package that is not installed, else None."""
    need = _NEEDS.get(backend_type)
    if need is None or importlib.util.find_spec(need[0]) is not None:
        return None
    return need


def drop_missing_trackers(cfg) -> List[str]:
    """Remove from ``cfg.visualizer.vis_backends`` every backend whose package
    is missing, with a warning each; returns the removed types."""
    visualizer = cfg.get('visualizer')
    if not visualizer or not visualizer.get('vis_backends'):
        return []
    kept, dropped = [], []
    for backend in visualizer['vis_backends']:
        backend_type = backend.get('type') if isinstance(backend, dict) else None
        need = missing_package(str(backend_type))
        if need is None:
            kept.append(backend)
            continue
        package, pip_name, hint = need
        dropped.append(backend_type)
        print_log(
            f'{backend_type} needs the `{package}` package, which is not '
            f'installed: this run does not log to it (pip install {pip_name}; '
            f'then {hint}). Every run still writes vis_data/scalars.json.',
            logger='current',
            level=logging.WARNING,
        )
    visualizer['vis_backends'] = kept
    return dropped
