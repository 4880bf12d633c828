"""ViLT for VQA (Kim et al. 2021) and the answer-classifier base it shares with
CLIP+ViLT (:mod:`vltoolkit.models.clip_vilt`)."""

from .base_vqa_classifier import BaseVQAClassifier
from .hf_vilt import build_vilt_qa
from .vilt_vqa import ViLTVQA

__all__ = ['BaseVQAClassifier', 'ViLTVQA', 'build_vilt_qa']
