"""MCN: Multimodal Clustering Network over video / audio / text features."""

import contextlib
import itertools
from typing import Dict, List, Optional, Sequence

import torch
import torch.nn as nn
from mmengine.logging import print_log
from mmengine.model import BaseModel

from vltoolkit.registry import LOSSES, MODELS
from vltoolkit.utils.distributed import gather_batch

from ..adapters import apply_lora, lora_adapter_names, set_active_adapters
from ..utils.freeze import freeze_modules, parameter_table_text
from .online_kmeans import OnlineKMeans

#: the loss terms a stage can name
MCN_LOSS_TERMS = ('contrastive', 'clustering', 'reconstruction')
#: modality order of pair names ('va', 'vt', 'at'); other names follow, sorted
MCN_MODALITY_ORDER = ('video', 'audio', 'text')


def _modality_key(name: str):
    order = MCN_MODALITY_ORDER
    return (order.index(name), '') if name in order else (len(order), name)


@MODELS.register_module()
class MCN(BaseModel):
    r"""Multimodal Clustering Network (Chen et al., ICCV 2021, arXiv
    2104.12671; public code brian7685/Multimodal-Clustering-Network).

    One encoder per modality maps pre-extracted features into a joint space
    (:math:`e^v, e^a, e^t \in \mathbb{R}^D`, raw dot products, no
    normalisation). The training loss over the *active* modalities
    :math:`M` of the current stage is

    .. math::
        L = \sum_{\{m, n\} \subseteq M} L_{MMS}(e^m, e^n)
            + L_{clu}(\{e^m\}_{m \in M}; \mu, c)
            + L_{rec}

    with :class:`~vltoolkit.losses.MMSLoss` over every pair, the clustering
    loss :class:`~vltoolkit.losses.ClusterContrastLoss` against the
    centroids :math:`\mu` of an :class:`OnlineKMeans` over the fused
    embeddings :math:`f = \frac{1}{|M|}\sum_m e^m` (buffers, saved in the
    checkpoint), and :class:`~vltoolkit.losses.FeatureReconstructionLoss`
    through one decoder per modality
    (``Linear(D, H) -> ReLU -> Linear(H, F_m) -> ReLU``).

    Stages. :meth:`set_stage` chooses the active modalities, loss terms and
    LoRA adapters (``ModalityScheduleHook`` calls it: the staged MCN study's AV_T trains
    audio+video first, then adds text). Inactive modalities are not encoded.

    Under data parallelism the embeddings are gathered over the ranks before
    the contrastive loss, so the negatives are the global batch's, as with
    MCN's DataParallel; the k-means sees the global batch on every rank.
    (Stages leave encoders unused: wrap with
    ``find_unused_parameters=True``.)

    Args:
        encoders (dict): modality name -> encoder config (e.g.
            ``video=dict(type='VideoFeatureEncoder', in_dim=4096)``); each
            gets ``embed_dim``. The batch entries they read are their
            ``input_keys``.
        embed_dim (int): :math:`D` (MCN 6144).
        contrastive_loss, cluster_loss, reconstruction_loss (dict): LOSSES
            configs of the three terms.
        kmeans (dict, optional): :class:`OnlineKMeans` kwargs
            (``num_clusters``, ``queue_size``, ``refit_interval``, ...);
            None disables clustering.
        recon_hidden (int): :math:`H` of the decoders (MCN 1024).
        loss_terms (Sequence[str]): terms used when no stage says otherwise.
        lora (dict, optional): LoRA on the encoders (see
            :func:`vltoolkit.models.adapters.apply_lora`), plus
            ``adapters='per_pair'`` (default: one adapter set per modality
            pair, named by the pair's initials in the order video, audio,
            text, i.e. ``'va'``, ``'vt'``, ``'at'``, placed in the target
            modules of the pair's two encoders) or a list of adapter names
            (each on every target). A stage activates (and trains) the
            adapters it names, by default those of the pairs of its
            modalities; the other adapters and all base weights are frozen.
        eval_adapters (Sequence[str], optional): adapters active in
            ``predict`` (switch them per downstream task); default all.
        frozen_modules (Sequence[str]): module-name globs to freeze.
        data_preprocessor (dict): default ``BaseDataPreprocessor`` (device
            transfer; the features need no normalisation).

    ``forward(inputs, data_samples, mode)``:

    - ``mode='loss'``: ``dict(loss_mms_<pair>=..., loss_cluster=...,
      loss_recon=...)`` for the active modalities and terms.
    - ``mode='predict'``: the data samples, each with ``embeddings``
      (modality -> ``[D]`` tensor) for every modality present in the batch.
    - ``mode='tensor'``: ``dict(modality -> [B, D])``.
    """

    def __init__(
        self,
        encoders: Dict[str, dict],
        embed_dim: int,
        contrastive_loss: dict = dict(type='MMSLoss', margin=0.001),
        cluster_loss: dict = dict(type='ClusterContrastLoss', margin=0.001),
        reconstruction_loss: dict = dict(type='FeatureReconstructionLoss', loss_weight=50.0),
        kmeans: Optional[dict] = dict(num_clusters=256, queue_size=40960, refit_interval=20),
        recon_hidden: int = 1024,
        loss_terms: Sequence[str] = MCN_LOSS_TERMS,
        lora: Optional[dict] = None,
        eval_adapters: Optional[Sequence[str]] = None,
        frozen_modules: Sequence[str] = (),
        data_preprocessor: Optional[dict] = None,
        init_cfg=None,
    ):
        if data_preprocessor is None:
            data_preprocessor = dict(type='BaseDataPreprocessor')
        super().__init__(data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        if len(encoders) < 2:
            raise ValueError(f'MCN needs at least two modalities, got {list(encoders)}')
        # a fixed order (not the config dict's, which a dumped config sorts)
        self.modalities = tuple(sorted(encoders, key=_modality_key))
        initials = [m[0] for m in self.modalities]
        if len(set(initials)) != len(initials):
            raise ValueError(
                f'modality names {self.modalities} must start with '
                'different letters (pairs are named by initials)'
            )
        self.embed_dim = embed_dim
        self.encoders = nn.ModuleDict(
            {m: MODELS.build(dict(encoders[m], embed_dim=embed_dim)) for m in self.modalities}
        )
        self.recon_heads = nn.ModuleDict(
            {
                m: nn.Sequential(
                    nn.Linear(embed_dim, recon_hidden),
                    nn.ReLU(),
                    nn.Linear(recon_hidden, enc.feature_dim),
                    nn.ReLU(),
                )
                for m, enc in self.encoders.items()
            }
        )
        self.contrastive_loss = LOSSES.build(contrastive_loss)
        self.cluster_loss = LOSSES.build(cluster_loss)
        self.reconstruction_loss = LOSSES.build(reconstruction_loss)
        self.kmeans = OnlineKMeans(dim=embed_dim, **kmeans) if kmeans else None
        self.frozen = freeze_modules(self, frozen_modules)

        self.lora_targets: List[str] = []
        self.adapter_names: List[str] = []
        self.per_pair_adapters = False
        if lora:
            lora = dict(lora)
            adapters = lora.pop('adapters', 'per_pair')
            self.per_pair_adapters = adapters == 'per_pair'
            scopes = None
            if self.per_pair_adapters:
                pairs = list(itertools.combinations(self.modalities, 2))
                names = [self.pair_name(a, b) for a, b in pairs]
                scopes = {
                    self.pair_name(a, b): [f'encoders.{a}', f'encoders.{b}'] for a, b in pairs
                }
            else:
                names = list(adapters)
            self.lora_targets = apply_lora(self, lora, adapter_names=names, adapter_scopes=scopes)
            self.adapter_names = lora_adapter_names(self)
        self.eval_adapters = (
            list(eval_adapters) if eval_adapters is not None else list(self.adapter_names)
        )
        self.default_loss_terms = tuple(loss_terms)
        self.set_stage(self.modalities, loss_terms)
        print_log('\n' + parameter_table_text(self), logger='current')

    # ------------------------------------------------------------- stages
    def pair_name(self, a: str, b: str) -> str:
        """``'va'`` for (video, audio): initials in the order video, audio,
        text (then other modality names, sorted)."""
        a, b = sorted((a, b), key=self.modalities.index)
        return a[0] + b[0]

    def _canonical_adapter(self, name: str) -> str:
        if name in self.adapter_names:
            return name
        for known in self.adapter_names:
            if len(name) == 2 and sorted(name) == sorted(known):
                return known
        raise ValueError(f'unknown LoRA adapter {name!r}; the model has {self.adapter_names}')

    def resolve_stage(
        self,
        modalities: Optional[Sequence[str]] = None,
        loss_terms: Optional[Sequence[str]] = None,
        adapters: Optional[Sequence[str]] = None,
    ):
        """Check a stage and fill its defaults, without applying it; returns
        ``(modalities, loss_terms, adapters)``. Raises ``ValueError`` naming
        what is unknown (modality, loss term, adapter)."""
        mods = tuple(modalities) if modalities is not None else self.modalities
        unknown = [m for m in mods if m not in self.modalities]
        if unknown:
            raise ValueError(
                f'stage names unknown modalities {unknown}; this MCN has {list(self.modalities)}'
            )
        mods = tuple(m for m in self.modalities if m in mods)
        terms = (
            tuple(loss_terms)
            if loss_terms is not None
            else getattr(self, 'default_loss_terms', MCN_LOSS_TERMS)
        )
        bad = [t for t in terms if t not in MCN_LOSS_TERMS]
        if bad:
            raise ValueError(f'unknown MCN loss terms {bad}; choose from {list(MCN_LOSS_TERMS)}')
        if len(mods) < 2 and ('contrastive' in terms or 'clustering' in terms):
            raise ValueError(
                f'a stage with modalities {list(mods)} has no pair '
                'for the contrastive / clustering terms'
            )
        if 'clustering' in terms and self.kmeans is None:
            raise ValueError("the 'clustering' term needs kmeans=dict(...)")
        if not self.adapter_names:
            if adapters:
                raise ValueError(
                    f'stage names LoRA adapters {list(adapters)} '
                    'but the model has no lora=dict(...)'
                )
            return mods, terms, []
        if adapters is None:
            adapters = (
                [self.pair_name(a, b) for a, b in itertools.combinations(mods, 2)]
                if self.per_pair_adapters
                else self.adapter_names
            )
        return mods, terms, [self._canonical_adapter(a) for a in adapters]

    def set_stage(
        self,
        modalities: Optional[Sequence[str]] = None,
        loss_terms: Optional[Sequence[str]] = None,
        adapters: Optional[Sequence[str]] = None,
        reset_clusters: bool = False,
    ) -> None:
        """Train only ``modalities`` (default all) with ``loss_terms``
        (default the constructor's) and the LoRA ``adapters`` (default those
        of the pairs of ``modalities``; ``[]`` = none, the base model).
        ``reset_clusters`` empties the k-means queue and centroids."""
        mods, terms, adapters = self.resolve_stage(modalities, loss_terms, adapters)
        self.active_modalities, self.active_loss_terms = mods, terms
        self.active_adapters = adapters
        if self.adapter_names:
            set_active_adapters(self, adapters)
        if reset_clusters and self.kmeans is not None:
            self.kmeans.reset()

    @contextlib.contextmanager
    def _eval_adapter_scope(self):
        if not self.adapter_names:
            yield
            return
        eval_names = [self._canonical_adapter(a) for a in self.eval_adapters]
        set_active_adapters(self, eval_names, trainable=False)
        try:
            yield
        finally:
            set_active_adapters(self, self.active_adapters)

    # ------------------------------------------------------------ encoders
    def encode(self, modality: str, inputs: dict):
        """``(embedding [B, D], reconstruction target [B, F])`` of one
        modality from the batch ``inputs``."""
        encoder = self.encoders[modality]
        missing = [k for k in encoder.input_keys if k not in inputs]
        if missing:
            raise KeyError(
                f'MCN: the batch has no {missing} for the {modality!r} '
                f'encoder (batch inputs: {sorted(inputs)})'
            )
        return encoder(*[inputs[k] for k in encoder.input_keys])

    def _available(self, inputs) -> List[str]:
        return [m for m in self.modalities if all(k in inputs for k in self.encoders[m].input_keys)]

    def forward(
        self,
        inputs: Dict[str, torch.Tensor],
        data_samples: Optional[List] = None,
        mode: str = 'tensor',
    ):
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return {m: self.encode(m, inputs)[0] for m in self._available(inputs)}
        raise ValueError(f'unknown mode {mode!r}: use loss, predict or tensor')

    # ---------------------------------------------------------------- loss
    def loss(self, inputs, data_samples=None) -> Dict[str, torch.Tensor]:
        mods, terms = self.active_modalities, self.active_loss_terms
        emb, feat = {}, {}
        for m in mods:
            emb[m], feat[m] = self.encode(m, inputs)
        losses = {}
        if 'contrastive' in terms:
            glob = {m: gather_batch(emb[m]) for m in mods}
            for a, b in itertools.combinations(mods, 2):
                losses[f'loss_mms_{self.pair_name(a, b)}'] = self.contrastive_loss(glob[a], glob[b])
        if 'clustering' in terms:
            fused = torch.stack([emb[m] for m in mods]).mean(0)
            glob_fused, mine = gather_batch(fused.detach(), with_grad=False, return_slice=True)
            labels = self.kmeans.step(glob_fused)[mine]
            centroids = self.kmeans.centroids
            losses['loss_cluster'] = sum(
                self.cluster_loss(emb[m], centroids, labels) for m in mods
            ) / len(mods)
        if 'reconstruction' in terms:
            losses['loss_recon'] = sum(
                self.reconstruction_loss(self.recon_heads[m](emb[m]), feat[m]) for m in mods
            )
        return losses

    # ------------------------------------------------------------- predict
    @torch.no_grad()
    def predict(self, inputs, data_samples):
        with self._eval_adapter_scope():
            emb = {m: self.encode(m, inputs)[0] for m in self._available(inputs)}
        for i, sample in enumerate(data_samples):
            sample.embeddings = {m: e[i] for m, e in emb.items()}
        return data_samples
