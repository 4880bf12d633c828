from .boxes import (
    as_boxes,
    box_area,
    box_iou_paired,
    clip_boxes,
    resize_boxes,
    xywh_to_xyxy,
    xyxy_to_xywh,
)
from .ignore_index import IGNORE_INDEX
from .vl_data_sample import VLDataSample

__all__ = [
    'IGNORE_INDEX',
    'VLDataSample',
    'as_boxes',
    'box_area',
    'box_iou_paired',
    'clip_boxes',
    'resize_boxes',
    'xywh_to_xyxy',
    'xyxy_to_xywh',
]
