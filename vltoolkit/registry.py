"""Every registry of vltoolkit, one file, children of mmengine's roots.

With ``default_scope='vltoolkit'`` mmengine imports this module and resolves
config ``type`` names in these registries first, then in mmengine's roots
(so mmengine and mmcv parts, e.g. ``OptimWrapper`` or mmcv transforms, stay
usable). A name registered nowhere raises :class:`UnknownTypeError`
(a ``KeyError``) naming the registry and the closest registered names
(mmengine's own message for builds through its roots is rewritten by
:mod:`vltoolkit.compat.registry_errors`).
"""

import difflib
from typing import Any, List, Mapping

from mmengine.registry import DATA_SAMPLERS as MMENGINE_DATA_SAMPLERS
from mmengine.registry import DATASETS as MMENGINE_DATASETS
from mmengine.registry import EVALUATOR as MMENGINE_EVALUATOR
from mmengine.registry import HOOKS as MMENGINE_HOOKS
from mmengine.registry import LOOPS as MMENGINE_LOOPS
from mmengine.registry import METRICS as MMENGINE_METRICS
from mmengine.registry import MODELS as MMENGINE_MODELS
from mmengine.registry import OPTIM_WRAPPER_CONSTRUCTORS as MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS
from mmengine.registry import OPTIM_WRAPPERS as MMENGINE_OPTIM_WRAPPERS
from mmengine.registry import OPTIMIZERS as MMENGINE_OPTIMIZERS
from mmengine.registry import PARAM_SCHEDULERS as MMENGINE_PARAM_SCHEDULERS
from mmengine.registry import TRANSFORMS as MMENGINE_TRANSFORMS
from mmengine.registry import VISBACKENDS as MMENGINE_VISBACKENDS
from mmengine.registry import VISUALIZERS as MMENGINE_VISUALIZERS
from mmengine.registry import Registry


class UnknownTypeError(KeyError):
    """A config names a ``type`` that no registry in scope holds."""

    def __str__(self) -> str:
        return str(self.args[0])


class VLRegistry(Registry):
    """A :class:`mmengine.Registry` whose unknown names fail loudly.

    mmengine raises a bare ``KeyError`` for an unregistered ``type``; this
    registry raises :class:`UnknownTypeError` naming the registry, the
    closest registered names and the two ways to register a new one.
    """

    def all_names(self) -> List[str]:
        names, reg = set(self.module_dict), self
        while reg.parent is not None:
            reg = reg.parent
            names |= set(reg.module_dict)
        for child in self.children.values():
            names |= set(child.module_dict)
        return sorted(names)

    def build(self, cfg: Mapping, *args: Any, **kwargs: Any) -> Any:
        try:
            return super().build(cfg, *args, **kwargs)
        except UnknownTypeError:
            raise
        except KeyError as err:
            obj_type = cfg.get('type') if hasattr(cfg, 'get') else None
            if not isinstance(obj_type, str) or self.get(obj_type) is not None:
                raise
            raise self.unknown_type_error(obj_type) from err

    def unknown_type_error(self, obj_type: str) -> UnknownTypeError:
        """The error for an unregistered ``obj_type``, with suggestions."""
        self.import_from_location()
        close = difflib.get_close_matches(
            obj_type.split('.')[-1], self.all_names(), n=5, cutoff=0.4
        )
        hint = f' Closest registered names: {", ".join(close)}.' if close else ''
        return UnknownTypeError(
            f'{obj_type!r} is not registered in the {self.scope}::'
            f'{self.name} registry.{hint} If it is your own class, register '
            'it with @vltoolkit.registry.<REGISTRY>.register_module() and '
            "name its module in the config's "
            '`custom_imports=dict(imports=[...])` (see docs/custom_plugins.md).'
        )


__all__ = [
    'UnknownTypeError',
    'VLRegistry',
    'MODELS',
    'LOSSES',
    'LABEL_ENCODERS',
    'BOX_CODERS',
    'TOKENIZERS',
    'DATASETS',
    'TRANSFORMS',
    'DATA_SAMPLERS',
    'METRICS',
    'EVALUATOR',
    'HOOKS',
    'LOOPS',
    'OPTIM_WRAPPERS',
    'OPTIM_WRAPPER_CONSTRUCTORS',
    'OPTIMIZERS',
    'PARAM_SCHEDULERS',
    'VISUALIZERS',
    'VISBACKENDS',
]

