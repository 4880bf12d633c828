"""Inputs for one task family each, in the record fields that the recipe's
prompt transform reads, so the prompt comes out in the recipe's own
template (location tokens included)."""

from typing import Optional, Sequence

from .images import ImageInput


def hoi_input(
    image: ImageInput,
    subject_box: Sequence[float],
    object_box: Optional[Sequence[float]] = None,
    object_name: Optional[str] = None,
    subject_name: str = 'person',
    task: str = 'hoi',
) -> dict:
    """The relations of a (person, object) pair; boxes xyxy in the image's
    pixels. Without an object, a person-only question."""
    if (object_box is None) != (object_name is None):
        raise ValueError(
            'hoi_input: give both object_box and object_name, or neither (a person-only question)'
        )
    boxes = [list(subject_box)] + ([list(object_box)] if object_box is not None else [])
    return dict(
        image=image, task=task, gt_bboxes=boxes, subject_name=subject_name, object_name=object_name
    )


def hoi_localization_input(
    image: ImageInput, subject_box: Sequence[float], relation: str, task: str = 'hoi_loc'
) -> dict:
    """Where is the object the person does ``relation`` with?"""
    return dict(
        image=image,
        task=task,
        gt_bboxes=[list(subject_box)],
        subject_name='person',
        object_name=None,
        relation_text=relation,
    )


def grounding_input(image: ImageInput, expression: str, task: str = 'grounding') -> dict:
    """Which region does ``expression`` describe?"""
    return dict(image=image, task=task, expression=expression)


def vqa_input(image: ImageInput, question: str, task: str = 'vqa') -> dict:
    """Answer ``question`` about the image."""
    return dict(image=image, task=task, question=question)


def caption_input(image: ImageInput, task: str = 'caption') -> dict:
    """Describe the image."""
    return dict(image=image, task=task)


#: family name -> input builder (``tools/infer.py --task``)
TASK_INPUTS = dict(
    hoi=hoi_input,
    hoi_loc=hoi_localization_input,
    grounding=grounding_input,
    vqa=vqa_input,
    caption=caption_input,
)
