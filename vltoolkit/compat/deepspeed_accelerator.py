"""DeepSpeed's ``Setting accelerator to CPU`` warning at every import.

The trap (deepspeed 0.19, mmengine 0.10.7): ``mmengine.runner`` imports
``mmengine._strategy.deepspeed``, which imports ``deepspeed`` whenever it is
installed (``pip install vltoolkit[deepspeed]``). On a machine without a CUDA
device DeepSpeed's accelerator detection then logs, in every run and every
tool::

    [WARNING] [real_accelerator.py] Setting accelerator to CPU. If you have GPU
    or other accelerator, we were unable to detect it.

Nothing the user can act on: CPU is what the detection concludes. Setting
``DS_ACCELERATOR=cpu`` (DeepSpeed's own override) when no CUDA device is visible
gives the same accelerator without the warning; a value the user set is kept.

Delete when: DeepSpeed logs the fallback at info level, or mmengine imports
deepspeed only when a DeepSpeed strategy is built.
"""

import os

__all__ = ['default_deepspeed_accelerator']


def default_deepspeed_accelerator() -> None:
    """``DS_ACCELERATOR=cpu`` unless set, when torch sees no CUDA device."""
    if 'DS_ACCELERATOR' in os.environ:
        return
    import torch

    if torch.cuda.device_count() == 0:  # no CUDA initialisation
        os.environ['DS_ACCELERATOR'] = 'cpu'