# models: model families, data preprocessors, vision/text encoders
MODELS = VLRegistry(
    'model', scope='vltoolkit', parent=MMENGINE_MODELS, locations=['vltoolkit.models']
)
# losses: token cross-entropy, GEM, InfoNCE, ... (built inside models)
LOSSES = VLRegistry('loss', scope='vltoolkit', locations=['vltoolkit.losses'])
# label encoders: target ids -> target distributions (one-hot, distance)
LABEL_ENCODERS = VLRegistry(
    'label encoder', scope='vltoolkit', locations=['vltoolkit.label_encoders']
)
# box coders: boxes <-> location tokens (bins, patch indices)
BOX_CODERS = VLRegistry('box coder', scope='vltoolkit', locations=['vltoolkit.tokenization'])
# tokenizers: wrappers around transformers tokenizers
TOKENIZERS = VLRegistry('tokenizer', scope='vltoolkit', locations=['vltoolkit.tokenization'])

# datasets: one class per source format
DATASETS = VLRegistry(
    'dataset', scope='vltoolkit', parent=MMENGINE_DATASETS, locations=['vltoolkit.datasets']
)
# transforms: load image, resize, prompt templates, tokenize, pack
TRANSFORMS = VLRegistry(
    'transform', scope='vltoolkit', parent=MMENGINE_TRANSFORMS, locations=['vltoolkit.datasets']
)
# samplers: batch samplers (task-grouped, ...)
DATA_SAMPLERS = VLRegistry(
    'data sampler',
    scope='vltoolkit',
    parent=MMENGINE_DATA_SAMPLERS,
    locations=['vltoolkit.datasets'],
)
# collate functions: registered in mmengine's root FUNCTIONS (vltoolkit/datasets/collate.py),
# where Runner.build_dataloader looks `collate_fn=dict(type=...)` up, without the default scope

# metrics and evaluators
METRICS = VLRegistry(
    'metric', scope='vltoolkit', parent=MMENGINE_METRICS, locations=['vltoolkit.evaluation']
)
EVALUATOR = VLRegistry(
    'evaluator', scope='vltoolkit', parent=MMENGINE_EVALUATOR, locations=['vltoolkit.evaluation']
)

# engine: hooks, loops, optimizer wrappers
HOOKS = VLRegistry('hook', scope='vltoolkit', parent=MMENGINE_HOOKS, locations=['vltoolkit.engine'])
LOOPS = VLRegistry('loop', scope='vltoolkit', parent=MMENGINE_LOOPS, locations=['vltoolkit.engine'])
OPTIM_WRAPPERS = VLRegistry(
    'optim wrapper',
    scope='vltoolkit',
    parent=MMENGINE_OPTIM_WRAPPERS,
    locations=['vltoolkit.engine'],
)
OPTIM_WRAPPER_CONSTRUCTORS = VLRegistry(
    'optimizer wrapper constructor',
    scope='vltoolkit',
    parent=MMENGINE_OPTIM_WRAPPER_CONSTRUCTORS,
    locations=['vltoolkit.engine'],
)
# optimizers and schedulers: mmengine's and torch's, resolved through the parent
OPTIMIZERS = VLRegistry('optimizer', scope='vltoolkit', parent=MMENGINE_OPTIMIZERS)
PARAM_SCHEDULERS = VLRegistry(
    'parameter scheduler', scope='vltoolkit', parent=MMENGINE_PARAM_SCHEDULERS
)

# visualization
VISUALIZERS = VLRegistry(
    'visualizer',
    scope='vltoolkit',
    parent=MMENGINE_VISUALIZERS,
    locations=['vltoolkit.visualization'],
)
VISBACKENDS = VLRegistry(
    'vis_backend',
    scope='vltoolkit',
    parent=MMENGINE_VISBACKENDS,
    locations=['vltoolkit.visualization'],
)

#: every registry above (for error messages and docs)
ALL_REGISTRIES = [
    MODELS,
    LOSSES,
    LABEL_ENCODERS,
    BOX_CODERS,
    TOKENIZERS,
    DATASETS,
    TRANSFORMS,
    DATA_SAMPLERS,
    METRICS,
    EVALUATOR,
    HOOKS,
    LOOPS,
    OPTIM_WRAPPERS,
    OPTIM_WRAPPER_CONSTRUCTORS,
    OPTIMIZERS,
    PARAM_SCHEDULERS,
    VISUALIZERS,
    VISBACKENDS,
]
