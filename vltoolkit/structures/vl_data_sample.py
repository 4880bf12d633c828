"""The data element that carries one vision-and-language sample."""
from mmengine.structures import BaseDataElement


class VLDataSample(BaseDataElement):
    """One sample of any V&L task, from the dataset to the metric.

    Meta information (``set_metainfo``, read-only during training):

    - ``img_path`` (str), ``ori_shape`` / ``img_shape`` ((h, w) before and
      after resizing), ``scale_factor`` ((w_scale, h_scale)), ``task`` (str),
      ``sample_idx`` (int).

    Data fields (set as attributes; a task uses the ones it needs):

    - ``prompt`` (str): the encoder text, location tokens included.
    - ``target_text`` (str): the text the decoder must generate.
    - ``gt_bboxes`` (np.ndarray [K, 4], xyxy in ``img_shape`` pixels).
    - ``gt_relations`` (list[str]): ground-truth relation classes (HOI).
    - ``pred_text`` (str): the generated text, after :meth:`predict`.
    - ``pred_relations`` / ``pred_bboxes``: fields parsed from ``pred_text``
      by a metric or a visualizer.

    Example:
        >>> sample = VLDataSample(metainfo=dict(task='hoi'))
        >>> sample.prompt = 'What is the interaction between ...?'
        >>> sample.target_text = 'hold, eat'
        >>> sample.task
        'hoi'
    """
