from .exact_accumulation_loop import ExactAccumulationTrainLoop
from .resumable_epoch_loop import ResumableEpochBasedTrainLoop
from .resume_skip import ResumeMismatchError, resumed_batches

__all__ = [
    'ExactAccumulationTrainLoop',
    'ResumableEpochBasedTrainLoop',
    'ResumeMismatchError',
    'resumed_batches',
]
