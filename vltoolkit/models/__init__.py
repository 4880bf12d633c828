from .data_preprocessors.vl_data_preprocessor import VLDataPreprocessor
from .language_models.hf_seq2seq import build_hf_seq2seq
from .seq2seq.vision_seq2seq import VisionSeq2Seq
from .utils.freeze import count_parameters, freeze_modules
from .vision_encoders.timm_encoder import TimmVisionEncoder

__all__ = ['VLDataPreprocessor', 'VisionSeq2Seq', 'TimmVisionEncoder',
           'build_hf_seq2seq', 'count_parameters', 'freeze_modules']
from .adapters import apply_lora, merge_lora, set_active_adapters  # noqa: E402
from .mcn import (MCN, DAVEnetAudioEncoder, OnlineKMeans,  # noqa: E402
                  SentenceMaxpoolEncoder, VideoFeatureEncoder)

__all__ += ['apply_lora', 'merge_lora', 'set_active_adapters', 'MCN',
            'OnlineKMeans', 'VideoFeatureEncoder', 'DAVEnetAudioEncoder',
            'SentenceMaxpoolEncoder']
from .vilt import BaseVQAClassifier, ViLTVQA  # noqa: E402
from .clip_vilt import CLIPViLTVQA  # noqa: E402

__all__ += ['BaseVQAClassifier', 'ViLTVQA', 'CLIPViLTVQA']
from .pretrained_vlms import (Florence2VLM, Kosmos2VLM,  # noqa: E402
                              PaliGemmaVLM, PretrainedVLM, PretrainedVLMError)

__all__ += ['PretrainedVLM', 'Florence2VLM', 'PaliGemmaVLM', 'Kosmos2VLM',
            'PretrainedVLMError']
