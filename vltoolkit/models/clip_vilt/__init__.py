"""The ViLT / CLIP+ViLT family for VQA (seeds 002 and 003)."""
from .clip_vilt_vqa import CLIPViLTVQA
from .hf_builders import build_clip, build_vilt_qa, pooled_tensor
from .vilt_vqa import ViLTVQA
from .vqa_classifier import BaseVQAClassifier

__all__ = ['BaseVQAClassifier', 'ViLTVQA', 'CLIPViLTVQA', 'build_vilt_qa',
           'build_clip', 'pooled_tensor']
