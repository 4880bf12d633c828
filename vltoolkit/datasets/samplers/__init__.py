from .task_grouped_batch_sampler import TaskGroupedBatchSampler

__all__ = ['TaskGroupedBatchSampler']
