r"""The LM head of a transformers model, and the hidden states it reads.

The chunked token loss (:mod:`vltoolkit.losses.chunked_linear`) needs the
decoder's last hidden states and the head that maps them to logits, not
the logits. :func:`lm_head_input` runs a transformers model exactly as its
``forward`` does, up to the call of its output embedding (``lm_head``), and
returns that call's input; the logits are never computed.
:func:`output_head` reads the head: ``lm_head.weight`` / ``.bias``, BART's
``final_logits_bias`` buffer, and Gemma 2's ``final_logit_softcapping``
(:math:`z \leftarrow s \tanh(z / s)`), so that ``output_head(m).logits(
lm_head_input(m, **kw))`` equals ``m(**kw).logits``
(``tests/test_models/test_chunked_token_loss.py`` checks it for every
family).
"""

from typing import NamedTuple, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F


class OutputHead(NamedTuple):
    """``logits = softcap * tanh((hidden @ weight.T + bias) / softcap)``
    (no cap when ``softcap`` is None)."""

    weight: torch.Tensor
    bias: Optional[torch.Tensor] = None
    softcap: Optional[float] = None

    def logits(self, hidden: torch.Tensor) -> torch.Tensor:
        z = F.linear(hidden, self.weight, self.bias)
        if self.softcap is not None:
            z = torch.tanh(z / self.softcap) * self.softcap
        return z


class HeadInput(NamedTuple):
    """What a model hands the token loss instead of logits when the loss is
    chunked: the LM head's input ``hidden [B, T, D]`` and the head."""

    hidden: torch.Tensor
    head: OutputHead


class _Reached(Exception):
    """Raised by the pre-hook once the LM head's input is captured."""

    def __init__(self, hidden):
        super().__init__()
        self.hidden = hidden


def _lm_head_module(hf_model) -> nn.Module:
    lm_head = hf_model.get_output_embeddings()
    if type(lm_head) is not nn.Linear:
        raise TypeError(
            f'{type(hf_model).__name__}: its output embedding is a '
            f'{type(lm_head).__name__}, not an nn.Linear (a LoRA on lm_head?), so '
            'the chunked token loss cannot read its weight; set model.loss_chunk_size=None '
            'or leave lm_head out of lora.target_modules'
        )
    return lm_head


def output_head(hf_model) -> OutputHead:
    """The head that turns :func:`lm_head_input`'s output into ``hf_model``'s
    logits (module docstring)."""
    lm_head = _lm_head_module(hf_model)
    bias = lm_head.bias
    extra = getattr(hf_model, 'final_logits_bias', None)  # BART, mBART, Marian, Pegasus
    if isinstance(extra, torch.Tensor):
        extra = extra.reshape(-1).to(lm_head.weight.dtype)
        bias = extra if bias is None else bias + extra
    config = hf_model.config
    text_config = config.get_text_config() if hasattr(config, 'get_text_config') else config
    softcap = getattr(text_config, 'final_logit_softcapping', None)
    return OutputHead(lm_head.weight, bias, None if softcap is None else float(softcap))


def lm_head_input(hf_model, **kwargs) -> torch.Tensor:
    """``hf_model(**kwargs)`` up to its LM head: the hidden states the head
    would read (``[B, T, D]``), with autograd history; the forward stops
    there, so no logits are computed."""
    lm_head = _lm_head_module(hf_model)

    def stop(module, args):
        raise _Reached(args[0])

    handle = lm_head.register_forward_pre_hook(stop)
    try:
        hf_model(**kwargs)
    except _Reached as reached:
        return reached.hidden
    finally:
        handle.remove()
    raise RuntimeError(
        f'{type(hf_model).__name__}.forward never called its output embedding '
        f'({type(lm_head).__name__}); set model.loss_chunk_size=None'
    )
