from .exact_accumulation_loop import ExactAccumulationTrainLoop
from .resumable_epoch_loop import ResumableEpochBasedTrainLoop

__all__ = ['ExactAccumulationTrainLoop', 'ResumableEpochBasedTrainLoop']
