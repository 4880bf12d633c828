"""CLIP+ViLT for VQA: ViLT whose visual embedding is CLIP's (ViLT itself is
:mod:`vltoolkit.models.vilt`)."""

from .clip_vilt_vqa import CLIPViLTVQA
from .hf_clip import build_clip, pooled_tensor

__all__ = ['CLIPViLTVQA', 'build_clip', 'pooled_tensor']
