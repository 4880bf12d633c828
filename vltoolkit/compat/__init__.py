"""Every workaround for a trap in a library we build on, one file per trap.

``import vltoolkit`` calls :func:`setup_vltoolkit`, so the shims that change
library behaviour (the ``pkg_resources`` replacements, checkpoint loading
through the weights-only allowlist) are active in *any* script that imports
vltoolkit, not only in ``tools/``: a user's own
``mmengine.runner.load_checkpoint(model, 'epoch_12.pth')`` loads our
checkpoints on torch >= 2.6.

Nothing outside this package matches the text of an upstream error message.
When a trap is fixed upstream, delete its file and its row here.

=========================  ===================================================  ==============================================
file                       trap (library, version)                              delete when
=========================  ===================================================  ==============================================
weights_only_checkpoint    torch >= 2.6 loads ``weights_only=True``; mmengine   an mmengine release loads its own checkpoints
 + weights_only_errors     0.10.7 checkpoints hold HistoryBuffer / numpy, so    with ``weights_only=True`` (open-mmlab/mmengine
                           every resume fails ("Unsupported global ...          issue #1655; PR #1650 only sets
                           HistoryBuffer"); ``load_from_http`` still unpickles  ``weights_only=False``, which we refuse)
                           with ``weights_only=False``. Also rewrites torch's
                           terse unpickler errors (forbidden global, corrupt).
mmengine_pkg_resources     setuptools >= 82 removed ``pkg_resources``;          an mmengine release after 0.10.7 ships
                           mmengine 0.10.7 ``utils/package_utils.py`` imports   open-mmlab/mmengine PR #1676 (merged to main)
                           it (lazy configs, ``mmdet::`` bases, mmengine.hub)
cpu_distributed            mmengine 0.10.7 ``init_dist('pytorch')`` calls       mmengine checks for CUDA in ``init_dist`` and
                           ``torch.cuda.set_device`` unconditionally; the       ``wrap_model`` (not as of 0.10.7)
                           Runner passes ``device_ids`` DDP refuses on CPU
gloo_exit                  gloo threads abort the interpreter at exit           a CPU ``dist_train.sh`` run exits 0 without it
                           ("terminate called without an active exception")
experiment_name            mmengine 0.10.7 names logger / visualizer / message  mmengine makes those instance names unique
                           hub after ``{config}_{second}``: two Runners in one
                           second share them
registry_errors            mmengine's root registries raise a bare KeyError     mmengine suggests close names itself
                           ("X is not in the mmengine::model registry")
                           without close names or ``custom_imports`` advice
init_weights               mmengine 0.10.7 ``BaseModule.init_weights`` calls    mmengine only recurses into ``BaseModule``
                           ``init_weights()`` of any child that has one:        children
                           transformers / timm models get re-initialised
deepspeed_onebit           mmengine 0.10.7 ``DeepSpeedStrategy`` imports        an mmengine release guards the import
                           ``deepspeed.runtime.fp16.onebit``, removed from
                           DeepSpeed (PR #8490): the strategy cannot be built
optional_tensorboard       mmengine's ``TensorboardVisBackend`` raises          superseded: visualization/trackers.py drops a
                           ImportError without ``tensorboard`` installed        tracker whose package is missing; kept for
                                                                                configs naming it, delete at the next break
empty_dataset              mmengine 0.10.7 ``BaseDataset`` fails on an empty    mmengine checks for an empty data list
                           data list with numpy's "need at least one array to
                           concatenate"
atomic_checkpoint          mmengine 0.10.7 writes a checkpoint in place under    mmengine saves through a temporary file and
                           its final name and deletes the oldest first: a       prunes after the new checkpoint is complete
                           kill or a full disk leaves a partial ``epoch_N.pth``
                           (and maybe none readable); an empty
                           ``last_checkpoint`` breaks ``--resume``
data_config                mmengine 0.10.7 imports ``custom_imports`` and any   mmengine refuses code from YAML / JSON configs
                           dotted ``type`` (Registry fallback) also from YAML /
                           JSON configs: ``type: subprocess.run`` runs
safe_yaml_config           mmengine 0.10.7 ``YamlHandler`` uses yaml's full     mmengine's YAML handler uses a safe loader
                           loader: ``Config.fromfile('x.yaml')`` runs           (not on main as of 2025-10)
                           ``!!python/object/apply:os.system`` payloads
log_processor_registry     mmengine 0.10.7 logs "Failed to search registry      mmengine falls back to its root registry
                           with scope "vltoolkit" in the "log_processor"        without a warning
                           registry tree" at every run start: the scope has
                           no child there (harmless: it builds mmengine's)
file_client_deprecation    mmengine 0.10.7 ``CheckpointHook.before_train``      mmengine's CheckpointHook stops building the
                           builds a ``FileClient`` it does not use; its         unused client (announced for mmengine 1.0)
                           ``"FileClient" will be deprecated`` warning is
                           dropped (``quiet_log_messages``)
hard_disk_backend_         that unused client's ``HardDiskBackend`` logs        with file_client_deprecation
 deprecation               ``"HardDiskBackend" is the alias of
                           "LocalBackend"``; dropped the same way
deepspeed_accelerator      with deepspeed installed, ``mmengine.runner``        DeepSpeed logs the CPU fallback at info level,
                           imports it; without a CUDA device it warns           or mmengine imports deepspeed lazily
                           ``Setting accelerator to CPU`` in every run;
                           ``DS_ACCELERATOR=cpu`` is set when torch sees no
                           CUDA device (unless the user set it)
transformers_optimizers    mmengine 0.10.7 registers transformers' Adafactor    mmengine registers the transformers optimizers
                           at import: ``transformers.optimization`` pulls the   lazily
                           modeling stack and peft into every process (~2
                           CPU-s); held back, ``Adafactor`` built on first use
=========================  ===================================================  ==============================================

Not here on purpose: resuming an epoch mid-way (mmengine's ``EpochBasedTrainLoop``
restarts a resumed epoch from its first batch) is a feature of our loops,
``vltoolkit/engine/loops/`` (one skip helper serves both loops).

See ``docs/compat.md`` for the same table with more context.
"""

