"""MCN (the staged MCN study): per-modality feature encoders, online k-means, the model."""

from .encoders import (
    DAVEnetAudioEncoder,
    GatedEmbeddingUnit,
    SentenceMaxpoolEncoder,
    VideoFeatureEncoder,
)
from .mcn import MCN, MCN_LOSS_TERMS
from .online_kmeans import OnlineKMeans, cosine_kmeans

__all__ = [
    'MCN',
    'MCN_LOSS_TERMS',
    'OnlineKMeans',
    'cosine_kmeans',
    'GatedEmbeddingUnit',
    'VideoFeatureEncoder',
    'DAVEnetAudioEncoder',
    'SentenceMaxpoolEncoder',
]
