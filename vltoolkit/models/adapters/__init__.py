"""Parameter-efficient adapters (LoRA through peft) for any model."""

from .lora import (
    apply_lora,
    lora_adapter_names,
    lora_parameters,
    merge_lora,
    resolve_lora_targets,
    set_active_adapters,
)

__all__ = [
    'apply_lora',
    'lora_adapter_names',
    'lora_parameters',
    'merge_lora',
    'resolve_lora_targets',
    'set_active_adapters',
]
