from .visualization_hook import VLVisualizationHook

__all__ = ['VLVisualizationHook']
from .modality_schedule_hook import ModalityScheduleHook  # noqa: E402

__all__ += ['ModalityScheduleHook']
from .logit_scale_clamp_hook import LogitScaleClampHook  # noqa: E402

__all__ += ['LogitScaleClampHook']
from .progress_hook import RichProgressHook  # noqa: E402

__all__ += ['RichProgressHook']
from .schedule_check_hook import ScheduleCheckHook, schedule_problems  # noqa: E402

__all__ += ['ScheduleCheckHook', 'schedule_problems']
from .val_visualization_hook import ValVisualizationHook  # noqa: E402

__all__ += ['ValVisualizationHook']
from .checkpoint_match_hook import (CheckpointMatchHook,  # noqa: E402
                                    CheckpointMismatchError)

__all__ += ['CheckpointMatchHook', 'CheckpointMismatchError']
from .pre_run_check_hook import PreRunCheckError, PreRunCheckHook  # noqa: E402

__all__ += ['PreRunCheckError', 'PreRunCheckHook']
