from .checkpoint_match_hook import CheckpointMatchHook, CheckpointMismatchError
from .logit_scale_clamp_hook import LogitScaleClampHook
from .modality_schedule_hook import ModalityScheduleHook
from .non_finite_loss_hook import NonFiniteLossError, NonFiniteLossHook
from .pre_run_check_hook import PreRunCheckError, PreRunCheckHook
from .preemption_hook import PREEMPTED_EXIT_CODE, Preempted, PreemptionHook
from .progress_hook import RichProgressHook
from .resume_guard_hook import ResumeChangeError, ResumeGuardHook
from .safe_checkpoint_hook import SafeCheckpointHook
from .schedule_check_hook import ScheduleCheckHook, schedule_problems
from .val_visualization_hook import ValVisualizationHook
from .visualization_hook import VLVisualizationHook

__all__ = [
    'VLVisualizationHook',
    'ModalityScheduleHook',
    'LogitScaleClampHook',
    'RichProgressHook',
    'ScheduleCheckHook',
    'schedule_problems',
    'ValVisualizationHook',
    'CheckpointMatchHook',
    'CheckpointMismatchError',
    'PreRunCheckError',
    'PreRunCheckHook',
    'NonFiniteLossHook',
    'NonFiniteLossError',
    'SafeCheckpointHook',
    'ResumeGuardHook',
    'ResumeChangeError',
    'PreemptionHook',
    'Preempted',
    'PREEMPTED_EXIT_CODE',
]