from .after_import import call_after_import
from .atomic_checkpoint import install as install_atomic_checkpoints
from .data_config import use_data_only_configs
from .deepspeed_accelerator import default_deepspeed_accelerator
from .file_client_deprecation import quiet_file_client_notice
from .hard_disk_backend_deprecation import quiet_hard_disk_backend_notice
from .log_processor_registry import LOG_PROCESSORS
from .mmengine_pkg_resources import (
    get_installed_path,
    is_installed,
    package2module,
    patch_mmengine_pkg_resources,
    pkg_resources_available,
)
from .safe_yaml_config import use_safe_yaml_loader
from .transformers_optimizers import defer_transformers_optimizers
from .weights_only_checkpoint import (
    MMENGINE_SAFE_GLOBALS,
    SAFE_GLOBALS_CFG_KEY,
    CheckpointError,
    add_safe_globals,
    get_safe_globals,
    load_from_http,
    load_from_local,
    register_safe_checkpoint_loaders,
    safe_torch_load,
)

__all__ = [
    'setup_vltoolkit',
    'LOG_PROCESSORS',
    'quiet_file_client_notice',
    'quiet_hard_disk_backend_notice',
    'default_deepspeed_accelerator',
    'CheckpointError',
    'MMENGINE_SAFE_GLOBALS',
    'SAFE_GLOBALS_CFG_KEY',
    'add_safe_globals',
    'get_safe_globals',
    'safe_torch_load',
    'load_from_local',
    'load_from_http',
    'register_safe_checkpoint_loaders',
    'patch_mmengine_pkg_resources',
    'pkg_resources_available',
    'is_installed',
    'get_installed_path',
    'package2module',
    'use_safe_yaml_loader',
    'defer_transformers_optimizers',
]


def setup_vltoolkit(extra_safe_globals=()) -> None:
    """Idempotent process set-up, run by ``import vltoolkit``: the
    ``pkg_resources`` shim (setuptools >= 82), mmengine checkpoint loading
    through the weights-only allowlist (plus ``extra_safe_globals``, e.g. a
    config's ``checkpoint_safe_globals``) and YAML configs read with yaml's
    safe loader, YAML / JSON configs that cannot import code, and checkpoints
    saved atomically. The loaders are registered as soon
    as ``mmengine.runner`` is imported (at once if it already is)."""
    patch_mmengine_pkg_resources()
    defer_transformers_optimizers()  # before anything imports mmengine.optim
    if extra_safe_globals:
        add_safe_globals(tuple(extra_safe_globals))
    call_after_import('mmengine.runner.checkpoint', register_safe_checkpoint_loaders)
    call_after_import('mmengine.runner', install_atomic_checkpoints)
    call_after_import('mmengine.config', use_data_only_configs)
    call_after_import('mmengine.fileio.handlers.registry_utils', use_safe_yaml_loader)
    quiet_file_client_notice()  # mmengine notices known to be harmless, nothing else
    quiet_hard_disk_backend_notice()
    default_deepspeed_accelerator()  # before mmengine.runner imports deepspeed
