"""Reading fields of evaluated samples, shared by the metrics."""
from mmengine.structures import BaseDataElement


def sample_field(sample, key: str, default=KeyError):
    """``sample[key]`` of a dict or a data element; meta keys included.

    mmengine's Evaluator hands metrics ``to_dict()``-ed samples (meta and
    data keys side by side); a ``metainfo`` sub-dict is searched too.
    Without ``default`` a missing key raises ``ValueError`` naming it.
    """
    if isinstance(sample, BaseDataElement):
        if key in sample:
            return getattr(sample, key)
    elif isinstance(sample, dict):
        if key in sample:
            return sample[key]
        meta = sample.get('metainfo')
        if isinstance(meta, dict) and key in meta:
            return meta[key]
    if default is KeyError:
        fields = list(sample.keys()) if hasattr(sample, 'keys') else []
        raise ValueError(f'data sample has no {key!r} field (fields: '
                         f'{", ".join(map(str, fields))})')
    return default
