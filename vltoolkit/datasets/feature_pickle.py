"""Load the feature pickles of the MCN / AVLnet releases without running code.

The YouCook2 / MSR-VTT evaluation files (``youcook_val_audio.pkl``,
``msrvtt_jsfusion_test.pkl``) and HowTo100M's ``caption.pickle`` are plain
pickles of lists / dicts holding numpy arrays and torch tensors. A plain
``pickle.load`` would call any global the file names; :func:`load_feature_pickle`
builds only builtin containers, numpy arrays / scalars and torch tensors
(tensor storages are read with ``torch.load(weights_only=True)``), and refuses
anything else with an error naming the file and the global.
"""

import builtins
import codecs
import collections
import io
import os.path as osp
import pickle

import numpy as np
import torch

__all__ = ['load_feature_pickle', 'FeaturePickleError']

_SAFE_BUILTINS = frozenset(
    (
        'list',
        'dict',
        'tuple',
        'set',
        'frozenset',
        'str',
        'bytes',
        'bytearray',
        'int',
        'float',
        'bool',
        'complex',
        'slice',
        'range',
    )
)


class FeaturePickleError(ValueError):
    """A feature pickle is unreadable or names a global it may not hold."""


def _storage_from_bytes(data: bytes):
    # torch pickles a tensor's storage as torch.save() bytes; read them with
    # the weights-only unpickler instead of torch's weights_only=False
    return torch.load(io.BytesIO(data), weights_only=True)


def _allowed_globals() -> dict:
    allowed = {
        ('collections', 'OrderedDict'): collections.OrderedDict,
        # protocol-2 pickles (mmengine's dump) write bytes this way
        ('_codecs', 'encode'): codecs.encode,
        ('torch._utils', '_rebuild_tensor_v2'): torch._utils._rebuild_tensor_v2,
        ('torch._utils', '_rebuild_tensor'): torch._utils._rebuild_tensor,
        ('torch.storage', '_load_from_bytes'): _storage_from_bytes,
        ('numpy', 'ndarray'): np.ndarray,
        ('numpy', 'dtype'): np.dtype,
    }
    for mod in ('numpy.core.multiarray', 'numpy._core.multiarray'):
        allowed[(mod, '_reconstruct')] = np._core.multiarray._reconstruct
        allowed[(mod, 'scalar')] = np._core.multiarray.scalar
    for name in (
        'float16',
        'float32',
        'float64',
        'int8',
        'int16',
        'int32',
        'int64',
        'uint8',
        'bool_',
    ):
        allowed[('numpy', name)] = getattr(np, name)
    return allowed


class _FeatureUnpickler(pickle.Unpickler):
    _allowed = None

    def find_class(self, module, name):
        if module in ('builtins', '__builtin__') and name in _SAFE_BUILTINS:
            return getattr(builtins, name)
        if module == 'numpy.dtypes' and name.endswith('DType'):
            import numpy.dtypes

            return getattr(numpy.dtypes, name)
        if _FeatureUnpickler._allowed is None:
            _FeatureUnpickler._allowed = _allowed_globals()
        found = _FeatureUnpickler._allowed.get((module, name))
        if found is None:
            raise pickle.UnpicklingError(
                f'global {module}.{name} is not allowed (a feature file holds '
                'only lists, dicts, strings, numbers, numpy arrays and torch '
                'tensors)'
            )
        return found


def load_feature_pickle(path: str, what: str = 'feature file'):
    """Unpickle ``path`` allowing only data types (see the module docstring).

    Raises:
        FileNotFoundError: ``path`` does not exist.
        FeaturePickleError: unreadable, truncated, or naming another global
            (e.g. a pandas DataFrame: save plain dicts / lists instead).
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'{what} {path} does not exist')
    try:
        with open(path, 'rb') as f:
            return _FeatureUnpickler(f, encoding='latin1').load()
    except pickle.UnpicklingError as err:
        raise FeaturePickleError(f'{what} {path} cannot be loaded safely: {err}') from None
    except Exception as err:  # truncated file, not a pickle, ...
        raise FeaturePickleError(
            f'{what} {path} is not a readable pickle ({type(err).__name__}: {err})'
        ) from None
