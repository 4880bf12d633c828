from .adapters import apply_lora, merge_lora, set_active_adapters
from .clip_vilt import CLIPViLTVQA
from .data_preprocessors.vl_data_preprocessor import VLDataPreprocessor
from .language_models.hf_seq2seq import build_hf_seq2seq
from .mcn import MCN, DAVEnetAudioEncoder, OnlineKMeans, SentenceMaxpoolEncoder, VideoFeatureEncoder
from .pretrained_vlms import PretrainedVLM, PretrainedVLMError
from .seq2seq.vision_seq2seq import VisionSeq2Seq
from .utils.freeze import count_parameters, freeze_modules
from .vilt import BaseVQAClassifier, ViLTVQA
from .vision_encoders.timm_encoder import TimmVisionEncoder

__all__ = [
    'VLDataPreprocessor',
    'VisionSeq2Seq',
    'TimmVisionEncoder',
    'build_hf_seq2seq',
    'count_parameters',
    'freeze_modules',
    'apply_lora',
    'merge_lora',
    'set_active_adapters',
    'MCN',
    'OnlineKMeans',
    'VideoFeatureEncoder',
    'DAVEnetAudioEncoder',
    'SentenceMaxpoolEncoder',
    'BaseVQAClassifier',
    'ViLTVQA',
    'CLIPViLTVQA',
    'PretrainedVLM',
    'PretrainedVLMError',
]
